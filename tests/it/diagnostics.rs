//! The diagnostics corpus: every directory under `fixtures/diagnostics/` is a broken project
//! (`main.toml` or `main.kdl`, plus any files it needs). Each is checked with `kiln check .`
//! from a copy in a temporary directory, and its exit code and human output are snapshotted
//! in `tests/it/snapshots/<case>.snap`, one reviewable file per case.
//!
//! Adding a case is adding a directory: `build.rs` writes its test, `diagnostics::case::<case>`
//! (`-` written `_`). A case whose name ends in `-warning` must only warn: it exits 0, and 1
//! under `--deny-warnings`. Every other case must exit 1. A case that another command refuses
//! (`kiln bundle`) holds a file `command`: its lines are the arguments, instead of `check .`.
//!
//! Regenerate the snapshots with `INSTA_UPDATE=always cargo test --test it diagnostics::` (or
//! `cargo insta review`), then read every changed one.

use std::path::{Path, PathBuf};

use crate::support::kiln::Test;

/// The corpus is meant to cover every diagnostic; it should not shrink by accident.
const MIN_CASES: usize = 45;

// The generated tests, `diagnostics::case::<case>`, and `CASES` (see `build.rs`).
include!(concat!(env!("OUT_DIR"), "/diagnostic_cases.rs"));

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/diagnostics")
}

/// Every case directory, sorted.
fn cases() -> Vec<PathBuf> {
    let root = fixtures();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("read {}: {e}", root.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    cases
}

fn entry_file(case: &Path) -> PathBuf {
    ["main.toml", "main.kdl"]
        .iter()
        .map(|name| case.join(name))
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("{} has no main.toml or main.kdl", case.display()))
}

/// The arguments a case is run with: its file `command`, one a line, else `check .`.
fn command(case: &Path) -> Vec<String> {
    match std::fs::read_to_string(case.join("command")) {
        Ok(text) => text.lines().map(str::to_owned).collect(),
        Err(_) => vec!["check".into(), ".".into()],
    }
}

/// One case's test: its snapshot, and its exit codes.
fn check_case(name: &str) {
    if let Err(why) = check(&fixtures().join(name)) {
        panic!("{name}: {why}");
    }
}

/// Checks one case; `Err` describes what is wrong with it.
fn check(case: &Path) -> Result<(), String> {
    let name = case.file_name().unwrap().to_str().unwrap().to_owned();
    let entry = entry_file(case);
    let output = Test::new().copy_dir(case).args(command(case)).run();

    if output.mentions_tempdir() {
        return Err(format!(
            "output names the temporary directory:\n{}",
            output.stderr
        ));
    }
    let snapshot = format!("exit: {}\n{}", output.status, output.stderr);
    let relative_entry = entry
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(&entry)
        .to_path_buf();
    insta::with_settings!({
        prepend_module_to_snapshot => false,
        omit_expression => true,
        input_file => relative_entry,
    }, {
        insta::assert_snapshot!(name.as_str(), snapshot);
    });

    if name.ends_with("-warning") {
        if output.status != 0 {
            return Err(format!(
                "a warning-only case must exit 0, not {}:\n{}",
                output.status, output.stderr
            ));
        }
        if !output.stderr.contains(" ⚠ ") {
            return Err(format!(
                "a warning case shows no warning:\n{}",
                output.stderr
            ));
        }
        let denied = Test::new()
            .copy_dir(case)
            .args(["check", "--deny-warnings", "."])
            .run();
        if denied.status != 1 {
            return Err(format!(
                "under --deny-warnings a warning case must exit 1, not {}",
                denied.status
            ));
        }
    } else if output.status != 1 {
        return Err(format!(
            "a broken manifest must exit 1, not {}:\n{}",
            output.status, output.stderr
        ));
    }
    Ok(())
}

/// Every case has its own test: the cases `build.rs` wrote tests for are the directories
/// there are.
#[test]
fn every_case_has_a_test() {
    let on_disk: Vec<String> = cases()
        .iter()
        .map(|case| case.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(CASES, on_disk, "build.rs wrote tests for other cases");
}

/// The corpus covers every diagnostic, so it does not shrink by accident; case names say
/// what they show, and both spellings are well represented.
#[test]
fn corpus_shape() {
    let cases = cases();
    assert!(
        cases.len() >= MIN_CASES,
        "only {} cases in fixtures/diagnostics (expected at least {MIN_CASES})",
        cases.len()
    );
    let kdl = cases
        .iter()
        .filter(|case| entry_file(case).extension().is_some_and(|e| e == "kdl"))
        .count();
    assert!(kdl >= 20, "only {kdl} KDL cases (expected at least 20)");
    assert!(
        cases.len() - kdl >= 20,
        "only {} TOML cases (expected at least 20)",
        cases.len() - kdl
    );
    for case in &cases {
        let name = case.file_name().unwrap().to_str().unwrap();
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "case names are lowercase words joined by `-`: {name}"
        );
        let is_kdl = entry_file(case).extension().is_some_and(|e| e == "kdl");
        assert_eq!(
            is_kdl,
            name.contains("-kdl"),
            "{name}: KDL cases, and only they, have `-kdl` in their name"
        );
    }
}
