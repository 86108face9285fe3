//! Registered results and guards in emitted scripts and live runs (issue 14, item 2):
//! `register` with `when` over its fields, its values inside later shell commands, a value
//! that must not be pasted into the script (quotes, newlines, `$(...)`, backslashes),
//! `changed_when`, `failed_when`, `creates` and `unless`; under the five shells, and applied
//! live through the local target; and what cannot be translated refused at emit time.

use std::path::Path;

use crate::support::kiln::Test;
use crate::support::need::{Need, require};
use crate::support::shells;

/// A project under `{{ root }}`: a command registers hard output, which a later command
/// copies (once: `creates`) and a `when` tests; a command that exits 3 is judged by
/// `failed_when`; a command skipped by `when` registers a skipped result; `unless` and
/// `changed_when` keep the rest converged.
const MANIFEST: &str = r#"
[[op]]
op = "server.shell"
commands = ["printf '%s\\n' \"it's\" 'a \"q\" $(touch {{ root }}/pwned) \\\\ back' ''"]
register = "hard"
changed_when = "false"

[[op]]
op = "server.shell"
commands = ["printf '[%s]' {{ hard.stdout }} > {{ root }}/copy"]
creates = "{{ root }}/copy"
when = "'$(touch' in hard.stdout and hard.rc == 0 and hard is not changed"

[[op]]
op = "server.shell"
commands = ["exit 3"]
register = "three"
failed_when = "three.rc != 3"
changed_when = "false"

[[op]]
op = "server.shell"
commands = ["echo never > {{ root }}/never"]
register = "never"
when = "three is failed or three.stdout != ''"

[[op]]
op = "server.shell"
commands = ["echo {{ never.skipped }} {{ three.rc }} {{ three.failed }} > {{ root }}/flags"]
unless = "test -e {{ root }}/flags"
when = "never is skipped"
"#;

fn project(dir: &Path) {
    std::fs::write(dir.join("main.toml"), MANIFEST).unwrap();
}

/// What the project leaves under `root`: the output copied exactly (its last newlines
/// dropped, as Ansible's `stdout`), never run as code; the flags.
fn assert_converged(root: &Path, context: &str) {
    assert_eq!(
        std::fs::read_to_string(root.join("copy")).unwrap(),
        "[it's\na \"q\" $(touch ROOT/pwned) \\\\ back]"
            .replace("ROOT", &root.display().to_string()),
        "{context}"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("flags")).unwrap(),
        "1 3 0\n",
        "{context}"
    );
    assert!(!root.join("pwned").exists(), "{context}");
    assert!(!root.join("never").exists(), "{context}");
}

#[test]
fn registered_results_decide_and_feed_later_ops_under_every_shell() {
    require!(Need::Shells, Need::Shellcheck);
    for shell in shells::SHELLS {
        let name = shells::shell_name(shell);
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path().join("root");
        std::fs::create_dir(&root).unwrap();
        project(temp.path());
        let output = Test::new()
            .current_dir(temp.path())
            .args(["emit", "main.toml", "-i", "ssh://nobody@192.0.2.1", "-e"])
            .arg(format!("root={}", root.display()))
            .run();
        let script = temp.path().join("script.sh");
        std::fs::write(&script, &output.assert_status(0).stdout).unwrap();
        // The value is never pasted into the script: it holds the variable's name only.
        assert!(!output.stdout.contains("[%s]' 'it"), "{}", output.stdout);
        // A registered value needs no facts: none are gathered.
        assert!(!output.stdout.contains("k_gather"));
        shells::shellcheck(&script);

        let first = shells::run_script(shell, &script, &[], temp.path());
        let out = String::from_utf8_lossy(&first.stdout);
        assert_eq!(first.status.code(), Some(0), "{name}: {out}");
        // ok (judged unchanged), changed, ok (exit 3 is no failure), skipped, changed.
        assert_eq!(shells::summary(&out), (2, 2, 0, 1), "{name}: {out}");
        assert_converged(&root, &name);

        let second = shells::run_script(shell, &script, &[], temp.path());
        let out = String::from_utf8_lossy(&second.stdout);
        assert_eq!(shells::summary(&out), (4, 0, 0, 1), "{name}, again: {out}");

        // Check mode runs the command that never changes anything, and plans the rest.
        let check = shells::run_script(shell, &script, &["--check"], temp.path());
        let out = String::from_utf8_lossy(&check.stdout);
        assert_eq!(
            shells::summary(&out),
            (4, 0, 0, 1),
            "{name}, --check: {out}"
        );
    }
}

