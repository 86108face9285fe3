//! Variables as the real binary binds them: a value that is one whole `{{ expression }}`
//! keeps its type (a list stays a list, in arguments and in variables made from others),
//! a value of the wrong shape is refused rather than coerced, cycles and runaway expansion
//! are errors at check time (and at emit, for values only the inventory gives), no
//! template text reaches a script, and a value that needs facts nobody gave says so.

use crate::support::kiln::{Output, Test};

/// Runs `kiln ARGS` on a project whose `main.toml` is `manifest`.
fn kiln(manifest: &str, args: &[&str]) -> Output {
    Test::new()
        .file("main.toml", manifest)
        .args(args.iter().copied())
        .run()
}

/// The emitted script, which must have been emitted.
fn script(manifest: &str, args: &[&str]) -> String {
    let mut all = vec!["emit", "."];
    all.extend_from_slice(args);
    let output = kiln(manifest, &all);
    output.assert_status(0);
    output.stdout
}

/// The line of `script` that runs the op's action for `needle`.
fn line_with<'a>(script: &'a str, needle: &str) -> &'a str {
    script
        .lines()
        .find(|line| line.contains(needle) && !line.starts_with('#'))
        .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{script}"))
}

#[test]
fn a_list_variable_used_whole_is_a_list() {
    let script = script(
        r#"
[vars]
base = ["curl", "vim"]
extra = ["git"]
web = false
# Chosen and joined by a template: still a list.
sys_packages = "{{ base + extra if not web else base }}"

[[op]]
op = "apt.packages"
packages = "{{ sys_packages }}"
"#,
        &[],
    );
    let install = line_with(&script, "k_packages --manager apt");
    assert!(
        install.ends_with("-- 'curl' 'vim' 'git'"),
        "one word per package:\n{install}"
    );
    assert!(!script.contains("['curl'"), "no Python list text");
}

#[test]
fn a_list_made_from_variables_runs_as_argv_and_converges() {
    let project = Test::new().file(
        "main.toml",
        r#"
[vars]
touch = ["touch", "--"]
target = "made by kiln"
argv = "{{ touch + [root ~ '/' ~ target] }}"

[[op]]
op = "server.command"
argv = "{{ argv }}"
creates = "{{ root }}/{{ target }}"
"#,
    );
    let dir = project.path().to_path_buf();
    let root = dir.join("root");
    std::fs::create_dir(&root).unwrap();
    let apply = || {
        Test::new()
            .args(["apply", dir.to_str().unwrap(), "-y", "-e"])
            .arg(format!("root={}", root.display()))
            .run()
    };
    let first = apply();
    first
        .assert_status(0)
        .assert_stdout_contains("(0 ok, 1 changed,");
    assert!(
        root.join("made by kiln").is_file(),
        "the list was the command, its last item one argument:\n{}",
        first.stdout
    );
    let second = apply();
    second
        .assert_status(0)
        .assert_stdout_contains("(1 ok, 0 changed,");
}

#[test]
fn wrong_shapes_are_refused_at_emit_with_the_hosts_values() {
    // The inventory gives the values, so only binding knows their types.
    let inventory = r#"
[hosts.web]
address = "127.0.0.1"
vars = { one = "curl", many = ["curl", "vim"] }
"#;
    let run = |op: &str| {
        Test::new()
            .file("main.toml", op)
            .file("inventory.toml", inventory)
            .args(["emit", "."])
            .run()
    };
    let string_for_list = run("[[op]]\nop = \"apt.packages\"\npackages = \"{{ one }}\"\n");
    string_for_list
        .assert_status(1)
        .assert_stderr_contains("kiln::wrong-type")
        .assert_stderr_contains("this renders to a string, not a list of string");
    let list_for_string =
        run("[[op]]\nop = \"files.line\"\npath = \"/etc/motd\"\nline = \"{{ many }}\"\n");
    list_for_string
        .assert_status(1)
        .assert_stderr_contains("kiln::wrong-type")
        .assert_stderr_contains("this renders to a list, not a string");
    assert!(!list_for_string.stdout.contains("['curl'"));
}

