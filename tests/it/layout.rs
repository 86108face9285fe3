//! The rules of this harness (see `main.rs`), checked: one test binary, every file of it
//! compiled, no `#[path]`, and the binary run only through `support::kiln::Test`.

use std::path::{Path, PathBuf};

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// Every `.rs` file under `dir`, recursively, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn relative(path: &Path) -> String {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .display()
        .to_string()
}

/// Cargo makes a test binary of each `tests/*.rs` and `tests/*/main.rs`: `tests/it` must be
/// the only one.
#[test]
fn one_test_binary() {
    let mut binaries: Vec<String> = std::fs::read_dir(tests_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension().is_some_and(|e| e == "rs") || path.join("main.rs").is_file()
        })
        .map(|path| relative(&path))
        .collect();
    binaries.sort();
    assert_eq!(
        binaries,
        ["tests/it"],
        "a test file directly under tests/ is a binary of its own: make it a module of \
         tests/it (tests/it/NAME.rs and `mod NAME;` in tests/it/main.rs)"
    );
}

/// A file no `mod` declares is never compiled, so its tests would silently not exist.
#[test]
fn every_file_is_a_module() {
    let root = tests_dir().join("it");
    // The file that declares the module of a directory's files: `main.rs` at the root.
    let declarer = |dir: &Path| {
        if dir == root {
            root.join("main.rs")
        } else {
            dir.join("mod.rs")
        }
    };
    let undeclared: Vec<String> = rust_files(&root)
        .into_iter()
        .filter(|file| {
            let dir = file.parent().unwrap();
            let (module, parent) = match file.file_stem().unwrap().to_str().unwrap() {
                "main" if dir == root => return false,
                "mod" => (
                    dir.file_name().unwrap().to_str().unwrap(),
                    declarer(dir.parent().unwrap()),
                ),
                name => (name, declarer(dir)),
            };
            let text = std::fs::read_to_string(parent).unwrap_or_default();
            !text.lines().any(|line| {
                let line = line.trim();
                let line = ["pub(crate) ", "pub(super) ", "pub "]
                    .iter()
                    .find_map(|visibility| line.strip_prefix(visibility))
                    .unwrap_or(line);
                line == format!("mod {module};")
            })
        })
        .map(|file| relative(&file))
        .collect();
    assert!(
        undeclared.is_empty(),
        "no `mod` declares {undeclared:?}: declare each in its parent module (main.rs or mod.rs)"
    );
}

/// Modules are found where Rust looks for them, and the binary runs only through the
/// builder, which gives it a clean environment and a temporary directory.
#[test]
fn no_path_attribute_and_one_way_to_run_the_binary() {
    let builder = tests_dir().join("it/support/kiln.rs");
    let this = tests_dir().join("it/layout.rs");
    let mut broken = Vec::new();
    for file in rust_files(&tests_dir()) {
        if file == this {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        if text
            .lines()
            .any(|line| line.trim_start().starts_with("#[path"))
        {
            broken.push(format!("{}: #[path]", relative(&file)));
        }
        if file != builder && text.contains("CARGO_BIN_EXE_") {
            broken.push(format!(
                "{}: runs the binary without support::kiln::Test",
                relative(&file)
            ));
        }
    }
    assert!(broken.is_empty(), "{broken:#?}");
}

/// Every property test runs with `support::properties::config`, so its regressions are read
/// from (and written to) `AREA.proptest-regressions` beside it, and each such file belongs to
/// a module with property tests.
#[test]
fn property_tests_keep_their_regressions_beside_them() {
    let root = tests_dir().join("it");
    let this = root.join("layout.rs");
    let mut wrong = Vec::new();
    for file in rust_files(&root).into_iter().filter(|file| *file != this) {
        let text = std::fs::read_to_string(&file).unwrap();
        let configured = text
            .matches("#![proptest_config(properties::config(")
            .count();
        if text.matches("proptest! {").count() != configured {
            wrong.push(format!(
                "{}: a `proptest!` block without `#![proptest_config(properties::config(N))]`",
                relative(&file)
            ));
        }
    }
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        if path
            .extension()
            .is_some_and(|e| e == "proptest-regressions")
        {
            let module = path.with_extension("rs");
            let text = std::fs::read_to_string(&module).unwrap_or_default();
            if !text.contains("proptest! {") {
                wrong.push(format!("{}: no property test beside it", relative(&path)));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
