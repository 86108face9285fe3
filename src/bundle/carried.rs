//! What a bundle's `packages/` holds, for its audit report: each package file with the
//! name, version and architecture its repository index gives it and its SHA-256, so that
//! a reviewer signs off the exact versions the host will install.
//!
//! apt's side is read from the flat repository's `Packages` index (`dpkg-scanpackages`
//! writes one stanza a deb: `Package`, `Version`, `Architecture`, `Filename`); dnf's from
//! each rpm's own header (its name, epoch, version, release and architecture tags), which
//! is plain binary and needs no `rpm` on the controller.

use crate::audit::Carried;
use crate::opdef::sha256_hex;

/// The packages among `files` (a bundle's `packages/`), sorted by file name.
pub(crate) fn carried(files: &super::Files) -> Vec<Carried> {
    let mut carried: Vec<Carried> = debs(files)
        .into_iter()
        .chain(files.iter().filter_map(|(file, bytes)| {
            let (name, version, arch) = rpm_nevra(bytes).filter(|_| file.ends_with(".rpm"))?;
            Some(Carried {
                name,
                version,
                arch,
                file: file.clone(),
                sha256: sha256_hex(bytes),
            })
        }))
        .collect();
    carried.sort_by(|a, b| a.file.cmp(&b.file));
    carried
}

/// The debs of apt's flat repository, as its `Packages` index names them.
fn debs(files: &super::Files) -> Vec<Carried> {
    let Some((_, index)) = files.iter().find(|(name, _)| name == "Packages") else {
        return Vec::new();
    };
    let index = String::from_utf8_lossy(index);
    index
        .split("\n\n")
        .filter_map(|stanza| {
            let field = |name: &str| {
                stanza.lines().find_map(|line| {
                    let (key, value) = line.split_once(": ")?;
                    (key == name).then(|| value.trim().to_owned())
                })
            };
            let file = field("Filename")?;
            let file = file.strip_prefix("./").unwrap_or(&file).to_owned();
            let (_, bytes) = files.iter().find(|(name, _)| *name == file)?;
            Some(Carried {
                name: field("Package")?,
                version: field("Version")?,
                arch: field("Architecture")?,
                sha256: sha256_hex(bytes),
                file,
            })
        })
        .collect()
}

/// An rpm's name, `[epoch:]version-release` and architecture, from its header: after the
/// 96-byte lead, the signature header (padded to 8 bytes), then the header, each a magic,
/// an index of (tag, type, offset, count) entries and a store the offsets point into.
fn rpm_nevra(bytes: &[u8]) -> Option<(String, String, String)> {
    const LEAD: usize = 96;
    if bytes.get(..4)? != [0xed, 0xab, 0xee, 0xdb] {
        return None;
    }
    let (_, end) = rpm_header(bytes, LEAD)?;
    let (tags, _) = rpm_header(bytes, end.next_multiple_of(8))?;
    let string = |tag: u32| tags.iter().find(|(t, _)| *t == tag).map(|(_, v)| v.clone());
    let version = string(1001)?;
    let release = string(1002)?;
    let version = match string(1003) {
        Some(epoch) => format!("{epoch}:{version}-{release}"),
        None => format!("{version}-{release}"),
    };
    Some((string(1000)?, version, string(1022)?))
}

