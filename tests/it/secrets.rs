//! Secret values stay off every display: a project with secrets from every source (the
//! manifest's `secrets`, an include's, the inventory's top-level, group and host
//! `secrets`, an inventory program's, `--secrets-file`), a value made from one, the
//! `secret` filter, and `sensitive` ops, run through `kiln check`, `emit`, `inventory`,
//! `plan` and `apply` (`-v`, `-vv`, `--format json`) against `@local` into a temporary
//! directory. No output, and no file kiln writes but the destinations, holds a secret.
//! Scripts run alone, under every shell, hide the same; and the ways to give secrets on the
//! command line and to refuse plain-text passwords work as documented.

use std::path::Path;

use crate::support::kiln::{Output, Test};
use crate::support::need::{Need, require};
use crate::support::shells::{SHELLS, run_script, shell_name};

/// Every secret of the project, as given (each is also looked for upper-cased: the
/// manifest makes a value from one with `| upper`).
const SECRETS: &[&str] = &[
    "manifest-db-pw-1",
    "host-api-token-2",
    "group-signing-key-3",
    "program-cluster-token-4",
    "filtered-literal-5",
    "role-secret-6",
    "cli-secret-7",
    "PRIVATE KEY MATERIAL 8",
    "OLD-HOST-CONTENT-9",
    "SENSITIVE-OUTPUT-10",
    "template-file-secret-11",
];

const MAIN: &str = r#"
[vars]
auth = "Bearer {{ api_token }}"

[secrets]
db_password = "manifest-db-pw-1"

[[op]]
op = "files.put"
dest = "{{ root }}/db.conf"
content = "password={{ db_password }}\n"

[[op]]
op = "files.put"
dest = "{{ root }}/api.conf"
content = "{{ auth | upper }}\n"

[[op]]
op = "files.line"
path = "{{ root }}/app.conf"
line = "signing_key={{ signing_key }}"

[[op]]
op = "files.block"
path = "{{ root }}/app.conf"
block = "cluster_token={{ cluster_token }}\n"

[[op]]
op = "files.replace"
path = "{{ root }}/app.conf"
regexp = "^mode=.*"
replace = "mode={{ 'filtered-literal-5' | secret }}"

[[op]]
op = "files.template"
src = "app.conf.j2"
dest = "{{ root }}/templated.conf"

[[op]]
op = "files.put"
dest = "{{ root }}/id_ed25519"
content = "PRIVATE KEY MATERIAL 8\n"
mode = "0600"
sensitive = true

[[op]]
include = "role"
secrets = { role_secret = "role-secret-6" }

[[op]]
op = "server.shell"
commands = ["echo relayed {{ cli_secret }}", "echo relayed-err {{ cli_secret }} >&2"]
creates = "{{ root }}/never"

[[op]]
op = "server.shell"
commands = "echo SENSITIVE-OUTPUT-10; echo SENSITIVE-OUTPUT-10 >&2"
creates = "{{ root }}/never"
sensitive = true
"#;

const ROLE: &str = r#"
[[op]]
op = "files.put"
dest = "{{ root }}/role.conf"
content = "{{ role_secret }}"
name = "the role's file"
"#;

const TEMPLATE: &str = "key={{ template_key }}\n";

const INVENTORY: &str = r#"
[hosts.local]
connector = "local"

[hosts.local.secrets]
api_token = "host-api-token-2"
template_key = "template-file-secret-11"

[groups.app]
hosts = ["local"]

[groups.app.secrets]
signing_key = "group-signing-key-3"
"#;

const PROGRAM: &str = r#"#!/bin/sh
cat <<'EOF'
{"secrets": {"cluster_token": "program-cluster-token-4"}}
EOF
"#;

const SECRETS_FILE: &str = "cli_secret = \"cli-secret-7\"\n";

/// The files of the project, as the runs get them.
const INPUTS: &[&str] = &[
    "main.toml",
    "role/main.toml",
    "app.conf.j2",
    "inventory.toml",
    "inventory-program",
    "secrets.toml",
];

/// The destinations of a run (`root`) and its `TMPDIR`, both kept across runs.
struct Host {
    root: tempfile::TempDir,
    tmp: tempfile::TempDir,
}

