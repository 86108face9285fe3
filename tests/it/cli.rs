//! Command-line behaviour of `kiln check`, `kiln inventory`, `kiln init` and `kiln
//! completions`: output formats, exit codes, inventories from files, targets and programs.
//! Each test runs the real binary in a temporary directory (`support::kiln::Test`), and what
//! it printed is compared whole: with a snapshot in `snapshots/cli/` (`assert_output!`: the
//! exit code and both streams), with the exact text, or field by field for JSON.

use serde_json::Value;

use crate::support::kiln::Test;

/// Asserts a run (`support::kiln::Output`) against its snapshot, `snapshots/cli/<test>.snap`
/// (`<test>-2.snap` and so on for a test's later runs), or `snapshots/cli/<name>.snap`.
macro_rules! assert_output {
    ($output:expr) => {
        insta::with_settings!({
            snapshot_path => "snapshots/cli",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!($output.transcript());
        })
    };
    ($name:expr, $output:expr) => {
        insta::with_settings!({
            snapshot_path => "snapshots/cli",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!($name, $output.transcript());
        })
    };
}

const CLEAN_TOML: &str = r#"
[vars]
site = "example.org"

[[op]]
op = "apt.packages"
packages = ["nginx"]
notify = ["reload nginx"]

[[op]]
op = "files.line"
path = "/etc/nginx/conf.d/site.conf"
line = "server_name {{ site }};"
mode = "0644"
notify = ["reload nginx"]

[[handler]]
id = "reload nginx"
op = "systemd.service"
service = "nginx"
reloaded = true
"#;

const CLEAN_KDL: &str = r#"
vars {
    site "example.org"
}
apt.packages "nginx" notify="reload nginx"
files.line "/etc/nginx/conf.d/site.conf" line="server_name {{ site }};" mode="0644" notify="reload nginx"
handler "reload nginx" {
    systemd.service "nginx" reloaded=#true
}
"#;

/// One error (an integer mode) on line 4, column 8.
const BAD_MODE: &str = r#"[[op]]
op = "files.file"
path = "/etc/app.conf"
mode = 644
"#;

/// Only a warning: an unguarded command.
const WARNING_ONLY: &str = r#"[[op]]
op = "server.shell"
commands = ["systemctl daemon-reload"]
"#;

// --- kiln check: exit codes ---------------------------------------------------------------

#[test]
fn clean_manifest_exits_0() {
    let output = Test::new()
        .file("main.toml", CLEAN_TOML)
        .args(["check", "."])
        .run();
    output
        .assert_status(0)
        .assert_stdout("")
        .assert_stderr("checked 1 manifest (3 ops): 0 errors, 0 warnings\n");
}

#[test]
fn clean_kdl_manifest_exits_0() {
    let output = Test::new()
        .file("main.kdl", CLEAN_KDL)
        .args(["check", "main.kdl"])
        .run();
    output
        .assert_status(0)
        .assert_stdout("")
        .assert_stderr("checked 1 manifest (3 ops): 0 errors, 0 warnings\n");
}

#[test]
fn errors_exit_1() {
    let output = Test::new()
        .file("main.toml", BAD_MODE)
        .args(["check", "."])
        .run();
    assert_output!(output);
}

#[test]
fn warnings_exit_0_unless_denied() {
    let test = || Test::new().file("main.toml", WARNING_ONLY);
    assert_output!(test().args(["check", "."]).run());
    assert_output!(test().args(["check", "--deny-warnings", "."]).run());
}

#[test]
fn directory_without_a_manifest_fails_clearly() {
    let output = Test::new()
        .file("project/README", "nothing to see\n")
        .args(["check", "project"])
        .run();
    assert_output!(output);
}

#[test]
fn missing_manifest_file_fails_clearly() {
    let output = Test::new().args(["check", "nope.toml"]).run();
    assert_output!(output);
}

#[test]
fn every_manifest_given_is_checked() {
    let output = Test::new()
        .file("a/main.toml", CLEAN_TOML)
        .file("b/main.kdl", CLEAN_KDL)
        .file("c.toml", BAD_MODE)
        .args(["check", "a", "b", "c.toml"])
        .run();
    assert_output!(output);
}

