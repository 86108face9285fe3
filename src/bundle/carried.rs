//! What a bundle's `packages/` holds, for its audit report: each package file with the
//! name, version and architecture its repository index gives it and its SHA-256, so that
//! a reviewer signs off the exact versions the host will install.
//!
//! apt's side is read from the flat repository's `Packages` index (`dpkg-scanpackages`
//! writes one stanza a deb: `Package`, `Version`, `Architecture`, `Filename`).

use crate::audit::Carried;
use crate::opdef::sha256_hex;

/// The packages among `files` (a bundle's `packages/`), sorted by file name.
pub(crate) fn carried(files: &super::Files) -> Vec<Carried> {
    let Some((_, index)) = files.iter().find(|(name, _)| name == "Packages") else {
        return Vec::new();
    };
    let index = String::from_utf8_lossy(index);
    let mut carried: Vec<Carried> = index
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
        .collect();
    carried.sort_by(|a, b| a.file.cmp(&b.file));
    carried
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
}
