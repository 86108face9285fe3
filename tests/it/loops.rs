//! Loops (`loop`, `loop_var`, `loop_label`) end to end: the ops a loop makes in the
//! script (ids, labels, the comment with the item), under the five shells; plan and apply
//! labels through the local target; `--start-at` an item; `--tags` on looped ops; items
//! that differ per host next to ops shared by every host. The op fixtures
//! `files.line/loop-over-a-map` and `files.directory/loop-in-an-include` run loops through
//! the ops harness too, and `fixtures/diagnostics/loop-*` show each misuse.

use crate::support::kiln::Test;
use crate::support::need::{Need, require};
use crate::support::shells::{each_shell, emit, stdout, summary};

/// A list from `vars` with `when` per item and a `loop_label`, a looped include whose ops
/// loop too (`loop_var`), an empty loop, and a handler two items notify.
const MANIFEST: &str = r#"[vars]
users = ["alice", "bob", "root"]

[[op]]
op = "files.line"
path = "{{ root }}/users"
line = "{{ loop_index }}:{{ item }}"
create = true
loop = "{{ users }}"
when = "item != 'root'"
notify = ["report"]

[[op]]
include = "site.toml"
loop = [{ name = "www", port = 80 }, { name = "api", port = 8080 }]
loop_label = "{{ item.name }}"

[[op]]
op = "files.directory"
path = "{{ root }}/never/{{ item }}"
loop = []

[[handler]]
id = "report"
op = "server.shell"
commands = "echo ran >> {{ root }}/handler-runs"
"#;

const SITE: &str = r#"[[op]]
op = "files.line"
path = "{{ root }}/ports"
line = "{{ item.name }}={{ item.port }}"
create = true

[[op]]
op = "files.directory"
path = "{{ root }}/{{ item.name }}-{{ dir }}"
loop = ["logs", "html"]
loop_var = "dir"
"#;

/// The project in a temporary directory.
fn project() -> Test {
    Test::new()
        .file("main.toml", MANIFEST)
        .file("site.toml", SITE)
}

/// The index and label of each op (and handler) `kiln emit` writes for `test` with `args`.
fn emitted_by(test: Test, args: &[&str]) -> Vec<String> {
    let output = test
        .args(["emit", "main.toml", "-i", "@local", "-e", "root=/r"])
        .args(args.iter().copied())
        .run();
    output.assert_status(0);
    output
        .stdout
        .lines()
        .filter_map(|line| {
            let rest = ["k_step ", "k_fused ", "k_skip "]
                .iter()
                .find_map(|call| line.strip_prefix(call))?;
            let (index, rest) = rest.split_once(' ')?;
            Some(format!("{index} {}", rest.split('\'').nth(1)?))
        })
        .collect()
}

/// The same for the project.
fn emitted(args: &[&str]) -> Vec<String> {
    emitted_by(project(), args)
}

#[test]
fn each_item_is_an_op_with_the_item_in_its_label_and_its_index() {
    assert_eq!(
        emitted(&[]),
        [
            "1_0 files.line /r/users (item=alice)",
            "1_1 files.line /r/users (item=bob)",
            "1_2 files.line /r/users (item=root)",
            // The include's ops for `www`, then for `api`.
            "2_0 files.line /r/ports (item=www)",
            "3_0 files.directory /r/www-logs (item=www, dir=logs)",
            "3_1 files.directory /r/www-html (item=www, dir=html)",
            "2_1 files.line /r/ports (item=api)",
            "3_2 files.directory /r/api-logs (item=api, dir=logs)",
            "3_3 files.directory /r/api-html (item=api, dir=html)",
            "h1 handler \"report\"",
        ]
    );
}

#[test]
fn the_comment_of_an_item_shows_its_item_when_and_notify() {
    let output = project()
        .args(["emit", "main.toml", "-i", "@local", "-e", "root=/r"])
        .run();
    output.assert_status(0);
    let script = &output.stdout;
    let start = script.find("\n# [1_0]").expect("the first item's comment");
    let end = script.find("\n# [2_0]").expect("the include's first op");
    insta::assert_snapshot!("loops-script-items", &script[start..end]);
    assert!(
        script.contains("if k_notified 'report'; then"),
        "the handler is named by its id"
    );
}