impl Host {
    fn new() -> Host {
        let host = Host {
            root: tempfile::tempdir().unwrap(),
            tmp: tempfile::tempdir().unwrap(),
        };
        // What the host holds before: the plan must not show it either.
        let old = "OLD-HOST-CONTENT-9\n";
        for (name, mode) in [("db.conf", 0o644), ("id_ed25519", 0o600)] {
            let path = host.root.path().join(name);
            std::fs::write(&path, format!("password={old}")).unwrap();
            set_mode(&path, mode);
        }
        std::fs::write(host.root.path().join("app.conf"), "mode=debug\n").unwrap();
        host
    }

    /// Runs `kiln` with `args`, in a fresh copy of the project, and checks that no secret
    /// is in what it printed (but a script `kiln emit` prints: see the test) or in a file
    /// it left in the project.
    fn kiln(&self, args: &[&str]) -> Output {
        let root = format!("root={}", self.root.path().display());
        let output = Test::new()
            .file("main.toml", MAIN)
            .file("role/main.toml", ROLE)
            .file("app.conf.j2", TEMPLATE)
            .file("inventory.toml", INVENTORY)
            .executable("inventory-program", PROGRAM)
            .file("secrets.toml", SECRETS_FILE)
            .args(args.iter().copied())
            .args(["-i", "inventory.toml", "-i", "./inventory-program"])
            .args(["--secrets-file", "secrets.toml", "-e", &root])
            .env("TMPDIR", self.tmp.path().display().to_string())
            .run();
        if args[0] != "emit" {
            assert_no_secret(&format!("kiln {args:?}: stdout"), &output.stdout);
        }
        assert_no_secret(&format!("kiln {args:?}: stderr"), &output.stderr);
        for (path, text) in files_under(output.tempdir.path()) {
            if !INPUTS.iter().any(|input| path == Path::new(input)) {
                assert_no_secret(
                    &format!("{} written by kiln {args:?}", path.display()),
                    &text,
                );
            }
        }
        output
    }
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[track_caller]
fn assert_no_secret(what: &str, text: &str) {
    for secret in SECRETS {
        for form in [secret.to_string(), secret.to_uppercase()] {
            assert!(
                !text.contains(&form),
                "{what} shows the secret {form:?}:\n{text}"
            );
        }
    }
}

/// Every file under `dir` (recursively), by path relative to it, with its text.
fn files_under(dir: &Path) -> Vec<(std::path::PathBuf, String)> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                files.push((path.strip_prefix(dir).unwrap().to_path_buf(), text));
            }
        }
    }
    files
}

#[test]
fn secrets_appear_in_no_output_and_no_file_but_their_destinations() {
    let host = Host::new();

    host.kiln(&["check", "."]).assert_status(0);

    for format in ["human", "json"] {
        let inventory = host.kiln(&["inventory", "--format", format]);
        inventory.assert_status(0);
        assert!(inventory.stdout.contains("***"), "{}", inventory.stdout);
    }

    // The script carries the secrets it writes and runs, and shows none in its comments.
    let script = host.kiln(&["emit", "."]);
    script.assert_status(0);
    assert!(
        script.stdout.contains("cli-secret-7") && script.stdout.contains("manifest-db-pw-1"),
        "the script holds what it writes and runs"
    );
    let shown: String = script
        .stdout
        .lines()
        .filter(|line| {
            line.starts_with('#') || line.starts_with("k_step") || line.starts_with("k_skip")
        })
        // What a `k_step` line shows is before its call, which holds what the op writes.
        .map(|line| line.split(" -- ").next().unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n");
    assert_no_secret("the script's comments and status lines", &shown);
    assert!(shown.contains("#     content = ***"), "{shown}");
    assert!(
        shown.contains("#     mode = \"0600\""),
        "a sensitive op shows its mode:\n{shown}"
    );

    let plan = host.kiln(&["plan", "."]);
    plan.assert_status(0);
    assert!(
        plan.stdout.contains("content differs, hidden"),
        "{}",
        plan.stdout
    );
    for args in [
        &["plan", ".", "-v", "--format", "json"][..],
        &["apply", ".", "-y", "-vv"],
        &["apply", ".", "-y", "-v", "--format", "json"],
    ] {
        host.kiln(args).assert_status(0);
    }
    let apply = host.kiln(&["apply", ".", "-y", "-vv"]);
    apply.assert_status(0);
    assert!(
        apply.stdout.contains("relayed ***") && apply.stdout.contains("relayed-err ***"),
        "what the host printed is shown, its secrets masked:\n{}",
        apply.stdout
    );

    let root = host.root.path();
    let read = |name: &str| std::fs::read_to_string(root.join(name)).unwrap();
    assert_eq!(read("db.conf"), "password=manifest-db-pw-1\n");
    assert_eq!(read("api.conf"), "BEARER HOST-API-TOKEN-2\n");
    assert_eq!(
        read("app.conf"),
        "mode=filtered-literal-5\nsigning_key=group-signing-key-3\n# BEGIN MANAGED BY KILN\ncluster_token=program-cluster-token-4\n# END MANAGED BY KILN\n"
    );
    assert_eq!(read("templated.conf"), "key=template-file-secret-11\n");
    assert_eq!(read("role.conf"), "role-secret-6");
    assert_eq!(read("id_ed25519"), "PRIVATE KEY MATERIAL 8\n");
    let mut names: Vec<String> = files_under(root)
        .into_iter()
        .map(|(path, _)| path.display().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "api.conf",
            "app.conf",
            "db.conf",
            "id_ed25519",
            "role.conf",
            "templated.conf"
        ],
        "nothing but the destinations in the root"
    );
    for (path, text) in files_under(host.tmp.path()) {
        assert_no_secret(&format!("$TMPDIR/{}", path.display()), &text);
    }
}

