//! Copying a file to or from a host through any connector, with nothing but `sh` there (no
//! scp, no sftp subsystem, no base64): one round trip each.
//!
//! A put is a script carrying the bytes as `printf` lines (byte-exact, see
//! `shell::content`) into the runtime library's `k_write`: a temporary file beside the
//! destination gets the content and mode and is renamed over it, so a connection lost
//! half-way leaves the old file (or none), never half a file. A get is `cat` of the file,
//! its standard output collected as it streams.

use super::{Connector, Stream};
use crate::shell::Sh;
use crate::shell::content::byte_lines;

/// Writes `data` to `path` on the host, atomically, with `mode` (octal, e.g. `0644`; none:
/// an existing file's mode, else the umask's).
pub fn put<C: Connector + ?Sized>(
    connection: &mut C,
    path: &str,
    data: &[u8],
    mode: Option<&str>,
) -> Result<(), String> {
    let mut script = Sh::of("{\n");
    for line in byte_lines(data) {
        script.push(&line).code("\n");
    }
    script
        .code(":\n} | k_write ")
        .arg(path)
        .code(" ")
        .arg(mode.unwrap_or(""))
        .code(" '' ''\n");
    let script = format!("{}set -u\n{}", crate::emit::LIB, script.text());
    let mut stderr = Vec::new();
    let status = connection
        .run(&script, &[], &mut |stream, chunk| {
            if stream == Stream::Stderr {
                stderr.extend_from_slice(chunk);
            }
        })
        .map_err(|e| e.message)?;
    if status == 0 {
        Ok(())
    } else {
        Err(failure(path, status, &stderr))
    }
}

/// The content of the file at `path` on the host.
pub fn get<C: Connector + ?Sized>(connection: &mut C, path: &str) -> Result<Vec<u8>, String> {
    let mut script = Sh::of("exec cat -- ");
    script.arg(path).code("\n");
    let (mut content, mut stderr) = (Vec::new(), Vec::new());
    let status = connection
        .run(script.text(), &[], &mut |stream, chunk| match stream {
            Stream::Stdout => content.extend_from_slice(chunk),
            Stream::Stderr => stderr.extend_from_slice(chunk),
        })
        .map_err(|e| e.message)?;
    if status == 0 {
        Ok(content)
    } else {
        Err(failure(path, status, &stderr))
    }
}

fn failure(path: &str, status: i32, stderr: &[u8]) -> String {
    let said = String::from_utf8_lossy(stderr);
    let said = said.trim();
    if said.is_empty() {
        format!("{path}: failed (exit {status})")
    } else {
        format!("{path}: {said}")
    }
}