#[test]
fn extra_vars_define_variables() {
    let manifest = r#"[[op]]
op = "files.line"
path = "/etc/motd"
line = "{{ greeting }}"
"#;
    let test = || Test::new().file("main.toml", manifest);
    assert_output!(test().args(["check", "."]).run());
    test()
        .args(["check", "-e", "greeting=hello", "."])
        .run()
        .assert_status(0)
        .assert_stderr("checked 1 manifest (1 ops): 0 errors, 0 warnings\n");
}

#[test]
fn inventory_beside_the_manifest_is_used_for_limits() {
    let manifest = r#"[[op]]
op = "apt.packages"
packages = ["nginx"]
hosts = ["web2"]
"#;
    let output = Test::new()
        .file("main.toml", manifest)
        .file("inventory.toml", "[hosts.web1]\naddress = \"10.0.0.1\"\n")
        .args(["check", "."])
        .run();
    assert_output!(output);
}

// --- kiln check: output formats --------------------------------------------------------------

#[test]
fn json_format_has_code_line_and_column() {
    let output = Test::new()
        .file("main.toml", BAD_MODE)
        .args(["check", "--format", "json", "."])
        .run();
    output.assert_status(1);
    let json = output.json();
    let items = json.as_array().expect("a JSON array");
    assert_eq!(items.len(), 1, "{json:#}");
    let d = &items[0];
    assert_eq!(d["code"], "kiln::invalid-mode");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "main.toml");
    assert_eq!(d["line"], 4);
    assert_eq!(d["column"], 8);
    assert_eq!(d["end_line"], 4);
    assert_eq!(d["end_column"], 11);
    assert_eq!(d["message"], "a file mode must be a string");
    assert_eq!(d["help"], "write `\"0644\"`");
    assert_eq!(d["labels"][0]["line"], 4);
    assert!(
        !output.stdout.contains("checked 1 manifest"),
        "the summary is for people, not in JSON"
    );
}

#[test]
fn json_format_is_an_empty_array_when_clean() {
    let output = Test::new()
        .file("main.kdl", CLEAN_KDL)
        .args(["check", "--format", "json", "."])
        .run();
    output.assert_status(0);
    assert_eq!(output.json(), serde_json::json!([]));
}

#[test]
fn json_format_lists_every_label() {
    let manifest = r#"[[op]]
op = "apt.packages"
id = "packages"
packages = ["nginx"]

[[op]]
op = "apt.packages"
id = "packages"
packages = ["curl"]
"#;
    let output = Test::new()
        .file("main.toml", manifest)
        .args(["check", "--format", "json", "."])
        .run();
    output.assert_status(1);
    let json = output.json();
    let d = &json[0];
    assert_eq!(d["code"], "kiln::duplicate-id");
    assert_eq!(d["line"], 8);
    let labels: Vec<(i64, &str)> = d["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["line"].as_i64().unwrap(), l["label"].as_str().unwrap()))
        .collect();
    assert_eq!(
        labels,
        [(8, "used again here"), (3, "first used here")],
        "{json:#}"
    );
}

#[test]
fn github_format_emits_workflow_commands() {
    let manifest = format!("{BAD_MODE}\n{WARNING_ONLY}");
    let output = Test::new()
        .file("main.toml", manifest)
        .args(["check", "--format", "github", "."])
        .run();
    // One line per diagnostic; the help is on a second line of the message (`%0A`).
    assert_output!(output);
}

#[test]
fn github_format_is_empty_when_clean() {
    let output = Test::new()
        .file("main.toml", CLEAN_TOML)
        .args(["check", "--format", "github", "."])
        .run();
    output.assert_status(0).assert_stdout("");
}

// --- kiln inventory ------------------------------------------------------------------------

/// Every level sets `level`; each host sees a different winner.
const INVENTORY: &str = r#"
[vars]
level = "all"
only_all = "all"

[hosts.web1]
address = "10.0.0.1"
port = 2222
user = "deploy"
vars = { level = "host" }

[hosts.web2]
address = "10.0.0.2"

[hosts.web3]
address = "10.0.0.3"

[hosts.db1]
address = "10.0.0.10"

[groups.web]
hosts = ["web1", "web3"]
children = ["edge"]
vars = { level = "group", only_group = "web" }

[groups.edge]
hosts = ["web2"]
vars = { level = "child group" }
"#;

fn host<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["hosts"]
        .as_array()
        .expect("hosts")
        .iter()
        .find(|h| h["name"] == name)
        .unwrap_or_else(|| panic!("no host {name} in {json:#}"))
}

