//! Partial runs (`--tags`, `--skip-tags`, `--start-at`) on `emit`, `plan` and `apply`:
//! which ops a script holds, as Ansible selects them (`always`, `never`, tags inherited
//! from an include), and the errors for a tag or an id the manifest does not have.

use crate::support::kiln::Test;

/// Five ops (`a` untagged, `b` web, `c` db, `d` always, `e` never+debug), the last two
/// through an include whose tag `inc` they inherit.
fn project() -> Test {
    Test::new()
        .file(
            "main.toml",
            "[[op]]\nop = 'server.shell'\nname = 'a'\ncommands = 'true'\n\n\
             [[op]]\nop = 'server.shell'\nname = 'b'\ncommands = 'true'\ntags = ['web']\n\n\
             [[op]]\nop = 'server.shell'\nname = 'c'\ncommands = 'true'\ntags = ['db']\nid = 'the-db-op'\n\n\
             [[op]]\ninclude = 'more.toml'\ntags = ['inc']\n",
        )
        .file(
            "more.toml",
            "[[op]]\nop = 'server.shell'\nname = 'd'\ncommands = 'true'\ntags = ['always']\n\n\
             [[op]]\nop = 'server.shell'\nname = 'e'\ncommands = 'true'\ntags = ['never', 'debug']\n",
        )
}

/// The names of the ops in the script `kiln emit` writes with `args`.
fn emitted(args: &[&str]) -> Vec<String> {
    let output = project()
        .args(["emit", "main.toml", "-i", "@local"])
        .args(args.iter().copied())
        .run();
    output.assert_status(0);
    output
        .stdout
        .lines()
        .filter_map(|line| line.strip_prefix("k_step "))
        .map(|line| line.split('\'').nth(1).unwrap().to_owned())
        .collect()
}

#[test]
fn tags_select_ops_as_ansible_does() {
    assert_eq!(
        emitted(&[]),
        ["a", "b", "c", "d"],
        "`never` ops only when asked"
    );
    assert_eq!(emitted(&["--tags", "web"]), ["b", "d"], "`always` ops run");
    assert_eq!(emitted(&["--tags", "debug"]), ["d", "e"]);
    assert_eq!(emitted(&["--tags", "web,db"]), ["b", "c", "d"]);
    assert_eq!(
        emitted(&["--tags", "inc"]),
        ["d", "e"],
        "an include's tags are its ops'"
    );
    assert_eq!(emitted(&["--tags", "untagged"]), ["a", "d"]);
    assert_eq!(emitted(&["--tags", "tagged"]), ["b", "c", "d"]);
    assert_eq!(emitted(&["--skip-tags", "db"]), ["a", "b", "d"]);
    assert_eq!(emitted(&["--skip-tags", "always"]), ["a", "b", "c"]);
    assert_eq!(emitted(&["--tags", "web", "--skip-tags", "inc"]), ["b"]);
}

#[test]
fn start_at_leaves_out_the_ops_before_an_id() {
    assert_eq!(emitted(&["--start-at", "the-db-op"]), ["c", "d"]);
    assert_eq!(emitted(&["--start-at", "main.toml:6"]), ["b", "c", "d"]);
}

#[test]
fn a_tag_or_an_id_nothing_has_is_an_error_with_a_suggestion() {
    let output = project()
        .args(["emit", "main.toml", "-i", "@local", "--tags", "webb"])
        .run();
    output.assert_status(1);
    assert!(
        output
            .stderr
            .contains("--tags: no op has the tag `webb` (did you mean `web`?)"),
        "{}",
        output.stderr
    );
    let output = project()
        .args(["emit", "main.toml", "-i", "@local", "--skip-tags", "nope"])
        .run();
    output.assert_status(1);
    assert!(
        output
            .stderr
            .contains("--skip-tags: no op has the tag `nope`")
    );
    let output = project()
        .args([
            "emit",
            "main.toml",
            "-i",
            "@local",
            "--start-at",
            "the-db-opp",
        ])
        .run();
    output.assert_status(1);
    assert!(
        output
            .stderr
            .contains("--start-at: no op has the id `the-db-opp` (did you mean `the-db-op`?)"),
        "{}",
        output.stderr
    );
}

#[test]
fn plan_and_apply_take_the_selection() {
    for command in ["plan", "apply"] {
        let output = project()
            .args([
                command,
                "main.toml",
                "-i",
                "@local",
                "--format",
                "json",
                "--tags",
                "db",
            ])
            .args((command == "apply").then_some("-y"))
            .run();
        output.assert_status(0);
        let report: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
        let labels: Vec<&str> = report["hosts"][0]["ops"]
            .as_array()
            .unwrap()
            .iter()
            .map(|op| op["label"].as_str().unwrap())
            .collect();
        assert_eq!(labels, ["c", "d"], "{command}");
    }
}