#[test]
fn registered_results_hold_in_a_live_run() {
    require!(Need::Shells);
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("root");
    std::fs::create_dir(&root).unwrap();
    project(temp.path());
    let apply = |format: &str| {
        Test::new()
            .current_dir(temp.path())
            .args(["apply", ".", "-i", "@local", "-y", "--format", format, "-e"])
            .arg(format!("root={}", root.display()))
            .run()
    };
    let first = apply("json");
    first.assert_status(0);
    let host = &first.json()["hosts"][0];
    assert_eq!(
        (
            &host["ok"],
            &host["changed"],
            &host["failed"],
            &host["skipped"]
        ),
        (&2.into(), &2.into(), &0.into(), &1.into()),
        "{}",
        first.stdout
    );
    assert_converged(&root, "live");
    let second = apply("json");
    assert_eq!(second.json()["hosts"][0]["changed"], 0, "{}", second.stdout);
}

#[test]
fn a_failed_when_fails_the_op_and_halts_the_run() {
    require!(Need::Shells);
    let output = Test::new()
        .file(
            "main.toml",
            "[[op]]\nop = \"server.shell\"\ncommands = [\"echo 'ERROR: disk'\"]\nregister = \"r\"\nfailed_when = \"'ERROR' in r.stdout\"\n\n\
             [[op]]\nop = \"server.shell\"\ncommands = [\"true\"]\nwhen = \"r is succeeded\"\n",
        )
        .args(["apply", ".", "-i", "@local", "-y"])
        .run();
    output.assert_status(1);
    let report = output.normalized(&output.stdout);
    assert!(report.contains("failed"), "{report}");
    assert!(report.contains("ERROR: disk"), "{report}");
    assert!(report.contains("1 not run"), "{report}");
}

#[test]
fn what_the_host_cannot_decide_exactly_is_refused_at_emit_time() {
    for (condition, says) in [
        ("r.rc > 0", "`>` is not supported"),
        ("r.stdout_lines == []", "`r.stdout_lines` is not a field"),
        ("r.stdout | length > 2", "`|` is not supported"),
        ("r is defined", "`r is defined` is not supported"),
    ] {
        let output = Test::new()
            .file(
                "main.toml",
                format!(
                    "[[op]]\nop = \"server.shell\"\ncommands = [\"true\"]\nregister = \"r\"\nchanged_when = \"false\"\n\n\
                     [[op]]\nop = \"server.shell\"\ncommands = [\"true\"]\nwhen = \"{condition}\"\n"
                ),
            )
            .args(["emit", "main.toml", "-i", "ssh://nobody@192.0.2.1"])
            .run();
        output.assert_status(1);
        output.assert_stderr_contains("kiln::invalid-when");
        output.assert_stderr_contains(says);
    }
}