const STANDALONE: &str = r#"
[secrets]
line_secret = "LINE-SECRET-3"
word = "USER-OP-9"

[[define]]
op = "site.remember"
summary = "Writes a word to a file."
probe = "grep -qx -- {{ word }} {{ file }}"
apply = "echo {{ word }} > {{ file }}"

[define.params]
word = { type = "string", required = true }
file = { type = "path", required = true }

[[op]]
op = "files.put"
dest = "{{ root }}/key"
content = "NEW-SENSITIVE-1\n"
mode = "0600"
sensitive = true

[[op]]
op = "files.line"
path = "{{ root }}/conf"
regexp = "^secret="
line = "secret={{ line_secret }}"

[[op]]
op = "files.block"
path = "{{ root }}/conf"
block = "BLOCK-5\n"
sensitive = true

[[op]]
op = "files.replace"
path = "{{ root }}/conf"
regexp = "^OLD-REPLACE-.*"
replace = "{{ 'REPLACE-6' | secret }}"

[[op]]
op = "files.template"
src = "t.j2"
dest = "{{ root }}/templated"

[[op]]
op = "files.file"
path = "{{ root }}/touched"
sensitive = true

[[op]]
op = "site.remember"
word = "{{ word }}"
file = "{{ root }}/user-op"
"#;

/// What the standalone scripts must never show: new contents, the host's old ones.
const STANDALONE_SECRETS: &[&str] = &[
    "NEW-SENSITIVE-1",
    "OLD-SENSITIVE-2",
    "LINE-SECRET-3",
    "OLD-LINE-4",
    "BLOCK-5",
    "REPLACE-6",
    "OLD-REPLACE-7",
    "TEMPLATE-8",
    "USER-OP-9",
];