#[test]
fn whole_expressions_keep_integers_and_booleans() {
    let script = script(
        r#"
[vars]
port = 8080
ports = { http = 8080 }

[[op]]
op = "server.wait"
port = "{{ ports.http }}"
timeout = "{{ port // 1000 }}"
"#,
        &[],
    );
    assert!(
        script.contains("8080"),
        "the integer became the port:\n{script}"
    );
}

#[test]
fn a_cycle_is_an_error_at_check_and_emit_and_no_template_text_is_emitted() {
    let manifest = r#"
[vars]
a = "{{ b }}-A"
b = "{{ a }}-B"

[[op]]
op = "server.shell"
commands = ["echo {{ a }}"]
creates = "/etc/a"
"#;
    for command in ["check", "emit"] {
        let output = kiln(manifest, &[command, "."]);
        output
            .assert_status(1)
            .assert_stderr_contains("kiln::variable-cycle")
            .assert_stderr_contains("variables `a` and `b` are defined from each other");
        assert!(!output.stdout.contains("{{"), "{}", output.stdout);
    }
}

#[test]
fn a_cycle_through_the_inventory_is_an_error_at_emit() {
    let output = Test::new()
        .file(
            "main.toml",
            "[vars]\nurl = \"https://{{ site }}\"\n\n[[op]]\nop = \"files.line\"\npath = \"/etc/motd\"\nline = \"{{ url }}\"\n",
        )
        .file(
            "inventory.toml",
            "[hosts.web]\naddress = \"127.0.0.1\"\nvars = { site = \"{{ url }}/x\" }\n",
        )
        .args(["emit", "."])
        .run();
    output
        .assert_status(1)
        .assert_stderr_contains("kiln::variable-cycle");
    assert!(!output.stdout.contains("{{"));
}