/// `run_once`: in emitted scripts, the op runs on the first host of the run (inventory
/// order) that its `groups` let it run on, and the others skip it, saying where it runs;
/// `--limit` makes the run smaller, and its first host the one.
#[test]
fn run_once_runs_on_the_first_host_it_applies_to() {
    const MANIFEST: &str = "[[op]]\nop = \"server.shell\"\ncommands = [\"migrate\"]\nrun_once = true\ngroups = [\"app\"]\n";
    const INVENTORY: &str = "[hosts.db]\naddress = \"10.0.0.1\"\n[hosts.app1]\naddress = \"10.0.0.2\"\n[hosts.app2]\naddress = \"10.0.0.3\"\n\n[groups.app]\nhosts = [\"app1\", \"app2\"]\n";
    let all = Test::new()
        .file("main.toml", MANIFEST)
        .file("inventory.toml", INVENTORY)
        .args(["emit", ".", "-o", "out"])
        .run();
    all.assert_status(0);
    let script = |host: &str| {
        std::fs::read_to_string(all.tempdir.path().join(format!("out/{host}.sh"))).unwrap()
    };
    assert!(script("app1").contains("k_step 1 'server.shell migrate'"));
    for host in ["db", "app2"] {
        let text = script(host);
        assert!(text.contains("k_skip 1 'server.shell migrate'"), "{text}");
    }
    assert!(script("app2").contains("# skipped: run_once: runs on app1 only"));
    // A run without app1: app2 is its first host the op applies to.
    let limited = Test::new()
        .file("main.toml", MANIFEST)
        .file("inventory.toml", INVENTORY)
        .args(["emit", ".", "-l", "app2"])
        .run();
    limited.assert_status(0);
    limited.assert_stdout_contains("k_step 1 'server.shell migrate'");
}

/// `run_once` in a live run: of two hosts (both this machine, through the local
/// connector), only the first runs the op.
#[test]
fn run_once_runs_once_in_a_live_run() {
    require!(Need::Shells);
    let test = Test::new();
    let dir = test.path().to_owned();
    let output = test
        .file(
            "main.toml",
            "[[op]]\nop = \"server.shell\"\ncommands = [\"echo {{ host.name }} >> ran\"]\nchdir = \"{{ dir }}\"\nrun_once = true\n",
        )
        .file(
            "inventory.toml",
            "[hosts.first]\nconnector = \"local\"\n[hosts.second]\nconnector = \"local\"\n",
        )
        .args(["apply", ".", "-y", "--format", "json", "-e"])
        .arg(format!("dir={}", dir.display()))
        .run();
    output.assert_status(0);
    assert_eq!(std::fs::read_to_string(dir.join("ran")).unwrap(), "first\n");
    let json = output.json();
    let changed: Vec<(String, u64)> = json["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["host"].as_str().unwrap_or_default().to_owned(),
                h["changed"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(changed.contains(&("first".to_owned(), 1)), "{changed:?}");
    assert!(changed.contains(&("second".to_owned(), 0)), "{changed:?}");
}

/// A judge that reads facts makes the script gather them, as a `when` over facts does; one
/// over registered results alone does not.
#[test]
fn a_judge_over_facts_gathers_them() {
    let emit = |failed_when: &str| {
        let output = Test::new()
            .file(
                "main.toml",
                format!("[[op]]\nop = \"server.shell\"\ncommands = [\"true\"]\nregister = \"r\"\nfailed_when = \"{failed_when}\"\n"),
            )
            .args(["emit", "main.toml", "-i", "ssh://nobody@192.0.2.1"])
            .run();
        output.assert_status(0);
        output.stdout.contains("k_facts=$(k_gather)")
    };
    assert!(emit("r.rc != 0 and facts.os.family == 'debian'"));
    assert!(!emit("r.rc != 0"));
}

/// A command whose `when` reads a registered result is guarded by it (Ansible's idiom: one
/// command checks, the next acts only when the check says so): `kiln check` does not warn
/// that it runs on every apply; the same command without that `when` is warned about.
#[test]
fn a_when_over_a_registered_result_guards_a_command() {
    let manifest = |when: &str| {
        format!(
            "[[op]]\nop = \"server.shell\"\ncommands = [\"grep -c weak /etc/app.conf\"]\n\
             register = \"weak\"\nchanged_when = \"false\"\n\n\
             [[op]]\nop = \"server.shell\"\ncommands = [\"sed -i /weak/d /etc/app.conf\"]\n{when}"
        )
    };
    let check = |manifest: String| {
        Test::new()
            .file("main.toml", manifest)
            .args(["check", "main.toml"])
            .run()
    };
    check(manifest("when = \"weak.stdout != '0'\"\n"))
        .assert_status(0)
        .assert_stderr_contains("0 errors, 0 warnings");
    check(manifest("when = \"facts.os.family == 'debian'\"\n"))
        .assert_status(0)
        .assert_stderr_contains("kiln::unguarded-command");
}
