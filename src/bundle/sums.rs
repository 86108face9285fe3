//! `SHA256SUMS`: the digest of every other file of a bundle, in `sha256sum -c` format
//! (`DIGEST  PATH`, sorted by path, paths relative to the bundle's directory), so that
//! the host checks it with coreutils alone and a signature over it covers every file.

use crate::opdef::sha256_hex as hex;

/// The name of the list inside a bundle's directory, and of its signature.
pub(crate) const SUMS: &str = "SHA256SUMS";
pub(crate) const SIGNATURE: &str = "SHA256SUMS.sig";

/// The list of `files` (path relative to the bundle's directory, content), sorted by path.
pub(crate) fn list(files: &[(String, &[u8])]) -> String {
    let mut lines: Vec<(&str, String)> = files
        .iter()
        .map(|(path, data)| (path.as_str(), hex(data)))
        .collect();
    lines.sort();
    lines
        .iter()
        .map(|(path, digest)| format!("{digest}  {path}\n"))
        .collect()
}

/// Checks `files` against the list `sums`: every file listed, with its digest, and no
/// file unlisted. Each problem, one line each (none when the bundle is intact).
pub(crate) fn check(sums: &str, files: &[(String, &[u8])]) -> Vec<String> {
    let mut listed = std::collections::BTreeMap::new();
    let mut problems = Vec::new();
    for line in sums.lines() {
        match line.split_once("  ") {
            Some((digest, path)) => {
                listed.insert(path, digest);
            }
            None => problems.push(format!("{SUMS}: a line is not `DIGEST  PATH`: {line}")),
        }
    }
    for (path, data) in files {
        match listed.remove(path.as_str()) {
            Some(digest) if digest == hex(data) => {}
            Some(_) => problems.push(format!("{path}: its SHA-256 differs from {SUMS}'s")),
            None => problems.push(format!("{path}: not in {SUMS}")),
        }
    }
    problems.extend(
        listed
            .keys()
            .map(|path| format!("{path}: listed in {SUMS}, missing")),
    );
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sha256sum_format_and_sorted() {
        let list = list(&[("run".into(), b"b"), ("README.md".into(), b"")]);
        assert_eq!(
            list,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  README.md\n\
             3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d  run\n"
        );
        assert!(check(&list, &[("run".into(), b"b"), ("README.md".into(), b"")]).is_empty());
    }

    #[test]
    fn a_changed_missing_or_extra_file_is_a_problem() {
        let list = list(&[("a".into(), b"1"), ("b".into(), b"2")]);
        let problems = check(&list, &[("a".into(), b"x"), ("c".into(), b"3")]);
        assert_eq!(
            problems,
            [
                "a: its SHA-256 differs from SHA256SUMS's",
                "c: not in SHA256SUMS",
                "b: listed in SHA256SUMS, missing"
            ]
        );
    }
}
