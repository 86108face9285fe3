//! Results carried back (issue 16): the JSON report an emitted script writes of its own run
//! (`--report PATH`) is a live run's, and `kiln report show`/`merge` read any of them.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use serde_json::Value;

use crate::support::kiln::{Output, Test};
use crate::support::need::{Need, require};
use crate::support::shells::{SHELLS, run_script, shell_name};

/// Ops of every outcome, with labels a report must escape: changed, ok, skipped, failed,
/// then not run; quotes, a backslash, a tab, a control character and non-ASCII text.
const MANIFEST: &str = r#"[[op]]
op = "files.directory"
path = "{{ root }}/d"

[[op]]
op = "server.shell"
name = "say \"hi\" \\ tab	here, ünïcode ✓ \u0001"
commands = ["true"]
changed_when = "false"

[[op]]
op = "files.put"
dest = "{{ root }}/never"
content = "x"
when = "1 == 2"

[[op]]
op = "server.shell"
name = "fails"
commands = ["false"]

[[op]]
op = "files.put"
dest = "{{ root }}/after"
content = "x"
"#;

/// What a report's comparison holds: per host its name, target, status and counts, and
/// each op's index, status, label and origin (times, output and round trips are a
/// controller's).
fn essentials(report: &Value) -> Vec<Value> {
    let strip_op =
        |op: &Value| serde_json::json!([op["index"], op["status"], op["label"], op["origin"]]);
    let mut hosts: Vec<Value> = report["hosts"]
        .as_array()
        .expect("a report has hosts")
        .iter()
        .map(|host| {
            serde_json::json!({
                "host": host["host"], "target": host["target"], "status": host["status"],
                "ok": host["ok"], "changed": host["changed"], "failed": host["failed"],
                "skipped": host["skipped"], "not_run": host["not_run"],
                "ops": host["ops"].as_array().unwrap().iter().map(strip_op).collect::<Vec<_>>(),
            })
        })
        .collect();
    hosts.sort_by(|a, b| a["host"].as_str().cmp(&b["host"].as_str()));
    hosts
}

fn fresh(root: &Path) {
    if root.exists() {
        std::fs::remove_dir_all(root).unwrap();
    }
    std::fs::create_dir_all(root).unwrap();
}

