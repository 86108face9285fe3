//! Trees of files: set up a sandbox from a fixture, read back what a script left there and
//! show how it differs from what was expected.

use std::collections::BTreeMap;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;

/// One entry of a file tree.
#[derive(Debug, PartialEq, Eq, Clone)]
pub(crate) enum Entry {
    Dir,
    File(Vec<u8>),
    Link(String),
}

/// Every entry under `root`, by relative path. Symlinks are not followed. Files named
/// `.gitkeep` are not entries: they only keep empty fixture directories in git.
pub(crate) fn read_tree(root: &Path) -> BTreeMap<String, Entry> {
    let mut tree = BTreeMap::new();
    if root.exists() {
        walk(root, root, &mut tree);
    }
    tree
}

fn walk(root: &Path, dir: &Path, tree: &mut BTreeMap<String, Entry>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.file_name().is_some_and(|n| n == ".gitkeep") {
            continue;
        }
        let rel = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&path).unwrap();
            tree.insert(rel, Entry::Link(target.to_string_lossy().into_owned()));
        } else if meta.is_dir() {
            tree.insert(rel, Entry::Dir);
            walk(root, &path, tree);
        } else {
            tree.insert(rel, Entry::File(std::fs::read(&path).unwrap()));
        }
    }
}

/// Copies the tree at `from` into `to` (symlinks copied as links).
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for (rel, entry) in read_tree(from) {
        let dest = to.join(&rel);
        match entry {
            Entry::Dir => std::fs::create_dir_all(&dest).unwrap(),
            Entry::File(bytes) => {
                std::fs::write(&dest, bytes).unwrap();
                let mode = std::fs::metadata(from.join(&rel))
                    .unwrap()
                    .permissions()
                    .mode();
                std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(mode)).unwrap();
            }
            Entry::Link(target) => symlink(target, &dest).unwrap(),
        }
    }
}

/// The permission bits of `path` as 4-digit octal.
pub(crate) fn mode(path: &Path) -> String {
    format!(
        "{:04o}",
        std::fs::symlink_metadata(path)
            .unwrap()
            .permissions()
            .mode()
            & 0o7777
    )
}

/// Shows how two trees differ, for assertion messages.
pub(crate) fn tree_diff(
    expected: &BTreeMap<String, Entry>,
    actual: &BTreeMap<String, Entry>,
) -> String {
    let mut out = String::new();
    for (path, entry) in expected {
        match actual.get(path) {
            None => out.push_str(&format!("  missing: {path}\n")),
            Some(a) if a != entry => out.push_str(&format!(
                "  differs: {path}\n    expected {}\n    actual   {}\n",
                show(entry),
                show(a)
            )),
            _ => {}
        }
    }
    for path in actual.keys().filter(|p| !expected.contains_key(*p)) {
        out.push_str(&format!("  unexpected: {path}\n"));
    }
    out
}

fn show(entry: &Entry) -> String {
    match entry {
        Entry::Dir => "directory".into(),
        Entry::File(bytes) => format!("file {:?}", String::from_utf8_lossy(bytes)),
        Entry::Link(target) => format!("link -> {target}"),
    }
}