/// The string (type 6) and 32-bit integer (type 4, its first) tags of the rpm header at
/// `at`, as text, and where the header ends.
fn rpm_header(bytes: &[u8], at: usize) -> Option<(Vec<(u32, String)>, usize)> {
    let word = |at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
    };
    if bytes.get(at..at + 3)? != [0x8e, 0xad, 0xe8] {
        return None;
    }
    let count = usize::try_from(word(at + 8)?).ok()?;
    let size = usize::try_from(word(at + 12)?).ok()?;
    let store = at.checked_add(16)?.checked_add(count.checked_mul(16)?)?;
    let end = store.checked_add(size)?;
    let data = bytes.get(store..end)?;
    let mut tags = Vec::new();
    for entry in 0..count {
        let entry = at + 16 + entry * 16;
        let (tag, kind) = (word(entry)?, word(entry + 4)?);
        let offset = usize::try_from(word(entry + 8)?).ok()?;
        let value = match kind {
            4 => data
                .get(offset..offset + 4)
                .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]).to_string()),
            6 => data.get(offset..).map(|rest| {
                let len = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
                String::from_utf8_lossy(&rest[..len]).into_owned()
            }),
            _ => None,
        };
        if let Some(value) = value {
            tags.push((tag, value));
        }
    }
    Some((tags, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_deb_of_the_index_with_its_version_and_digest() {
        let files = vec![
            (
                "Packages".to_owned(),
                b"Package: zlib\nVersion: 1:1.2-3\nArchitecture: amd64\nFilename: ./zlib_1.2-3_amd64.deb\n\n\
                  Package: app\nVersion: 2.0\nArchitecture: all\nFilename: ./app_2.0_all.deb\nSHA256: x\n"
                    .to_vec(),
            ),
            ("app_2.0_all.deb".to_owned(), b"app".to_vec()),
            ("zlib_1.2-3_amd64.deb".to_owned(), b"zlib".to_vec()),
        ];
        let carried = carried(&files);
        let rows: Vec<(&str, &str, &str, &str)> = carried
            .iter()
            .map(|c| {
                (
                    c.name.as_str(),
                    c.version.as_str(),
                    c.arch.as_str(),
                    c.file.as_str(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("app", "2.0", "all", "app_2.0_all.deb"),
                ("zlib", "1:1.2-3", "amd64", "zlib_1.2-3_amd64.deb")
            ]
        );
        assert_eq!(carried[0].sha256, sha256_hex(b"app"));
        assert!(super::carried(&Vec::new()).is_empty());
    }

    /// An rpm header as rpm writes one: a magic, the index, then the store.
    fn header(tags: &[(u32, u32, &[u8])]) -> Vec<u8> {
        let (mut index, mut store) = (Vec::new(), Vec::new());
        for (tag, kind, value) in tags {
            for word in [*tag, *kind, store.len() as u32, 1] {
                index.extend_from_slice(&word.to_be_bytes());
            }
            store.extend_from_slice(value);
        }
        let mut out = vec![0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0];
        out.extend_from_slice(&(tags.len() as u32).to_be_bytes());
        out.extend_from_slice(&(store.len() as u32).to_be_bytes());
        out.extend(index);
        out.extend(store);
        out
    }

    #[test]
    fn an_rpm_is_named_by_its_header() {
        let mut rpm = vec![0xed, 0xab, 0xee, 0xdb];
        rpm.resize(96, 0);
        rpm.extend(header(&[(1000, 7, b"sig\0")])); // 21 bytes: padded to 8
        rpm.resize(rpm.len().next_multiple_of(8), 0);
        rpm.extend(header(&[
            (1000, 6, b"kiln-lib\0"),
            (1001, 6, b"1.0\0"),
            (1002, 6, b"3.el9\0"),
            (1003, 4, &2u32.to_be_bytes()),
            (1022, 6, b"noarch\0"),
        ]));
        rpm.extend_from_slice(b"payload");
        let files = vec![("kiln-lib-1.0-3.el9.noarch.rpm".to_owned(), rpm.clone())];
        let carried = carried(&files);
        assert_eq!(carried.len(), 1);
        assert_eq!(
            (
                carried[0].name.as_str(),
                carried[0].version.as_str(),
                carried[0].arch.as_str()
            ),
            ("kiln-lib", "2:1.0-3.el9", "noarch")
        );
        // Cut short or not an rpm: not named, never a panic.
        for cut in [4, 100, rpm.len() - 20] {
            assert_eq!(rpm_nevra(&rpm[..cut]), None, "{cut}");
        }
        assert_eq!(rpm_nevra(b"not an rpm at all"), None);
    }
}