#[test]
fn doubling_variables_are_refused_quickly() {
    let mut manifest = String::from("[vars]\nv0 = \"0123456789abcdef\"\n");
    for i in 1..40 {
        manifest.push_str(&format!(
            "v{i} = \"{{{{ v{} }}}}{{{{ v{} }}}}\"\n",
            i - 1,
            i - 1
        ));
    }
    manifest
        .push_str("\n[[op]]\nop = \"files.line\"\npath = \"/etc/motd\"\nline = \"{{ v39 }}\"\n");
    let started = std::time::Instant::now();
    for command in ["check", "emit"] {
        kiln(&manifest, &[command, "."])
            .assert_status(1)
            .assert_stderr_contains("kiln::template-limit")
            .assert_stderr_contains("variable `v15` would expand to more than 1 MiB");
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_runaway_value_from_the_inventory_is_refused_at_emit() {
    // Check cannot see this one: the inventory's value repeats the manifest's.
    let output = Test::new()
        .file(
            "main.toml",
            "[vars]\nbig = \"{% for i in range(100000) %}{{ chunk }}{% endfor %}\"\n\n[[op]]\nop = \"files.line\"\npath = \"/etc/motd\"\nline = \"{{ big }}\"\n",
        )
        .file(
            "inventory.toml",
            "[hosts.web]\naddress = \"127.0.0.1\"\nvars = { chunk = \"0123456789abcdef0123456789abcdef\" }\n",
        )
        .args(["emit", "."])
        .run();
    output
        .assert_status(1)
        .assert_stderr_contains("kiln::template-limit")
        .assert_stderr_contains("it renders to more than 1 MiB");
}

#[test]
fn missing_facts_are_reported_as_missing_facts() {
    let output = kiln(
        r#"
[vars]
family = "{{ facts.os.family }}"

[[op]]
op = "files.line"
path = "/etc/motd"
line = "{{ family }}"
"#,
        &["emit", ".", "-i", "ssh://root@127.0.0.1:1"],
    );
    output
        .assert_status(1)
        .assert_stderr_contains("kiln::missing-facts")
        .assert_stderr_contains("variable `family` uses the host's facts")
        .assert_stderr_contains("--facts");
    assert!(!output.stderr.contains("cycle"), "{}", output.stderr);

    let in_an_argument = kiln(
        "[[op]]\nop = \"files.line\"\npath = \"/etc/motd\"\nline = \"{{ facts.os.family }}\"\n",
        &["emit", ".", "-i", "ssh://root@127.0.0.1:1"],
    );
    in_an_argument
        .assert_status(1)
        .assert_stderr_contains("kiln::missing-facts")
        .assert_stderr_contains("this value uses the host's facts");
}

#[test]
fn a_list_made_from_a_secret_stays_secret() {
    let script = script(
        r#"
[vars]
keys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPublic user@host"]
all_keys = "{{ keys + [deploy_key] }}"

[secrets]
deploy_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAISecretDeployKey deploy@ci"

[[op]]
op = "server.authorized_keys"
user = "root"
keys = "{{ all_keys }}"
"#,
        &[],
    );
    let comments: String = script
        .lines()
        .filter(|line| line.starts_with('#') || line.contains("k_step"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(comments.contains("keys = ***"), "{comments}");
    assert!(!comments.contains("SecretDeployKey"), "{comments}");
}

#[test]
fn variables_from_the_command_line_in_a_cycle_bind_nothing() {
    // Nothing in a file to point at: the op says its variables cannot be rendered, and no
    // script is written.
    let output = kiln(
        "[[op]]\nop = \"files.line\"\npath = \"/etc/motd\"\nline = \"{{ a }}\"\n",
        &["emit", ".", "-e", "a={{ b }}", "-e", "b={{ a }}"],
    );
    output
        .assert_status(1)
        .assert_stderr_contains("kiln::variable-cycle")
        .assert_stderr_contains("the variables this op sees cannot be rendered");
    assert!(!output.stdout.contains("k_step"), "{}", output.stdout);
}

#[test]
fn runaway_templates_carry_their_own_code() {
    for (line, detail) in [
        (
            "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
            "recursion limit exceeded",
        ),
        (
            "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
            "ran out of fuel",
        ),
    ] {
        let manifest =
            format!("[[op]]\nop = \"files.line\"\npath = \"/etc/motd\"\nline = \"{line}\"\n");
        let output = kiln(&manifest, &["emit", "."]);
        output
            .assert_status(1)
            .assert_stderr_contains("kiln::template-limit")
            .assert_stderr_contains(detail);
        assert!(
            !output.stderr.contains("undefined-variable"),
            "{}",
            output.stderr
        );
    }
}

#[test]
fn a_whole_expression_in_a_command_is_still_one_quoted_word_unless_safe() {
    let script = script(
        r#"
[vars]
cmd = "touch /tmp/a b"

[[op]]
op = "server.shell"
commands = ["{{ cmd | safe }}", "{{ cmd }}"]
creates = "/x"
"#,
        &[],
    );
    assert!(
        script.contains(r#"--shell -- 'touch /tmp/a b' ''\''touch /tmp/a b'\'''"#),
        "{script}"
    );
}

#[test]
fn a_cycle_through_the_command_line_points_at_the_manifest() {
    let output = kiln(
        "[vars]\nb = \"{{ a }}-B\"\n\n[[op]]\nop = \"files.line\"\npath = \"/etc/motd\"\nline = \"{{ b }}\"\n",
        &["emit", ".", "-e", "a={{ b }}-A"],
    );
    output
        .assert_status(1)
        .assert_stderr_contains("kiln::variable-cycle")
        .assert_stderr_contains("variables `b` and `a` are defined from each other")
        .assert_stderr_contains("uses `a`");
}

#[test]
fn white_space_around_one_value_is_part_of_it() {
    let project = Test::new().file(
        "main.toml",
        r#"
[vars]
name = "kiln"
# One value with a newline after it: text, newline included.
greeting = "{{ name }}\n"
port = "{{ 8000 + 80 }}"

[[op]]
op = "files.put"
dest = "{{ root }}/greeting"
content = "{{ greeting }}"

[[op]]
op = "files.put"
dest = "{{ root }}/port"
content = "{{ port + 1 }}\n"
"#,
    );
    let root = project.path().join("root");
    std::fs::create_dir(&root).unwrap();
    Test::new()
        .args(["apply", project.path().to_str().unwrap(), "-y", "-e"])
        .arg(format!("root={}", root.display()))
        .run()
        .assert_status(0);
    let read = |name: &str| std::fs::read_to_string(root.join(name)).unwrap();
    assert_eq!(read("greeting"), "kiln\n");
    assert_eq!(read("port"), "8081\n", "`port` is a number");
}