#[test]
fn a_looped_script_converges_under_every_shell_and_notifies_once() {
    require!(Need::Shells, Need::Shellcheck);
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("root");
    std::fs::write(temp.path().join("site.toml"), SITE).unwrap();
    let script = emit(temp.path(), MANIFEST, "@local", &root);
    each_shell(&script, &root, |shell, first, second| {
        assert_eq!(first.status.code(), Some(0), "{shell}: {}", stdout(first));
        let read = |name: &str| std::fs::read_to_string(root.join(name)).unwrap_or_default();
        assert_eq!(read("users"), "0:alice\n1:bob\n", "{shell}: root skipped");
        assert_eq!(read("ports"), "www=80\napi=8080\n", "{shell}");
        for dir in ["www-logs", "www-html", "api-logs", "api-html"] {
            assert!(root.join(dir).is_dir(), "{shell}: {dir}");
        }
        assert!(!root.join("never").exists(), "{shell}");
        assert_eq!(read("handler-runs"), "ran\n", "{shell}: notified once");
        // 8 ops changed and the handler ran; `root` skipped.
        assert_eq!(summary(&stdout(first)), (0, 9, 0, 1), "{shell}");
        assert_eq!(summary(&stdout(second)), (8, 0, 0, 1), "{shell}");
    });
}

#[test]
fn start_at_takes_an_item_of_a_loop() {
    assert_eq!(
        emitted(&["--start-at", "main.toml:4[1]"]),
        [
            "1_1 files.line /r/users (item=bob)",
            "1_2 files.line /r/users (item=root)",
            "2_0 files.line /r/ports (item=www)",
            "3_0 files.directory /r/www-logs (item=www, dir=logs)",
            "3_1 files.directory /r/www-html (item=www, dir=html)",
            "2_1 files.line /r/ports (item=api)",
            "3_2 files.directory /r/api-logs (item=api, dir=logs)",
            "3_3 files.directory /r/api-html (item=api, dir=html)",
            "h1 handler \"report\"",
        ]
    );
    // An op inside a looped include: the include's item, then the op's.
    assert_eq!(
        emitted(&["--start-at", "site.toml:7[1][0]"]),
        [
            // The ops before the include are left out: its ops are ops 1 and 2 now.
            "2_2 files.directory /r/api-logs (item=api, dir=logs)",
            "2_3 files.directory /r/api-html (item=api, dir=html)",
            "h1 handler \"report\"",
        ]
    );
    let output = project()
        .args(["emit", "main.toml", "-i", "@local", "-e", "root=/r"])
        .args(["--start-at", "main.toml:4[7]"])
        .run();
    output.assert_status(1);
    output.assert_stderr_contains("--start-at: this host's loops have no item `main.toml:4[7]`");
}

#[test]
fn tags_take_every_item_of_a_looped_op() {
    let manifest = MANIFEST.replace(
        "notify = [\"report\"]",
        "notify = [\"report\"]\ntags = [\"users\"]",
    );
    assert_eq!(
        emitted_by(project().file("main.toml", manifest), &["--tags", "users"]),
        [
            "1_0 files.line /r/users (item=alice)",
            "1_1 files.line /r/users (item=bob)",
            "1_2 files.line /r/users (item=root)",
            "h1 handler \"report\"",
        ]
    );
}

#[test]
fn plan_and_apply_report_each_item_and_the_handler_by_its_id() {
    let root = tempfile::tempdir().unwrap();
    let root_var = format!("root={}", root.path().display());
    for (command, statuses) in [
        ("plan", ["would-change", "would-change", "skipped"]),
        ("apply", ["changed", "changed", "skipped"]),
    ] {
        let output = project()
            .args([command, "main.toml", "-i", "@local", "--format", "json"])
            .args(["-e", &root_var])
            .args((command == "apply").then_some("-y"))
            .run();
        output.assert_status(0);
        let report = output.json();
        let ops = report["hosts"][0]["ops"].as_array().unwrap();
        let users: Vec<(&str, &str, &str)> = ops
            .iter()
            .take(3)
            .map(|op| {
                (
                    op["index"].as_str().unwrap(),
                    op["label"].as_str().unwrap(),
                    op["status"].as_str().unwrap(),
                )
            })
            .collect();
        let shown =
            |name: &str| format!("files.line {}/users (item={name})", root.path().display());
        let expected: Vec<(&str, String, &str)> = ["1_0", "1_1", "1_2"]
            .into_iter()
            .zip([shown("alice"), shown("bob"), shown("root")])
            .zip(statuses)
            .map(|((index, label), status)| (index, label, status))
            .collect();
        let users: Vec<(&str, String, &str)> = users
            .into_iter()
            .map(|(index, label, status)| (index, label.to_owned(), status))
            .collect();
        assert_eq!(users, expected, "{command}");
        let handler = ops.last().unwrap();
        assert_eq!(handler["label"], "handler \"report\"", "{command}");
        let ran = if command == "apply" {
            "changed"
        } else {
            "would-change"
        };
        assert_eq!(handler["status"], ran, "{command}");
    }
}

