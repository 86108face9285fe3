//! Op fixtures: `fixtures/ops/<op>/<case>/` drive these tests, so adding a case needs no code.
//!
//! A case directory holds:
//! - `main.toml`: the ops, with every path under `{{ root }}` (the sandbox);
//! - `before/`: the sandbox's starting files (optional; empty when absent);
//! - `after/`: what the sandbox must hold after one apply;
//! - `expect.toml` (optional): `fails = true` when the first apply must fail (and leave
//!   `after/`), `modes = { "path" = "0644" }` to check permission bits after the first
//!   apply (a failing one too: what it must not have changed).
//!
//! For each case: the lowered script (ops only, sandbox path shown as `/ROOT`) is a
//! snapshot; then under every shell of the matrix, from `before/`: `--check` reports changes
//! and changes nothing; apply gives exactly `after/`; a second apply changes nothing.

use std::path::{Path, PathBuf};

use crate::support::kiln::Test;
use crate::support::shells::{SHELLS, run_script, shell_name, summary};
use crate::support::tree::{self, Entry, copy_tree, read_tree, tree_diff};

#[derive(Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    #[serde(default)]
    fails: bool,
    #[serde(default)]
    modes: std::collections::BTreeMap<String, String>,
}

fn cases() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ops");
    let mut cases = Vec::new();
    for op in std::fs::read_dir(&root).unwrap() {
        let op = op.unwrap().path();
        for case in std::fs::read_dir(&op).unwrap() {
            let case = case.unwrap().path();
            let name = format!(
                "{}__{}",
                op.file_name().unwrap().to_string_lossy(),
                case.file_name().unwrap().to_string_lossy()
            );
            cases.push((name, case));
        }
    }
    cases.sort();
    cases
}

/// Emits the case's script for `@local` with `root` set to `sandbox`.
fn emit(case: &Path, sandbox: &Path) -> String {
    let output = Test::new()
        .current_dir(case)
        .args(["emit", "main.toml", "-i", "@local", "-e"])
        .arg(format!("root={}", sandbox.display()))
        .run();
    output.assert_status(0);
    output.stdout
}

/// The script from its first step on, with the sandbox path made stable.
fn lowered(script: &str, sandbox: &Path) -> String {
    let start =
        script.find("k_begin \"$@\"\n").expect("script has k_begin") + "k_begin \"$@\"\n".len();
    script[start..].replace(&sandbox.display().to_string(), "/ROOT")
}

fn reset(sandbox: &Path, case: &Path) {
    if sandbox.exists() {
        std::fs::remove_dir_all(sandbox).unwrap();
    }
    std::fs::create_dir_all(sandbox).unwrap();
    let before = case.join("before");
    if before.exists() {
        copy_tree(&before, sandbox);
    }
}

#[test]
fn op_fixtures() {
    let cases = cases();
    assert!(!cases.is_empty(), "no op fixtures found");
    let mut failures = Vec::new();
    for (name, case) in &cases {
        let temp = tempfile::tempdir().unwrap();
        let sandbox = temp.path().join("root");
        let script_path = temp.path().join("script.sh");
        let script = emit(case, &sandbox);
        std::fs::write(&script_path, &script).unwrap();
        insta::with_settings!({ snapshot_path => "snapshots/ops", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(name.as_str(), lowered(&script, &sandbox));
        });
        let expect: Expect = match std::fs::read_to_string(case.join("expect.toml")) {
            Ok(text) => toml::from_str(&text).unwrap_or_else(|e| panic!("{name}/expect.toml: {e}")),
            Err(_) => Expect::default(),
        };
        let after = read_tree(&case.join("after"));
        for shell in SHELLS {
            let sh = shell_name(shell);
            if let Err(problem) = run_case(shell, &script_path, &sandbox, case, &after, &expect) {
                failures.push(format!("{name} under {sh}: {problem}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn run_case(
    shell: &[&str],
    script: &Path,
    sandbox: &Path,
    case: &Path,
    after: &std::collections::BTreeMap<String, Entry>,
    expect: &Expect,
) -> Result<(), String> {
    let text = |o: &std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };
    reset(sandbox, case);
    let before = read_tree(sandbox);
    let check = run_script(shell, script, &["--check"], sandbox);
    if read_tree(sandbox) != before {
        return Err(format!(
            "--check changed the sandbox:\n{}",
            tree_diff(&before, &read_tree(sandbox))
        ));
    }
    let first = run_script(shell, script, &[], sandbox);
    let tree = read_tree(sandbox);
    if tree != *after {
        return Err(format!(
            "after apply, the sandbox differs:\n{}\noutput:\n{}",
            tree_diff(after, &tree),
            text(&first)
        ));
    }
    if expect.fails {
        return if first.status.code() == Some(1) {
            modes_match(sandbox, expect)
        } else {
            Err(format!(
                "expected the apply to fail, it exited {:?}:\n{}",
                first.status.code(),
                text(&first)
            ))
        };
    }
    if !first.status.success() {
        return Err(format!(
            "apply exited {:?}:\n{}",
            first.status.code(),
            text(&first)
        ));
    }
    let (_, would_change, _, _) = summary(&String::from_utf8_lossy(&check.stdout));
    let (_, changed, _, _) = summary(&String::from_utf8_lossy(&first.stdout));
    if would_change != changed {
        return Err(format!(
            "--check said {would_change} would change, apply changed {changed}:\n{}",
            text(&check)
        ));
    }
    modes_match(sandbox, expect)?;
    let second = run_script(shell, script, &[], sandbox);
    let (_, changed_again, failed, _) = summary(&String::from_utf8_lossy(&second.stdout));
    if changed_again != 0 || failed != 0 || !second.status.success() {
        return Err(format!(
            "the second apply was not a no-op:\n{}",
            text(&second)
        ));
    }
    if read_tree(sandbox) != *after {
        return Err("the second apply changed the sandbox".into());
    }
    Ok(())
}

/// The permission bits `expect.toml` asks for.
fn modes_match(sandbox: &Path, expect: &Expect) -> Result<(), String> {
    for (path, mode) in &expect.modes {
        let actual = tree::mode(&sandbox.join(path));
        if actual != *mode {
            return Err(format!("{path}: mode {actual}, expected {mode}"));
        }
    }
    Ok(())
}