#[test]
fn inventory_merges_variables_by_precedence() {
    let output = Test::new()
        .file("inv.toml", INVENTORY)
        .args(["inventory", "-i", "inv.toml", "--format", "json"])
        .run();
    output.assert_status(0);
    let json = output.json();

    // all < group < child group < host
    let db1 = host(&json, "db1");
    assert_eq!(db1["vars"]["level"], "all");
    assert_eq!(db1["var_origins"]["level"], "inventory");
    assert_eq!(db1["groups"], serde_json::json!(["all"]));

    let web3 = host(&json, "web3");
    assert_eq!(web3["vars"]["level"], "group");
    assert_eq!(web3["var_origins"]["level"], "group web");

    let web2 = host(&json, "web2");
    assert_eq!(web2["vars"]["level"], "child group");
    assert_eq!(web2["var_origins"]["level"], "group edge");
    assert_eq!(
        web2["groups"],
        serde_json::json!(["all", "web", "edge"]),
        "a child group's hosts are in its parent too"
    );
    assert_eq!(web2["vars"]["only_group"], "web");

    let web1 = host(&json, "web1");
    assert_eq!(web1["vars"]["level"], "host");
    assert_eq!(web1["var_origins"]["level"], "host");
    assert_eq!(web1["vars"]["only_all"], "all");
    assert_eq!(web1["vars"]["only_group"], "web");
    assert_eq!(web1["target"], "ssh://deploy@10.0.0.1:2222");
    assert_eq!(web1["connector"], "ssh");
}

