//! Op fixtures: `fixtures/ops/<op>/<case>/` drive these tests, so adding a case needs no code.
//!
//! A case directory holds:
//! - `main.toml`: the ops, with every path under `{{ root }}` (the sandbox);
//! - `before/`: the sandbox's starting files (optional; empty when absent);
//! - `after/`: what the sandbox must hold after one apply;
//! - `expect.toml` (optional): `fails = true` when the first apply must fail (and leave
//!   `after/`), `modes = { "path" = "0644" }` to check permission bits after the first
//!   apply (a failing one too: what it must not have changed), `links = { "path" = "/" }`
//!   for links `after/` must hold but a fixture cannot: one to a directory outside the
//!   fixture, which cargo would walk when it looks for new cases (`build.rs`), and
//!   `root = true` for a case only root can run (its snapshot names the user running it,
//!   `facts.user.name`, or its files are unreadable to others): skipped without root.
//!
//! Each case is a test of its own, `ops::<op>::<case>` (`.` and `-` written `_`), written
//! by `build.rs`: the lowered script (ops only, sandbox path shown as `/ROOT`) is a
//! snapshot; then under every shell of the matrix, from `before/`: `--check` reports changes
//! and changes nothing; apply gives exactly `after/`; a second apply changes nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::kiln::Test;
use crate::support::need::{Need, require};
use crate::support::shells::{SHELLS, run_script, shell_name, summary};
use crate::support::tree::{self, Entry, copy_tree, read_tree, tree_diff};

#[derive(Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    #[serde(default)]
    fails: bool,
    #[serde(default)]
    modes: BTreeMap<String, String>,
    #[serde(default)]
    links: BTreeMap<String, String>,
    #[serde(default)]
    root: bool,
}

// The generated tests, `ops::<op>::<case>`, and `CASES` (see `build.rs`).
include!(concat!(env!("OUT_DIR"), "/op_cases.rs"));

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ops")
}

/// Every case directory, as (op, case), sorted.
fn cases_on_disk() -> Vec<(String, String)> {
    let names = |dir: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let root = fixtures();
    names(&root)
        .into_iter()
        .flat_map(|op| {
            let cases = names(&root.join(&op));
            cases.into_iter().map(move |case| (op.clone(), case))
        })
        .collect()
}

/// No fixture holds a link to a directory outside it (`expect.toml`'s `links` stands for
/// one): cargo follows links when it looks for new cases, and would walk that directory on
/// every build.
#[test]
fn fixtures_link_to_no_directory_outside() {
    let root = fixtures().canonicalize().unwrap();
    let mut outside = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                dirs.push(path);
            } else if meta.is_symlink() {
                let resolved = path.canonicalize();
                if resolved.is_ok_and(|to| to.is_dir() && !to.starts_with(&root)) {
                    outside.push(path.strip_prefix(&root).unwrap().display().to_string());
                }
            }
        }
    }
    assert!(
        outside.is_empty(),
        "links to directories outside fixtures/ops (write them in expect.toml's `links`): {outside:?}"
    );
}

/// Every case has its own test: the cases `build.rs` wrote tests for are the directories
/// there are.
#[test]
fn every_case_has_a_test() {
    let on_disk = cases_on_disk();
    assert!(!on_disk.is_empty(), "no op fixtures found");
    let generated: Vec<(String, String)> = CASES
        .iter()
        .map(|(op, case)| (op.to_string(), case.to_string()))
        .collect();
    assert_eq!(generated, on_disk, "build.rs wrote tests for other cases");
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

/// One case (`fixtures/ops/<op>/<name>/`): its lowering snapshot, then its run under every
/// shell; every shell's failure is reported, not only the first.
fn case(op: &str, name: &str) {
    let case = fixtures().join(op).join(name);
    let expect: Expect = match std::fs::read_to_string(case.join("expect.toml")) {
        Ok(text) => {
            toml::from_str(&text).unwrap_or_else(|e| panic!("{op}/{name}/expect.toml: {e}"))
        }
        Err(_) => Expect::default(),
    };
    require!(Need::Shells);
    if expect.root {
        require!(Need::Root);
    }
    // In /tmp whatever `TMPDIR` says: the script shortens long op titles, so the snapshot
    // depends on the length of the sandbox's path.
    let temp = tempfile::tempdir_in("/tmp").unwrap();
    let sandbox = temp.path().join("root");
    let script_path = temp.path().join("script.sh");
    let script = emit(&case, &sandbox);
    std::fs::write(&script_path, &script).unwrap();
    insta::with_settings!({ snapshot_path => "snapshots/ops", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(format!("{op}__{name}"), lowered(&script, &sandbox));
    });
    let mut after = read_tree(&case.join("after"));
    after.extend(
        expect
            .links
            .iter()
            .map(|(path, target)| (path.clone(), Entry::Link(target.clone()))),
    );
    let failures: Vec<String> = SHELLS
        .iter()
        .filter_map(|shell| {
            run_case(shell, &script_path, &sandbox, &case, &after, &expect)
                .err()
                .map(|problem| format!("under {}: {problem}", shell_name(shell)))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{op}/{name} failed under {} of {} shells:\n{}",
        failures.len(),
        SHELLS.len(),
        failures.join("\n")
    );
}

fn run_case(
    shell: &[&str],
    script: &Path,
    sandbox: &Path,
    case: &Path,
    after: &BTreeMap<String, Entry>,
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
