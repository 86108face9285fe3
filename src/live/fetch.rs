//! `files.get`'s copies, written on the controller once a host's run has sent them back.
//!
//! The host names nothing here: which controller file an op fills comes from the op as
//! compiled (`HostScript::fetches`), by its index; the host only sends bytes, and an index
//! that is not a `files.get` op's is ignored. A copy is written only when it is whole: its
//! bytes must have the SHA-256 the host announced before them. It is written through
//! [`save`] with mode 0600, so a reader never sees half a copy and the file is never
//! readable by others (a copy may hold a host's secrets). One run never writes one file twice: two hosts whose
//! ops name the same file fail the second, instead of one silently winning.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::report::OpOutcome;

/// The controller files written in this run, and by which host.
pub(crate) type Claimed = Mutex<BTreeMap<PathBuf, String>>;

/// Writes the copies `host`'s changed ops sent back to the files `fetches` names for them;
/// an op whose copy cannot be written is failed, saying why.
pub(super) fn write(
    host: &str,
    ops: &mut [OpOutcome],
    fetches: &[(String, PathBuf)],
    claimed: &Claimed,
) {
    for op in ops.iter_mut() {
        let fetched = op.fetched.take();
        let Some((_, dest)) = fetches.iter().find(|(index, _)| *index == op.index) else {
            continue;
        };
        if op.status != "changed" {
            continue;
        }
        let outcome = match fetched {
            None => Err("the host sent no copy of the file".to_owned()),
            Some(fetched) if fetched.damaged => Err("the copy arrived damaged".to_owned()),
            Some(fetched) if crate::opdef::sha256_hex(&fetched.bytes) != fetched.sha256 => Err(
                "the copy does not have the SHA-256 the host announced: the file changed while it was copied".to_owned(),
            ),
            Some(fetched) => claim(host, dest, claimed)
                .and_then(|()| save(dest, &fetched.bytes, 0o600))
                .map_err(|error| format!("cannot write the copy: {error}")),
        };
        if let Err(why) = outcome {
            op.status = "failed".into();
            if !op.note.is_empty() {
                op.note.push('\n');
            }
            op.note.push_str(&why);
        }
    }
}

/// Records that `host` writes `dest` in this run, unless another host did.
fn claim(host: &str, dest: &Path, claimed: &Claimed) -> Result<(), String> {
    let mut claimed = claimed
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    match claimed.get(dest) {
        Some(other) if other != host => Err(format!(
            "{} was written by host {other} in this run: put `{{{{ host.name }}}}` in `dest`",
            dest.display()
        )),
        _ => {
            claimed.insert(dest.to_owned(), host.to_owned());
            Ok(())
        }
    }
}

/// Writes `bytes` to `path` with permission bits `mode`, atomically: the bytes go to a new
/// file beside it, created exclusively with mode `0600` (so no one else can read it, not
/// even for a moment, whatever its final mode), which gets its mode and is then renamed
/// over `path`. Missing parent directories are created. A failure leaves the old file (or
/// none) and no temporary file.
pub(crate) fn save(path: &Path, bytes: &[u8], mode: u32) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let parent = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    let fail = |e: std::io::Error| format!("{}: {e}", path.display());
    // tempfile creates it with O_EXCL and mode 0600, and removes it unless persisted.
    let mut temporary = tempfile::Builder::new()
        .prefix(".kiln-fetch.")
        .tempfile_in(parent)
        .map_err(fail)?;
    temporary.write_all(bytes).map_err(fail)?;
    let copy = temporary.as_file();
    copy.set_permissions(std::fs::Permissions::from_mode(mode))
        .map_err(fail)?;
    copy.sync_all().map_err(fail)?;
    temporary.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::report::Fetched;
    use std::os::unix::fs::PermissionsExt;

    fn op(index: &str, status: &str, bytes: &[u8], sha256: &str) -> OpOutcome {
        OpOutcome {
            index: index.into(),
            status: status.into(),
            label: String::new(),
            origin: String::new(),
            detail: String::new(),
            stderr: String::new(),
            note: String::new(),
            seconds: 0.0,
            fetched: Some(Fetched {
                sha256: sha256.into(),
                bytes: bytes.to_vec(),
                damaged: false,
            }),
        }
    }

    /// A host sends bytes for any op it likes: only a `files.get` op's index, as compiled,
    /// names a file, and only a whole copy (its announced SHA-256) is written, 0600.
    #[test]
    fn only_a_files_get_op_writes_and_only_a_whole_copy() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("copy");
        let fetches = vec![("2".to_owned(), dest.clone())];
        let sum = crate::opdef::sha256_hex(b"good");
        let claimed = Claimed::default();

        let mut forged = vec![op(
            "1",
            "changed",
            b"evil",
            &crate::opdef::sha256_hex(b"evil"),
        )];
        write("h", &mut forged, &fetches, &claimed);
        assert!(!dest.exists(), "an index that is no files.get op wrote");
        assert_eq!(forged[0].status, "changed");

        let mut changed_meanwhile = vec![op("2", "changed", b"half", &sum)];
        write("h", &mut changed_meanwhile, &fetches, &claimed);
        assert!(!dest.exists());
        assert_eq!(changed_meanwhile[0].status, "failed");
        assert!(
            changed_meanwhile[0]
                .note
                .contains("changed while it was copied")
        );

        let mut damaged = vec![op("2", "changed", b"good", &sum)];
        damaged[0].fetched.as_mut().unwrap().damaged = true;
        write("h", &mut damaged, &fetches, &claimed);
        assert!(!dest.exists());
        assert_eq!(damaged[0].note, "the copy arrived damaged");

        let mut good = vec![op("2", "changed", b"good", &sum)];
        write("h", &mut good, &fetches, &claimed);
        assert_eq!(good[0].status, "changed", "{}", good[0].note);
        assert_eq!(std::fs::read(&dest).unwrap(), b"good");
        let mode = std::fs::metadata(&dest).unwrap().permissions().mode();
        assert_eq!(mode & 0o7777, 0o600);

        let mut other_host = vec![op("2", "changed", b"good", &sum)];
        write("g", &mut other_host, &fetches, &claimed);
        assert_eq!(other_host[0].status, "failed");
        assert!(other_host[0].note.contains("was written by host h"));
    }
}