#[test]
fn extra_vars_win_over_every_inventory_level() {
    let output = Test::new()
        .file("inv.toml", INVENTORY)
        .args(["inventory", "-i", "inv.toml", "-e", "level=cli"])
        .args(["-e", r#"{"port": 8080}"#, "--format", "json"])
        .run();
    output.assert_status(0);
    let json = output.json();
    for name in ["web1", "web2", "web3", "db1"] {
        let host = host(&json, name);
        assert_eq!(host["vars"]["level"], "cli", "{name}");
        assert_eq!(host["var_origins"]["level"], "-e", "{name}");
        assert_eq!(host["vars"]["port"], 8080, "{name}");
    }
}

/// `--limit` keeps hosts by name or group, with wildcards and `!` exclusions, the same in
/// `inventory`, `emit`, `plan` and `apply`; a pattern that matches nothing is an error.
#[test]
fn limit_selects_hosts_by_name_group_and_pattern() {
    let hosts = |limit: &str| -> Vec<String> {
        let output = Test::new()
            .file("inv.toml", INVENTORY)
            .args([
                "inventory",
                "-i",
                "inv.toml",
                "--format",
                "json",
                "--limit",
                limit,
            ])
            .run();
        output.assert_status(0);
        output.json()["hosts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(hosts("db1"), ["db1"]);
    assert_eq!(hosts("edge"), ["web2"]);
    assert_eq!(
        hosts("web,!web1"),
        ["web2", "web3"],
        "a child group's hosts are in `web`"
    );
    assert_eq!(hosts("web?,!edge"), ["web1", "web3"]);

    Test::new()
        .file("inv.toml", INVENTORY)
        .args(["inventory", "-i", "inv.toml", "-l", "wbe1"])
        .run()
        .assert_status(1)
        .assert_stdout("")
        .assert_stderr(
            "kiln: --limit: `wbe1` matches no host and no group of the inventory \
             (did you mean `web1`?)\n",
        );

    let emitted = Test::new()
        .file("inv.toml", INVENTORY)
        .file(
            "main.toml",
            "[[op]]\nop = \"files.directory\"\npath = \"/srv/app\"\n",
        )
        .args([
            "emit",
            "main.toml",
            "-i",
            "inv.toml",
            "-l",
            "edge,db*",
            "-o",
            "out",
        ])
        .run();
    emitted.assert_status(0);
    let mut scripts: Vec<String> = std::fs::read_dir(emitted.tempdir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    scripts.sort();
    assert_eq!(scripts, ["db1.sh", "web2.sh"]);
}

#[test]
fn inventory_human_output_shows_hosts_and_merged_vars() {
    let output = Test::new()
        .file("inv.toml", INVENTORY)
        .args(["inventory", "-i", "inv.toml"])
        .run();
    assert_output!(output);
}

#[test]
fn kdl_inventory_reads_like_toml() {
    let inventory = r#"
vars {
    level "all"
}
host "web1" address="10.0.0.1" {
    vars {
        level "host"
    }
}
host "web2" address="10.0.0.2"
group "web" {
    hosts "web1" "web2"
    vars {
        level "group"
    }
}
"#;
    let output = Test::new()
        .file("inv.kdl", inventory)
        .args(["inventory", "-i", "inv.kdl", "--format", "json"])
        .run();
    output.assert_status(0);
    let json = output.json();
    assert_eq!(host(&json, "web1")["vars"]["level"], "host");
    assert_eq!(host(&json, "web2")["vars"]["level"], "group");
    assert_eq!(json["groups"], serde_json::json!(["all", "web"]));
}

#[test]
fn command_line_targets_resolve() {
    let output = Test::new()
        .args(["inventory", "-i", "@local", "-i", "ssh://u@h:2222"])
        .args([
            "-i",
            "@chroot/srv/x",
            "-i",
            "@docker/web",
            "--format",
            "json",
        ])
        .run();
    output.assert_status(0);
    let json = output.json();
    let targets: Vec<(&str, &str, &str)> = json["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["name"].as_str().unwrap(),
                h["target"].as_str().unwrap(),
                h["connector"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        targets,
        [
            ("@local", "@local", "local"),
            ("ssh://u@h:2222", "ssh://u@h:2222", "ssh"),
            ("@chroot/srv/x", "@chroot/srv/x", "chroot"),
            ("@docker/web", "@docker/web", "docker"),
        ]
    );
}

#[test]
fn no_inventory_means_local() {
    let output = Test::new().args(["inventory", "--format", "json"]).run();
    output.assert_status(0);
    let json = output.json();
    assert_eq!(json["hosts"][0]["target"], "@local");
    assert_eq!(json["hosts"].as_array().unwrap().len(), 1);
}

#[test]
fn invalid_target_is_refused() {
    let output = Test::new().args(["inventory", "-i", "@lxc/x"]).run();
    assert_output!(output);
    assert_eq!(output.stdout, "", "no hosts are printed on error");

    // `kiln check` refuses it the same way.
    let output = Test::new()
        .file("main.toml", CLEAN_TOML)
        .args(["check", "-i", "@lxc/x", "."])
        .run();
    assert_output!(output);
}

#[test]
fn invalid_ssh_port_is_refused() {
    let output = Test::new()
        .args(["inventory", "-i", "ssh://web:99999"])
        .run();
    assert_output!(output);
}

#[test]
fn dynamic_inventory_program_is_run_with_list() {
    let program = r#"#!/bin/sh
# An inventory program is called with --list, as in Ansible.
[ "$1" = "--list" ] || { echo "expected --list, got: $*" >&2; exit 2; }
cat <<'JSON'
{
  "vars": {"level": "all"},
  "hosts": {
    "db1": {"address": "10.1.1.1", "port": 2200, "vars": {"role": "primary"}},
    "db2": {"address": "10.1.1.2"}
  },
  "groups": {
    "dbs": {"hosts": ["db1", "db2"], "vars": {"level": "group"}}
  }
}
JSON
"#;
    let output = Test::new()
        .executable("inventory.sh", program)
        .args(["inventory", "-i", "inventory.sh", "--format", "json"])
        .run();
    output.assert_status(0);
    let json = output.json();
    assert_eq!(json["groups"], serde_json::json!(["all", "dbs"]));
    let db1 = host(&json, "db1");
    assert_eq!(db1["target"], "ssh://10.1.1.1:2200");
    assert_eq!(db1["vars"]["role"], "primary");
    assert_eq!(db1["vars"]["level"], "group");
    assert_eq!(
        host(&json, "db2")["groups"],
        serde_json::json!(["all", "dbs"])
    );
}

#[test]
fn failing_dynamic_inventory_is_a_clear_error() {
    let program = "#!/bin/sh\necho 'cannot reach the CMDB' >&2\nexit 1\n";
    let output = Test::new()
        .executable("inventory.sh", program)
        .args(["inventory", "-i", "inventory.sh"])
        .run();
    // The program's own stderr is passed through.
    assert_output!(output);
}

#[test]
fn dynamic_inventory_printing_bad_json_is_a_clear_error() {
    let program = "#!/bin/sh\necho '{\"hosts\": {\"web1\": }}'\n";
    let output = Test::new()
        .executable("inventory.sh", program)
        .args(["inventory", "-i", "inventory.sh"])
        .run();
    assert_output!(output);
}

#[test]
fn inventory_errors_fail_the_command() {
    let inventory = r#"
[hosts.web1]
address = "10.0.0.1"

[groups.web]
hosts = ["web1", "web9"]
"#;
    let output = Test::new()
        .file("inv.toml", inventory)
        .args(["inventory", "-i", "inv.toml"])
        .run();
    assert_output!(output);
}

#[test]
fn missing_inventory_file_is_refused() {
    let output = Test::new()
        .args(["inventory", "-i", "inventories/prod.toml"])
        .run();
    assert_output!(output);
}

#[test]
fn output_names_files_relative_to_the_working_directory() {
    let output = Test::new()
        .file("site/main.toml", BAD_MODE)
        .args(["check", "site"])
        .run();
    assert_output!(output);
    assert!(!output.mentions_tempdir(), "{}", output.stderr);
}

#[test]
fn bad_usage_exits_2() {
    let output = Test::new().args(["check", "--format", "xml", "."]).run();
    output.assert_status(2);
}

// --- kiln emit: values refused -------------------------------------------------------------

/// Values that a program on the host would run as code are refused when the script is made,
/// each pointing at its argument: a `\%` cron would read as an escaped `%`, and values that
/// git (`--upload-pack=CMD`) or nc (`-e CMD`) would take for an option.
#[test]
fn values_that_would_run_as_code_are_refused_at_emit() {
    let manifest = r#"[[op]]
op = "server.crontab"
command = "date +\\%F > /tmp/date"

[[op]]
op = "git.repo"
repo = "https://example.org/app.git"
dest = "/srv/app"
rev = "--upload-pack=touch /tmp/pwned"

[[op]]
op = "server.wait"
port = 80
host = "-e/bin/sh"
"#;
    assert_output!(
        Test::new()
            .file("main.toml", manifest)
            .args(["emit", "main.toml"])
            .run()
    );
}

// --- kiln init, kiln completions ------------------------------------------------------------

/// `kiln init` writes a project in either spelling that checks clean and applies (here to
/// a scratch `root`); it never overwrites anything.
#[test]
fn init_makes_a_project_that_checks_and_applies() {
    for (flag, manifest) in [(None, "main.toml"), (Some("--kdl"), "main.kdl")] {
        let mut test = Test::new().args(["init", "proj"]);
        if let Some(flag) = flag {
            test = test.arg(flag);
        }
        let output = test.run();
        assert_output!(format!("init-{manifest}"), output);
        let dir = output.tempdir.path().join("proj");
        assert!(dir.join(manifest).is_file(), "{manifest}");
        assert!(dir.join("templates/motd.j2").is_file());

        let kiln = |args: &[&str]| {
            Test::new()
                .current_dir(output.tempdir.path())
                .args(args.iter().copied())
                .run()
        };
        kiln(&["check", "proj", "--deny-warnings"]).assert_status(0);
        let root = output.tempdir.path().join("root");
        kiln(&[
            "apply",
            "proj",
            "-y",
            "-e",
            &format!("root={}", root.display()),
        ])
        .assert_status(0);
        let motd = std::fs::read_to_string(root.join("etc/motd")).unwrap();
        assert!(motd.starts_with("Hello from localhost ("), "{motd}");

        let before = std::fs::read_to_string(dir.join(manifest)).unwrap();
        assert_output!(format!("init-{manifest}-again"), kiln(&["init", "proj"]));
        assert_eq!(std::fs::read_to_string(dir.join(manifest)).unwrap(), before);
        assert!(
            !dir.join(if flag.is_some() {
                "main.toml"
            } else {
                "main.kdl"
            })
            .exists()
        );
    }
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    for shell in ["bash", "zsh", "fish"] {
        assert_output!(
            format!("completions-{shell}"),
            Test::new().args(["completions", shell]).run()
        );
    }
}
