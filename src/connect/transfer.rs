//! Copying a file to or from a host through any connector, with nothing but `sh` there (no
//! scp, no sftp subsystem, no base64): one round trip each.
//!
//! A put is a script carrying the bytes as `printf` lines (byte-exact, see
//! `shell::content`) into the runtime's `k_put` (`k_write`): a temporary file beside the
//! destination gets the content and mode and is renamed over it, so a connection lost
//! half-way leaves the old file (or none), never half a file. A get opens the file, prints
//! its permission bits (`ls -lL`'s, of the file a link leads to) on a line of their own,
//! then `cat`s it: the mode comes back in the same round trip as the content, so the copy
//! made of it can have it from the start.

use std::fmt;

use super::{ConnectError, Connector, Stream};
use crate::runtime::call::{self, Attributes, Put};
use crate::shell::Sh;

/// Why a file could not be copied.
#[derive(Debug)]
pub enum TransferError {
    /// The host could not be reached, or the connection broke.
    Connect(ConnectError),
    /// The host refused: the copy's shell failed, saying why on its standard error.
    Refused {
        path: String,
        status: i32,
        stderr: String,
    },
    /// The host sent the file without its permission bits.
    NoMode { path: String, stderr: String },
}

impl fmt::Display for TransferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransferError::Connect(error) => write!(f, "{error}"),
            TransferError::Refused {
                path,
                status,
                stderr,
            } if stderr.is_empty() => write!(f, "{path}: failed (exit {status})"),
            TransferError::Refused { path, stderr, .. } => write!(f, "{path}: {stderr}"),
            TransferError::NoMode { path, stderr } => {
                write!(
                    f,
                    "{path}: the host did not send the file's mode ({stderr})"
                )
            }
        }
    }
}

impl std::error::Error for TransferError {}

impl From<ConnectError> for TransferError {
    fn from(error: ConnectError) -> Self {
        TransferError::Connect(error)
    }
}

/// Writes `data` to `path` on the host, atomically, with `mode` (octal, e.g. `0644`; none:
/// an existing file's mode, else the umask's).
pub(super) fn put<C: Connector + ?Sized>(
    connection: &mut C,
    path: &str,
    data: &[u8],
    mode: Option<&str>,
) -> Result<(), TransferError> {
    let mut script = Sh::of("{\n");
    script.push(&call::content(data)).code("\n} | ");
    let write = call::put(&Put {
        dest: path,
        attributes: Attributes {
            mode: mode.unwrap_or(""),
            ..Attributes::default()
        },
        ..Put::default()
    });
    script.push(&write.with_verb("act")).code("\n");
    let script = format!(
        "{}set -u\n{}",
        crate::runtime::for_code(script.text()),
        script.text()
    );
    let mut stderr = Vec::new();
    let status = connection.run(&script, &[], &mut |stream, chunk| {
        if stream == Stream::Stderr {
            stderr.extend_from_slice(chunk);
        }
    })?;
    if status == 0 {
        Ok(())
    } else {
        Err(refused(path, status, &stderr))
    }
}

/// A file read from a host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteFile {
    pub content: Vec<u8>,
    /// Its permission bits (`0o640`), without setuid, setgid and sticky.
    pub mode: u32,
}

/// The file at `path` on the host.
pub(super) fn get<C: Connector + ?Sized>(
    connection: &mut C,
    path: &str,
) -> Result<RemoteFile, TransferError> {
    // Opened first, so a file that cannot be read fails with the shell's reason before
    // anything is printed.
    let mut script = Sh::of("exec 3< ");
    script
        .arg(path)
        .code("\nls -lnLd -- ")
        .arg(path)
        .code(" | awk 'NR == 1 { print substr($1, 2, 9) }'\nexec cat <&3\n");
    let (mut output, mut stderr) = (Vec::new(), Vec::new());
    let status = connection.run(script.text(), &[], &mut |stream, chunk| match stream {
        Stream::Stdout => output.extend_from_slice(chunk),
        Stream::Stderr => stderr.extend_from_slice(chunk),
    })?;
    if status != 0 {
        return Err(refused(path, status, &stderr));
    }
    let mode = output
        .iter()
        .position(|&b| b == b'\n')
        .and_then(|end| Some((permission_bits(&output[..end])?, end)));
    let Some((mode, end)) = mode else {
        return Err(TransferError::NoMode {
            path: path.to_owned(),
            stderr: String::from_utf8_lossy(&stderr).trim().to_owned(),
        });
    };
    output.drain(..=end);
    Ok(RemoteFile {
        content: output,
        mode,
    })
}

/// The permission bits of an `ls -l` mode string without its type (`rw-r-----`): a
/// letter is a bit set (`s` and `t` include execute; `S` and `T` do not).
fn permission_bits(text: &[u8]) -> Option<u32> {
    if text.len() != 9 {
        return None;
    }
    text.iter().enumerate().try_fold(0, |bits, (i, &c)| {
        let set = match (i % 3, c) {
            (_, b'-') | (2, b'S' | b'T') => false,
            (0, b'r') | (1, b'w') | (2, b'x' | b's' | b't') => true,
            _ => return None,
        };
        Some(bits | u32::from(set) << (8 - i))
    })
}

fn refused(path: &str, status: i32, stderr: &[u8]) -> TransferError {
    TransferError::Refused {
        path: path.to_owned(),
        status,
        stderr: String::from_utf8_lossy(stderr).trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::permission_bits;

    #[test]
    fn permission_bits_of_mode_strings() {
        assert_eq!(permission_bits(b"rw-r-----"), Some(0o640));
        assert_eq!(permission_bits(b"rw-------"), Some(0o600));
        assert_eq!(permission_bits(b"rwsr-Sr-t"), Some(0o745));
        assert_eq!(permission_bits(b"rwxrwxrwT"), Some(0o776));
        assert_eq!(permission_bits(b"rw-r--r--x"), None);
        assert_eq!(permission_bits(b"wr-------"), None);
        assert_eq!(permission_bits(b"content"), None);
    }
}