/// Scripts run alone have no kiln around them to mask what the host prints: under every
/// shell, check mode says `content differs, hidden` and shows nothing of the new or old
/// contents, apply prints none of them, and the ops converge all the same.
#[test]
fn scripts_alone_hide_secret_and_sensitive_contents_under_every_shell() {
    require!(Need::Shells);
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    let output = Test::new()
        .file("main.toml", STANDALONE)
        .file("t.j2", "value={{ 'TEMPLATE-8' | secret }}\n")
        .args(["emit", ".", "-e", &format!("root={}", root.display())])
        .run();
    output.assert_status(0);
    let script_dir = tempfile::tempdir().unwrap();
    let script = script_dir.path().join("script.sh");
    std::fs::write(&script, &output.stdout).unwrap();
    let comments: Vec<&str> = output
        .stdout
        .lines()
        .filter(|line| line.starts_with('#'))
        .collect();
    for secret in STANDALONE_SECRETS {
        assert!(
            !comments.iter().any(|line| line.contains(secret)),
            "a comment shows {secret}:\n{}",
            comments.join("\n")
        );
    }
    for shell in SHELLS {
        let name = shell_name(shell);
        if root.exists() {
            std::fs::remove_dir_all(root).unwrap();
        }
        std::fs::create_dir_all(root).unwrap();
        std::fs::write(root.join("key"), "OLD-SENSITIVE-2\n").unwrap();
        std::fs::write(root.join("conf"), "secret=OLD-LINE-4\nOLD-REPLACE-7\n").unwrap();
        let runs = [
            ("check", run_script(shell, &script, &["--check"], root)),
            ("apply", run_script(shell, &script, &[], root)),
            (
                "check again",
                run_script(shell, &script, &["--check"], root),
            ),
        ];
        for (what, run) in &runs {
            let printed = format!(
                "{}{}",
                String::from_utf8_lossy(&run.stdout),
                String::from_utf8_lossy(&run.stderr)
            );
            assert!(run.status.success(), "{name}: {what} failed:\n{printed}");
            for secret in STANDALONE_SECRETS {
                assert!(
                    !printed.contains(secret),
                    "{name}: {what} shows {secret}:\n{printed}"
                );
            }
        }
        let check = String::from_utf8_lossy(&runs[0].1.stdout);
        assert_eq!(
            check.matches("content differs, hidden").count(),
            7,
            "{name}: every op's diff is hidden:\n{check}"
        );
        let again = String::from_utf8_lossy(&runs[2].1.stdout);
        assert!(
            again.contains("kiln: 7 ok, 0 would change"),
            "{name}: the ops converge:\n{again}"
        );
        let read = |file: &str| std::fs::read_to_string(root.join(file)).unwrap();
        assert_eq!(read("key"), "NEW-SENSITIVE-1\n", "{name}");
        assert_eq!(
            read("conf"),
            "secret=LINE-SECRET-3\nREPLACE-6\n# BEGIN MANAGED BY KILN\nBLOCK-5\n# END MANAGED BY KILN\n",
            "{name}"
        );
        assert_eq!(read("templated"), "value=TEMPLATE-8\n", "{name}");
        assert_eq!(read("user-op"), "USER-OP-9\n", "{name}");
    }
}

