//! The bundle's signature: OpenSSH's `ssh-keygen -Y sign` over `SHA256SUMS`, in the
//! namespace [`NAMESPACE`], so that any host with OpenSSH and an allowed-signers file
//! checks it (`ssh-keygen -Y verify`), and kiln checks it the same way. An Ed25519 key
//! signs deterministically, so a signed bundle stays reproducible.

use std::path::Path;
use std::process::{Command, Stdio};

use super::sums::{SIGNATURE, SUMS};

/// The signature namespace: a signature made for a bundle is valid for nothing else.
pub(crate) const NAMESPACE: &str = "kiln-bundle";

/// The signature of `sums` with the private key `key`.
pub(crate) fn sign(sums: &str, key: &Path) -> Result<Vec<u8>, String> {
    let work = tempfile::tempdir().map_err(|e| format!("a temporary directory: {e}"))?;
    let file = work.path().join(SUMS);
    std::fs::write(&file, sums).map_err(|e| format!("{}: {e}", file.display()))?;
    super::run(
        Command::new("ssh-keygen")
            .args(["-q", "-Y", "sign", "-n", NAMESPACE, "-f"])
            .arg(key)
            .arg(&file)
            .stdin(Stdio::null()),
        &format!("signing with {} (ssh-keygen)", key.display()),
    )?;
    let signature = work.path().join(SIGNATURE);
    std::fs::read(&signature).map_err(|e| format!("{}: {e}", signature.display()))
}

/// Checks `signature` over `sums` against the allowed-signers file `allowed`, as
/// `identity`, else as whichever principal of `allowed` the key is; the identity it
/// was made by.
pub(crate) fn verify(
    sums: &str,
    signature: &[u8],
    allowed: &Path,
    identity: Option<&str>,
) -> Result<String, String> {
    let work = tempfile::tempdir().map_err(|e| format!("a temporary directory: {e}"))?;
    let sig = work.path().join(SIGNATURE);
    std::fs::write(&sig, signature).map_err(|e| format!("{}: {e}", sig.display()))?;
    let keygen = |args: &[&str], input: &str| -> Result<String, String> {
        use std::io::Write;
        let mut child = Command::new("ssh-keygen")
            .args(args)
            .arg("-f")
            .arg(allowed)
            .arg("-s")
            .arg(&sig)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run ssh-keygen: {e}"))?;
        let mut stdin = child.stdin.take().expect("a piped stdin");
        let _ = stdin.write_all(input.as_bytes());
        drop(stdin);
        let output = child
            .wait_with_output()
            .map_err(|e| format!("ssh-keygen: {e}"))?;
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        if output.status.success() {
            Ok(text)
        } else {
            Err(format!(
                "{}{}",
                text.trim(),
                String::from_utf8_lossy(&output.stderr).trim()
            ))
        }
    };
    let identity = match identity {
        Some(identity) => identity.to_owned(),
        None => keygen(&["-Y", "find-principals"], "")
            .map_err(|_| format!("{SIGNATURE}: made by no key of {}", allowed.display()))?
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned(),
    };
    keygen(&["-Y", "verify", "-n", NAMESPACE, "-I", &identity], sums).map_err(|why| {
        format!("{SIGNATURE}: not a good signature of {SUMS} by {identity}: {why}")
    })?;
    Ok(identity)
}