#[test]
fn an_emitted_scripts_report_is_the_live_runs_under_every_shell() {
    require!(Need::Shells);
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("root");
    let root_var = format!("root={}", root.display());
    std::fs::write(temp.path().join("main.toml"), MANIFEST).unwrap();
    let kiln = |args: &[&str]| {
        Test::new()
            .current_dir(temp.path())
            .args(args.iter().copied())
            .args(["-i", "@local", "-e", &root_var])
            .run()
    };
    fresh(&root);
    let live = kiln(&["apply", "main.toml", "-y", "--format", "json"]);
    live.assert_status(1);
    let live = essentials(&live.json());
    assert_eq!(live[0]["status"], "failed", "{live:?}");
    assert_eq!(
        live[0]["ops"]
            .as_array()
            .unwrap()
            .iter()
            .map(|op| op[1].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["changed", "ok", "skipped", "failed", "not-run"]
    );
    let emitted = kiln(&["emit", "main.toml"]);
    emitted.assert_status(0);
    let script = temp.path().join("script.sh");
    std::fs::write(&script, &emitted.stdout).unwrap();
    for shell in SHELLS {
        fresh(&root);
        let report = temp.path().join("out/report.json");
        std::fs::create_dir_all(report.parent().unwrap()).unwrap();
        let run = run_script(
            shell,
            &script,
            &["--report", "out/report.json"],
            temp.path(),
        );
        assert_eq!(run.status.code(), Some(1), "{}", shell_name(shell));
        let text = std::fs::read_to_string(&report).unwrap();
        let written: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: not JSON ({e}):\n{text}", shell_name(shell)));
        assert_eq!(essentials(&written), live, "{}", shell_name(shell));
        let mode = std::fs::metadata(&report).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", shell_name(shell));
        std::fs::remove_file(&report).unwrap();
    }
}

/// The note a script prints under an op (here a would-fail reason in check mode, which
/// quotes a path holding a quote, a backslash and a line break) is in its report's `note`,
/// under every shell, as a live run's `kiln plan` reads it: whole, its line break too.
#[test]
fn an_emitted_scripts_report_carries_the_notes_a_live_run_reads() {
    require!(Need::Shells);
    let temp = tempfile::tempdir().unwrap();
    let missing = temp.path().join("say \"hi\" \\\nthere");
    let manifest = format!(
        "[[op]]\nop = \"files.line\"\npath = {}\nline = \"x\"\n",
        toml::Value::String(missing.display().to_string())
    );
    std::fs::write(temp.path().join("main.toml"), manifest).unwrap();
    let note = |report: &Value| report["hosts"][0]["ops"][0]["note"].clone();
    let plan = Test::new()
        .current_dir(temp.path())
        .args(["plan", "main.toml", "-i", "@local", "--format", "json"])
        .run();
    plan.assert_status(1);
    let live = note(&plan.json());
    assert_eq!(
        live,
        format!(
            "{} does not exist (create = true creates it)",
            missing.display()
        ),
        "the live run reads the whole note"
    );
    let emitted = Test::new()
        .current_dir(temp.path())
        .args(["emit", "main.toml"])
        .run();
    emitted.assert_status(0);
    let script = temp.path().join("script.sh");
    std::fs::write(&script, &emitted.stdout).unwrap();
    for shell in SHELLS {
        let run = run_script(
            shell,
            &script,
            &["--check", "--report", "report.json"],
            temp.path(),
        );
        assert_eq!(run.status.code(), Some(1), "{}", shell_name(shell));
        let text = std::fs::read_to_string(temp.path().join("report.json")).unwrap();
        let written: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(note(&written), live, "{}: {text}", shell_name(shell));
    }
}

/// `kiln report` in a directory holding `files` (name, text).
fn report(files: &[(&str, &str)], args: &[&str]) -> Output {
    files
        .iter()
        .fold(Test::new(), |test, (name, text)| test.file(name, text))
        .arg("report")
        .args(args.iter().copied())
        .run()
}

/// A one-host report, as a script writes it: `status` and, per op, (status, label).
fn host_report(host: &str, status: &str, ops: &[(&str, &str)]) -> String {
    let count = |wanted: &[&str]| ops.iter().filter(|(s, _)| wanted.contains(s)).count();
    let ops: Vec<Value> = ops
        .iter()
        .enumerate()
        .map(|(i, (status, label))| {
            serde_json::json!({"index": (i + 1).to_string(), "status": status, "label": label,
                "origin": format!("main.toml:{}", 4 * i + 1), "detail": "", "stderr": "", "note": "", "seconds": 0})
        })
        .collect();
    serde_json::json!({"hosts": [{"host": host, "target": format!("ssh://{host}"), "status": status,
        "ops": ops, "ok": count(&["ok"]), "changed": count(&["changed", "would-change"]),
        "failed": count(&["failed", "would-fail"]), "skipped": count(&["skipped"]),
        "not_run": count(&["not-run"]), "round_trips": 0, "seconds": 3, "error": null, "stderr": ""}]})
    .to_string()
}

#[test]
fn show_renders_reports_as_a_live_run_does() {
    let web = host_report(
        "web1",
        "changed",
        &[("changed", "files.put /etc/motd"), ("ok", "x")],
    );
    let db = host_report(
        "db1",
        "failed",
        &[("failed", "fails"), ("not-run", "after")],
    );
    let plan = host_report("app1", "would-change", &[("would-change", "files.put /a")]);
    let shown = report(
        &[("web.json", &web), ("db.json", &db), ("plan.json", &plan)],
        &["show", "web.json", "db.json", "plan.json"],
    );
    shown.assert_status(1).assert_stdout(
        "\ndb1 (ssh://db1)\n  failed        fails  [main.toml:1]\n  not-run       after  [main.toml:5]\n\
         \napp1 (ssh://app1)\n  would-change  files.put /a  [main.toml:1]\n  0 ok, 1 to change, 0 skipped\n\
         \nweb1                     changed (1 ok, 1 changed, 0 failed, 0 skipped)\n\
         db1                      failed (0 ok, 0 changed, 1 failed, 0 skipped, 1 not run)\n\
         app1                     would-change (0 ok, 1 to change, 0 failed, 0 skipped)\n\
         3 hosts, 1 failed\n",
    );
    // `-v`: every op of an applied host, ok ones too.
    report(&[("web.json", &web)], &["show", "-v", "web.json"])
        .assert_status(0)
        .assert_stdout(
            "\nweb1 (ssh://web1)\n  changed       files.put /etc/motd  [main.toml:1]\n  ok            x  [main.toml:5]\n\
             \nweb1                     changed (1 ok, 1 changed, 0 failed, 0 skipped)\n1 hosts, 0 failed\n",
        );
}

#[test]
fn merge_combines_hosts_with_applys_exit_status() {
    let web = host_report("web1", "changed", &[("changed", "files.put /etc/motd")]);
    let db = host_report("db1", "ok", &[("ok", "x")]);
    let failed = host_report("db2", "failed", &[("failed", "fails")]);
    let files = [
        ("web.json", web.as_str()),
        ("db.json", &db),
        ("bad.json", &failed),
    ];

    let merged = report(
        &files,
        &["merge", "web.json", "db.json", "--format", "json"],
    );
    merged.assert_status(0);
    let merged = merged.json();
    let hosts: Vec<&str> = merged["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["host"].as_str().unwrap())
        .collect();
    assert_eq!(hosts, ["web1", "db1"]);

    report(&files, &["merge", "web.json", "db.json", "bad.json"])
        .assert_status(1)
        .assert_stdout(
            "\nweb1                     changed (0 ok, 1 changed, 0 failed, 0 skipped)\n\
             db1                      ok (1 ok, 0 changed, 0 failed, 0 skipped)\n\
             db2                      failed (0 ok, 0 changed, 1 failed, 0 skipped)\n\
             3 hosts, 1 failed\n",
        );
}

/// `-i`/`--limit`: the inventory the runs were for. A host of it with no report (a shard
/// that never reported) fails the merge, whatever the others say; a report of a host not
/// in it is refused.
#[test]
fn merge_against_the_inventory_fails_for_a_host_without_a_report() {
    let web = host_report("web1", "ok", &[("ok", "x")]);
    let db = host_report("db1", "ok", &[("ok", "x")]);
    let inventory = "[hosts.web1]\n[hosts.db1]\n[hosts.db2]\n";
    let files = [
        ("web.json", web.as_str()),
        ("db.json", &db),
        ("inventory.toml", inventory),
    ];
    report(
        &files,
        &["merge", "web.json", "db.json", "-i", "inventory.toml"],
    )
    .assert_status(1)
    .assert_stdout(
        "\nweb1                     ok (1 ok, 0 changed, 0 failed, 0 skipped)\n\
             db1                      ok (1 ok, 0 changed, 0 failed, 0 skipped)\n\
             2 hosts, 0 failed\n",
    )
    .assert_stderr("kiln: report merge: db2: no report (its run never reported)\n");
    report(
        &files,
        &[
            "merge",
            "web.json",
            "db.json",
            "-i",
            "inventory.toml",
            "--limit",
            "!db2",
        ],
    )
    .assert_status(0)
    .assert_stderr("");
    report(
        &files,
        &[
            "merge",
            "web.json",
            "db.json",
            "-i",
            "inventory.toml",
            "-l",
            "web1",
        ],
    )
    .assert_status(2)
    .assert_stdout("")
    .assert_stderr("kiln: report merge: not hosts of the inventory (after --limit): db1\n");
}

#[test]
fn merge_refuses_a_host_in_two_files_naming_both() {
    let web = host_report("web1", "ok", &[]);
    let out = report(
        &[
            ("a.json", &web),
            ("b.json", &web),
            ("c.json", "{\"hosts\": 3}"),
        ],
        &["merge", "a.json", "b.json"],
    );
    out.assert_status(2).assert_stdout("").assert_stderr(
        "kiln: report: host `web1` is in both a.json and b.json: each host's report must come \
         from one run (were two shards given the same K/N, or one file twice?)\n",
    );
    report(&[("c.json", "{\"hosts\": 3}")], &["show", "c.json"])
        .assert_status(2)
        .assert_stderr_contains("kiln: report: c.json:1:");
}

/// `-o`: the merged report, whole and private, replacing a link planted at the path
/// rather than writing through it.
#[test]
fn merge_writes_its_output_privately_and_never_through_a_link() {
    let web = host_report("web1", "ok", &[]);
    let test = Test::new()
        .file("web.json", &web)
        .file("victim", "theirs\n");
    std::os::unix::fs::symlink("victim", test.path().join("merged.json")).unwrap();
    let out = test
        .args(["report", "merge", "web.json", "-o", "merged.json"])
        .run();
    out.assert_status(0);
    let dir = out.tempdir.path();
    assert_eq!(
        std::fs::read_to_string(dir.join("victim")).unwrap(),
        "theirs\n"
    );
    let merged = dir.join("merged.json");
    let meta = std::fs::symlink_metadata(&merged).unwrap();
    assert!(meta.is_file(), "the link was replaced");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let text: Value = serde_json::from_str(&std::fs::read_to_string(merged).unwrap()).unwrap();
    assert_eq!(text["hosts"][0]["host"], "web1");
}
