//! Fusion (`src/emit/fuse.rs`): a script whose runs of edits of one file, directories and
//! absent files are fused ends in the same state, and reports every op the same way (status
//! lines in order, notes, check-mode diffs, handlers, the summary), as the same script
//! emitted with `--no-fuse`, under every shell.

use std::path::Path;

use crate::support::kiln::Test;
use crate::support::need::{Need, require};
use crate::support::shells::{SHELLS, run_script, shell_name};
use crate::support::tree::read_tree;

/// Edits of two files interleaved, with a `when` decided on the host inside a run (false,
/// so skipped) and one that holds, handlers notified from inside runs, a run broken by an
/// op of the other file, directories and absent files. `FAMILY` is this machine's
/// `os.family`.
const MANIFEST: &str = r##"
[[op]]
op = "files.directory"
path = "{{ root }}/d/one"

[[op]]
op = "files.directory"
path = "{{ root }}/d/two"

[[op]]
op = "files.line"
path = "{{ root }}/a.conf"
line = "a1"
create = true

[[op]]
op = "files.line"
path = "{{ root }}/a.conf"
line = "a2"
create = true
notify = ["a-changed"]

[[op]]
op = "files.line"
path = "{{ root }}/a.conf"
line = "never"
create = true
when = "facts.os.family == 'plan9'"

[[op]]
op = "files.block"
path = "{{ root }}/a.conf"
marker = "# {mark} managed"
block = "x = 1\ny = 2"
create = true

[[op]]
op = "files.line"
path = "{{ root }}/b.conf"
line = "b1"
create = true
notify = ["b-changed"]

[[op]]
op = "files.replace"
path = "{{ root }}/a.conf"
regexp = "^a1$"
replace = "a1 = on"

[[op]]
op = "files.line"
path = "{{ root }}/a.conf"
line = "a1 = on"
when = "facts.os.family == 'FAMILY'"
notify = ["a-changed"]

[[op]]
op = "files.file"
path = "{{ root }}/gone1"
present = false

[[op]]
op = "files.file"
path = "{{ root }}/gone2"
present = false

[[handler]]
id = "a-changed"
op = "server.shell"
commands = "echo a >> {{ root }}/handled"

[[handler]]
id = "b-changed"
op = "server.shell"
commands = "echo b >> {{ root }}/handled"
"##;

/// The script of `manifest` for a host whose facts are decided on it, with `root`; fused
/// unless `--no-fuse` is among `options`.
fn emit(dir: &Path, manifest: &str, root: &Path, options: &[&str]) -> String {
    std::fs::write(dir.join("main.toml"), manifest).unwrap();
    let output = Test::new()
        .current_dir(dir)
        .args(["emit", "main.toml", "-i", "ssh://nobody@192.0.2.1", "-e"])
        .arg(format!("root={}", root.display()))
        .args(options.iter().copied())
        .run();
    output.assert_status(0);
    output.stdout.clone()
}

/// What a script did from the state `given` makes: each run's standard output, standard
/// error and exit status, then the tree it left.
fn runs(
    shell: &[&str],
    script: &Path,
    root: &Path,
    given: &dyn Fn(&Path),
    args: &[&[&str]],
) -> String {
    if root.exists() {
        std::fs::remove_dir_all(root).unwrap();
    }
    std::fs::create_dir_all(root).unwrap();
    given(root);
    let mut said = String::new();
    for args in args {
        let output = run_script(shell, script, args, root);
        said.push_str(&format!(
            "$ {args:?}\n{}--- stderr\n{}--- status {:?}\n",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
            output.status.code()
        ));
    }
    said.push_str(&format!("{:#?}", read_tree(root)));
    said
}

/// The fused script and the unfused one, run from the same states, say and leave the same.
fn same_as_unfused(manifest: &str, given: &dyn Fn(&Path), args: &[&[&str]]) {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("root");
    let family = kiln::facts::local(&[]).unwrap().0["os"]["family"]
        .as_str()
        .unwrap()
        .to_owned();
    let manifest = manifest.replace("FAMILY", &family);
    let fused = temp.path().join("fused.sh");
    let unfused = temp.path().join("unfused.sh");
    std::fs::write(&fused, emit(temp.path(), &manifest, &root, &[])).unwrap();
    std::fs::write(
        &unfused,
        emit(temp.path(), &manifest, &root, &["--no-fuse"]),
    )
    .unwrap();
    let fused_text = std::fs::read_to_string(&fused).unwrap();
    assert!(
        fused_text.contains("\nk_fused_edits\n")
            && fused_text.contains("\nk_fused_directories\n")
            && fused_text.contains("\nk_fused_absent\n"),
        "runs are fused:\n{fused_text}"
    );
    assert!(
        !std::fs::read_to_string(&unfused)
            .unwrap()
            .contains("\nk_fused")
    );
    for shell in SHELLS {
        let name = shell_name(shell);
        let expected = runs(shell, &unfused, &root, given, args);
        let actual = runs(shell, &fused, &root, given, args);
        assert_eq!(
            actual, expected,
            "{name}: fused (left) and unfused (right) differ"
        );
    }
}