/// `--secrets-file -` reads secrets from standard input (here JSON), so they need no file;
/// they are secret like the others.
#[test]
fn a_secrets_file_can_be_standard_input() {
    let output = Test::new()
        .file(
            "main.toml",
            "[[op]]\nop = \"files.put\"\ndest = \"/srv/token\"\ncontent = \"{{ token }}\"\n",
        )
        .args(["emit", ".", "--secrets-file", "-"])
        .stdin(r#"{"token": "from-stdin-42"}"#)
        .run();
    let script = &output.assert_status(0).stdout;
    assert!(script.contains("from-stdin-42"), "the script writes it");
    assert!(script.contains("#     content = ***"), "{script}");
}

/// A plain-text password that comes from a variable is refused when the script is made,
/// pointing at the template, without showing the password.
#[test]
fn a_templated_plain_text_password_is_refused_at_bind_time() {
    let output = Test::new()
        .file(
            "main.toml",
            "[[op]]\nop = \"server.user\"\nuser = \"deploy\"\npassword = \"{{ pw }}\"\n",
        )
        .file("secrets.kdl", "pw \"Tr0ub4dor&3\"\n")
        .args(["emit", ".", "--secrets-file", "secrets.kdl"])
        .run();
    output
        .assert_status(1)
        .assert_stderr_contains("a password must be given hashed, never in plain text")
        .assert_stderr_contains("password = \"{{ pw }}\"")
        .assert_stderr_contains("openssl passwd -6");
    assert!(!output.stderr.contains("Tr0ub4dor"), "{}", output.stderr);
    let hashed = format!("pw = \"$6$salt${}\"\n", "h".repeat(86));
    Test::new()
        .file(
            "main.toml",
            "[[op]]\nop = \"server.user\"\nuser = \"deploy\"\npassword = \"{{ pw }}\"\n",
        )
        .file("secrets.toml", hashed)
        .args(["emit", ".", "--secrets-file", "secrets.toml"])
        .run()
        .assert_status(0);
}

/// Scripts written with `-o` carry secrets: their owner's only.
#[test]
fn emitted_scripts_are_their_owners_only() {
    use std::os::unix::fs::PermissionsExt;
    let output = Test::new()
        .file(
            "main.toml",
            "[secrets]\nt = \"x\"\n\n[[op]]\nop = \"files.put\"\ndest = \"/srv/t\"\ncontent = \"{{ t }}\"\n",
        )
        .args(["emit", ".", "-o", "out"])
        .run();
    output.assert_status(0);
    let mode = std::fs::metadata(output.tempdir.path().join("out/@local.sh"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);
}

/// `sensitive` on an include passes on to the ops inside: their text arguments are masked,
/// their paths and modes shown.
#[test]
fn sensitive_passes_through_includes() {
    let output = Test::new()
        .file(
            "main.toml",
            "[[op]]\ninclude = \"keys\"\nsensitive = true\n",
        )
        .file(
            "keys/main.toml",
            "[[op]]\nop = \"files.put\"\ndest = \"/etc/k\"\ncontent = \"KEY-1\\n\"\nmode = \"0600\"\n",
        )
        .args(["emit", "."])
        .run();
    output.assert_status(0);
    for line in [
        "#     content = ***",
        "#     dest = \"/etc/k\"",
        "#     mode = \"0600\"",
    ] {
        output.assert_stdout_contains(line);
    }
    output.assert_stdout_contains(" --hide-diff -- k_put --dest '/etc/k' --mode '0600'");
}

/// A variable is secret on a host when any level gives it a secret value for that host:
/// a plain value above a secret one does not make it shown.
#[test]
fn once_secret_always_secret() {
    let output = Test::new()
        .file(
            "inventory.toml",
            "[hosts.web1]\nconnector = \"local\"\nvars = { token = \"host-plain-1\" }\n\n\
             [hosts.web2]\nconnector = \"local\"\n\n\
             [groups.web]\nhosts = [\"web1\"]\nsecrets = { token = \"group-secret-2\" }\n\n\
             [secrets]\nshared = \"everyone-3\"\n",
        )
        .args([
            "inventory",
            "-i",
            "inventory.toml",
            "-e",
            "shared=plain-cli-4",
        ])
        .run();
    output.assert_status(0);
    for value in [
        "host-plain-1",
        "group-secret-2",
        "everyone-3",
        "plain-cli-4",
    ] {
        assert!(
            !output.stdout.contains(value),
            "{value}:\n{}",
            output.stdout
        );
    }
    output
        .assert_stdout_contains("token = \"***\"  (host, secret)")
        .assert_stdout_contains("shared = \"***\"  (-e, secret)");
}

/// A broken secrets file is reported at its argument, with line and column, and none of
/// its lines.
#[test]
fn a_broken_secrets_file_shows_none_of_its_lines() {
    let output = Test::new()
        .file(
            "main.toml",
            "[[op]]\nop = \"files.directory\"\npath = \"/srv\"\n",
        )
        .file("secrets.toml", "token = \"unclosed-secret-5\nother = 1\n")
        .args(["check", ".", "--secrets-file", "secrets.toml"])
        .run();
    output
        .assert_status(1)
        .assert_stderr_contains("secrets.toml:1:")
        .assert_stderr_contains("the file's lines are not shown");
    assert!(
        !output.stderr.contains("unclosed-secret-5"),
        "{}",
        output.stderr
    );
}

/// The become password is masked in what hosts print too.
#[test]
fn the_become_password_is_masked_in_what_hosts_print() {
    let output = Test::new()
        .file(
            "main.toml",
            "[[op]]\nop = \"server.shell\"\ncommands = \"echo become-pw-12\"\ncreates = \"/nonexistent/kiln\"\n",
        )
        .env("KILN_BECOME_PASSWORD", "become-pw-12")
        .args(["apply", ".", "-y", "-v", "-i", "@local"])
        .run();
    output.assert_status(0).assert_stdout_contains("      ***");
    assert!(!output.stdout.contains("become-pw-12"), "{}", output.stdout);
}
