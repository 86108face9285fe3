//! A reproducible ustar archive, written and read in memory.
//!
//! Invariants of what [`write`] makes: entries in the order given (the caller sorts them),
//! every entry owned by uid/gid 0 (`root`), with one fixed mtime and the mode its
//! [`Entry`] says, nothing of the machine that made it (no user names, no device numbers,
//! no extended headers). The same entries give the same bytes. [`read`] reads back the
//! files and directories of such an archive (and of any plain ustar one) with their modes
//! and owners, checking each header's checksum.

const BLOCK: usize = 512;

/// One member of an archive: a directory (`data` empty) or a regular file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    /// Relative, `/`-separated; a directory's ends with `/`.
    pub path: String,
    pub mode: u32,
    pub data: Vec<u8>,
}

impl Entry {
    fn is_dir(&self) -> bool {
        self.path.ends_with('/')
    }
}

/// The archive of `entries`, each with modification time `mtime`. `Err` names an entry
/// whose path does not fit a ustar header.
pub(crate) fn write(entries: &[Entry], mtime: u64) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    for entry in entries {
        out.extend_from_slice(&header(entry, mtime)?);
        out.extend_from_slice(&entry.data);
        out.resize(out.len().next_multiple_of(BLOCK), 0);
    }
    out.resize(out.len() + 2 * BLOCK, 0);
    Ok(out)
}

fn header(entry: &Entry, mtime: u64) -> Result<[u8; BLOCK], String> {
    let mut h = [0u8; BLOCK];
    let (prefix, name) = split_path(&entry.path)
        .ok_or_else(|| format!("`{}`: the path is too long for a tar header", entry.path))?;
    h[..name.len()].copy_from_slice(name.as_bytes());
    octal(&mut h[100..108], u64::from(entry.mode));
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    octal(&mut h[124..136], entry.data.len() as u64);
    octal(&mut h[136..148], mtime);
    h[156] = if entry.is_dir() { b'5' } else { b'0' };
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[265..269].copy_from_slice(b"root");
    h[297..301].copy_from_slice(b"root");
    h[345..345 + prefix.len()].copy_from_slice(prefix.as_bytes());
    h[148..156].fill(b' ');
    let sum: u64 = h.iter().map(|&b| u64::from(b)).sum();
    h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    Ok(h)
}

/// `path` as ustar's prefix (155 bytes) and name (100 bytes), split at a `/`.
fn split_path(path: &str) -> Option<(&str, &str)> {
    if path.len() <= 100 {
        return Some(("", path));
    }
    let body = path.strip_suffix('/').unwrap_or(path);
    body.char_indices()
        .filter(|&(i, c)| c == '/' && i <= 155)
        .map(|(i, _)| (&path[..i], &path[i + 1..]))
        .find(|(_, name)| name.len() <= 100 && !name.is_empty())
}

/// Writes `value` in octal, zero-padded, NUL-terminated, filling `field`.
fn octal(field: &mut [u8], value: u64) {
    let width = field.len() - 1;
    field[..width].copy_from_slice(format!("{value:0width$o}").as_bytes());
    field[width] = 0;
}

/// A member of an archive as read back: an [`Entry`] (a directory's path ends with `/`)
/// and the owner its header names, which a root extracting the archive gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Member {
    pub entry: Entry,
    pub uid: u64,
    pub gid: u64,
}

/// The files and directories of the archive `bytes`, in the archive's order. `Err` says
/// what is wrong with it.
pub(crate) fn read(bytes: &[u8]) -> Result<Vec<Member>, String> {
    let mut files = Vec::new();
    let mut at = 0;
    while at + BLOCK <= bytes.len() {
        let h = &bytes[at..at + BLOCK];
        if h.iter().all(|&b| b == 0) {
            return Ok(files);
        }
        let stored = parse_octal(&h[148..156]).ok_or("a header's checksum is not a number")?;
        let sum: u64 = h
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    u64::from(b)
                }
            })
            .sum();
        if stored != sum {
            return Err(format!("the header at byte {at} is corrupt (its checksum)"));
        }
        let size = parse_octal(&h[124..136]).ok_or("a header's size is not a number")? as usize;
        let mode = parse_octal(&h[100..108]).ok_or("a header's mode is not a number")?;
        let uid = parse_octal(&h[108..116]).ok_or("a header's owner is not a number")?;
        let gid = parse_octal(&h[116..124]).ok_or("a header's group is not a number")?;
        let name = field_text(&h[..100]);
        let prefix = field_text(&h[345..500]);
        let path = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let start = at + BLOCK;
        let end = start
            .checked_add(size)
            .filter(|&end| end <= bytes.len())
            .ok_or_else(|| format!("`{path}` is cut short"))?;
        let (path, data) = match h[156] {
            b'0' | 0 => (path, bytes[start..end].to_vec()),
            b'5' if path.ends_with('/') => (path, Vec::new()),
            b'5' => (format!("{path}/"), Vec::new()),
            other => {
                return Err(format!(
                    "`{path}` is of type `{}`, which a bundle never holds",
                    other as char
                ));
            }
        };
        files.push(Member {
            entry: Entry {
                path,
                mode: u32::try_from(mode).map_err(|_| "a header's mode is out of range")?,
                data,
            },
            uid,
            gid,
        });
        at = start + size.next_multiple_of(BLOCK);
    }
    Err("the archive ends without its end marker".into())
}

fn field_text(field: &[u8]) -> String {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

fn parse_octal(field: &[u8]) -> Option<u64> {
    let text = field_text(field);
    let text = text.trim_matches(|c: char| c == ' ' || c == '\0');
    u64::from_str_radix(text, 8).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, data: &[u8]) -> Entry {
        Entry {
            path: path.to_owned(),
            mode: 0o600,
            data: data.to_vec(),
        }
    }

    #[test]
    fn files_come_back_as_written() {
        let long = format!("h/packages/{}.deb", "x".repeat(90));
        let entries = [entry("h/", b""), entry("h/a", b"hello"), entry(&long, b"")];
        let tar = write(&entries, 7).unwrap();
        assert_eq!(tar.len() % BLOCK, 0);
        let read: Vec<Member> = read(&tar).unwrap();
        let members = entries.map(|entry| Member {
            entry,
            uid: 0,
            gid: 0,
        });
        assert_eq!(read, members);
    }

    #[test]
    fn a_changed_header_byte_is_refused() {
        let mut tar = write(&[entry("h/a", b"hello")], 0).unwrap();
        tar[0] = b'g';
        assert!(read(&tar).unwrap_err().contains("corrupt"));
    }

    #[test]
    fn a_path_too_long_for_ustar_is_refused() {
        let path = "y".repeat(101);
        assert!(write(&[entry(&path, b"")], 0).is_err());
    }
}