/// From nothing: apply, apply again (all ok), and check mode after.
#[test]
fn fused_runs_apply_and_report_as_unfused() {
    require!(Need::Shells);
    same_as_unfused(
        MANIFEST,
        &|root| {
            std::fs::write(root.join("gone1"), "x").unwrap();
        },
        &[&[], &[], &["--check"]],
    );
}

/// Check mode first, from files that exist (each op's own diff, against the file as it
/// is), with a CRLF file whose last line has no newline; then apply.
#[test]
fn fused_runs_check_and_keep_line_endings_as_unfused() {
    require!(Need::Shells);
    same_as_unfused(
        MANIFEST,
        &|root| {
            std::fs::write(root.join("a.conf"), "a0\r\na1").unwrap();
            std::fs::write(root.join("b.conf"), "b1\n").unwrap();
            std::fs::create_dir(root.join("d")).unwrap();
        },
        &[&["--check"], &[], &[]],
    );
}

/// An op that fails inside a run (a block whose closing marker is missing): the ops
/// before it are written, it fails, the rest are not run, the handlers of the changes
/// made still run, as unfused; a directory in the way of `rm -f` fails its op the same.
#[test]
fn a_failure_inside_a_run_is_reported_as_unfused() {
    require!(Need::Shells);
    same_as_unfused(
        MANIFEST,
        &|root| {
            std::fs::write(root.join("a.conf"), "# BEGIN managed\nz\n").unwrap();
        },
        &[&[], &["--check"]],
    );
    same_as_unfused(
        MANIFEST,
        &|root| {
            std::fs::create_dir(root.join("gone1")).unwrap();
            std::fs::write(root.join("gone2"), "x").unwrap();
        },
        &[&[]],
    );
}

/// `--no-fuse` is a debugging aid: it changes the script's text, not what it does (above).
#[test]
fn no_fuse_keeps_every_op_its_own_step() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("root");
    let script = emit(temp.path(), MANIFEST, &root, &["--no-fuse"]);
    assert_eq!(script.matches("\nk_step ").count(), 11 + 2, "{script}");
    let fused = emit(temp.path(), MANIFEST, &root, &[]);
    // Two directories; a.conf's first run of four (the `when` inside it), then b.conf's
    // one, then a.conf's two; two absent files.
    assert_eq!(
        fused.matches("\nk_fused ").count(),
        2 + 4 + 2 + 2,
        "{fused}"
    );
    assert_eq!(fused.matches("\nk_fused_edits\n").count(), 2, "{fused}");
}

/// What is never fused: an op as another user, sensitive, with `ignore_errors` or
/// `retries`, with a mode, a backup, an op skipped at emit time, or another path; each
/// such op ends a run, so the eligible ops between them stay alone.
#[test]
fn ops_that_cannot_be_fused_end_a_run() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("root");
    let line = |file: &str, extra: &str| {
        format!(
            "[[op]]\nop = \"files.line\"\npath = \"{{{{ root }}}}/{file}\"\nline = \"x\"\n{extra}\n"
        )
    };
    let breakers = [
        line("a", "sudo_user = \"nobody\""),
        line("a", "sensitive = true"),
        line("a", "ignore_errors = true"),
        line("a", "retries = 1"),
        line("a", "mode = \"0600\""),
        line("a", "backup = true"),
        line("a", "when = \"false\""),
        line("b", ""),
    ];
    let mut manifest = line("a", "");
    for breaker in &breakers {
        manifest.push_str(breaker);
        manifest.push_str(&line("a", ""));
    }
    let script = emit(temp.path(), &manifest, &root, &[]);
    assert!(!script.contains("\nk_fused"), "{script}");
    // The same ops without the breakers are one run.
    let plain: String = (0..=breakers.len()).map(|_| line("a", "")).collect();
    let script = emit(temp.path(), &plain, &root, &[]);
    assert_eq!(
        script.matches("\nk_fused ").count(),
        breakers.len() + 1,
        "{script}"
    );
}
