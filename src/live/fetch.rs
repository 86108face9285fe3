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