/// Hosts whose lists differ get their own items; the ops around the loop, alike on every
/// host, are still lowered once and stay right in each script.
#[test]
fn items_are_each_hosts_and_ops_after_a_loop_stay_shared() {
    let output = Test::new()
        .file(
            "main.toml",
            "[[op]]\nop = 'files.directory'\npath = '/srv/{{ item }}'\nloop = '{{ dirs }}'\n\n\
             [[op]]\nop = 'files.directory'\npath = '/srv/shared'\n",
        )
        .file(
            "inventory.toml",
            "[hosts.a]\naddress = 'a.example'\nvars = { dirs = ['x'] }\n\n\
             [hosts.b]\naddress = 'b.example'\nvars = { dirs = ['y', 'z'] }\n",
        )
        .args(["emit", ".", "-o", "out"])
        .run();
    output.assert_status(0);
    let steps = |host: &str| -> Vec<String> {
        let path = output.tempdir.path().join("out").join(format!("{host}.sh"));
        let script = std::fs::read_to_string(path).unwrap();
        script
            .lines()
            .filter_map(|line| line.strip_prefix("k_fused "))
            .map(|line| line.split(" --origin").next().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        steps("a"),
        [
            "1_0 'files.directory /srv/x (item=x)'",
            "2 'files.directory /srv/shared'"
        ]
    );
    assert_eq!(
        steps("b"),
        [
            "1_0 'files.directory /srv/y (item=y)'",
            "1_1 'files.directory /srv/z (item=z)'",
            "2 'files.directory /srv/shared'",
        ]
    );
}

/// Items made from a secret are never shown: labels and comments say `***`.
#[test]
fn secret_items_are_masked_in_labels_and_comments() {
    let output = Test::new()
        .file(
            "main.toml",
            "[secrets]\ntokens = ['t-one', 't-two']\n\n\
             [[op]]\nop = 'files.line'\npath = '/srv/tokens'\nline = 'x'\nloop = '{{ tokens }}'\n",
        )
        .args(["emit", "main.toml", "-i", "@local"])
        .run();
    output.assert_status(0);
    assert!(!output.stdout.contains("t-one") && !output.stdout.contains("t-two"));
    output.assert_stdout_contains("'files.line /srv/tokens (item=***)'");
    output.assert_stdout_contains("#     loop item = ***  (loop_index 1)");
}

/// What a loop goes over may come from the host: its inventory variables, or its facts
/// when they are known as the script is made; a host whose value is no list is refused.
#[test]
fn items_come_from_the_inventory_and_facts_and_a_value_that_is_no_list_is_refused() {
    let project = || {
        Test::new()
            .file(
                "main.toml",
                "[[op]]\nop = 'files.directory'\npath = '/srv/{{ item }}'\nloop = '{{ dirs }}'\n\n\
                 [[op]]\nop = 'files.directory'\npath = '/home/{{ item }}'\nloop = '{{ facts.users }}'\n",
            )
            .file("facts.json", r#"{"users": ["alice", "bob"]}"#)
    };
    let output = project()
        .file(
            "inventory.toml",
            "[hosts.a]\naddress = 'a.example'\nvars = { dirs = ['x'] }\n",
        )
        .args(["emit", ".", "--facts", "facts.json"])
        .run();
    output.assert_status(0);
    for label in [
        "/srv/x (item=x)",
        "/home/alice (item=alice)",
        "/home/bob (item=bob)",
    ] {
        output.assert_stdout_contains(&format!("'files.directory {label}'"));
    }
    let output = project()
        .file(
            "inventory.toml",
            "[hosts.a]\naddress = 'a.example'\nvars = { dirs = 'x' }\n",
        )
        .args(["emit", ".", "--facts", "facts.json"])
        .run();
    output.assert_status(1);
    output.assert_stderr_contains("kiln::invalid-loop");
    output.assert_stderr_contains("this loop goes over a string on this host, not a list or a map");
}
