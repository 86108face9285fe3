//! The shell runtime (`src/runtime/`), function by function, under every shell of the
//! matrix (dash, bash --posix, busybox sh, mksh, yash).
//!
//! Each runtime function has a table of cases (a call in a fresh directory → its exit
//! status, what it prints, the state it leaves), one `#[test]` per function named after it:
//! `cargo test --test it runtime::files::k_split` runs `k_split`'s alone. The tables are by
//! file, as the runtime is: `runtime/<file>.rs` tests `src/runtime/<file>.sh`
//! (`become_.rs` tests `become.sh`). A case's script
//! carries only the runtime its call uses (`runtime::for_code`), so every case also shows
//! that a function brings what it calls. Commands that would change this machine or need
//! another system (package managers, `sudo`, `crontab`, `update-rc.d`, `nc`) are stubs: small
//! scripts first in `PATH` that print what they were asked and answer as the real ones do.
//!
//! Definitions only reachable through another function are tested through it ([`THROUGH`]):
//! `k_step_run` (the body of `k_step`, with the same arguments), `k_step_here` and
//! `k_step_as` (where `k_step_do` runs the step), `k_write_tmp` and
//! `k_write_tmp_umask_made` (the part `k_write` and `k_write_valid` share, through `k_write`), `k_extras_in` (the walk of
//! `k_extras`, with a prefix and an exit status of its own), the parts of an op's entry
//! point for one verb or one test (`k_directory_tree_ok`, `k_link_linked`,
//! `k_download_there`, `k_file_is`, `k_file_missing`, `k_file_in_the_way`, `k_packages_of`,
//! `k_packages_command`, `k_packages_pip`, `k_service_changes`, `k_service_change`,
//! `k_service_systemctl`, `k_service_is_running`, `k_service_is_enabled`, `k_git_run`,
//! `k_git_in`, `k_git_act`, `k_git_checkout_rev`, `k_git_config_run`, `k_unarchive_act`,
//! `k_unarchive_read`, `k_unarchive_replaceable`, `k_apt_key_holds`, `k_apt_key_import`,
//! `k_apt_sources_key`, `k_key_only`, `k_gpg`,
//! `k_package_file`, `k_user_has`, `k_user_show`, `k_user_run`, `k_modprobe_files`, `k_modprobe_file`,
//! `k_locale_available`, `k_locale_debian`, `k_run_guards`,
//! `k_run_show`, `k_run_act`, `k_sql_run`, `k_result_act`, `k_result_judge`, `k_result_say`)
//! and the awk programs
//! (`k_awk_perm` through `k_tree_modes_ok`, `k_awk_edit`, `k_awk_edit_kinds` and each edit's program
//! through `k_line`, `k_block`, `k_replace`, `k_ini`); the helpers of edits (`k_edit_resolve`,
//! `k_edit_scan`, ...) through `k_edit`, and those of fused runs (`k_group_*`,
//! `k_edits_awk`) through `k_fused_edits`, `k_fused_directories`, `k_fused_absent`.
//!
//! Also here: every definition is written once across the files, every function has a
//! table (a new one without fails [`every_function_has_its_own_tests`]), and the status line
//! round-trips through a real shell and kiln's parser for any definition of it.

mod accounts;
mod archives;
mod become_;
mod commands;
mod containers;
mod content;
mod databases;
mod detect;
mod downloads;
mod edits;
mod facts;
mod files;
mod filters;
mod firewalls;
mod git;
mod groups;
mod keys;
mod language_packages;
mod links;
mod packages;
mod private;
mod report;
mod results;
mod selinux;
mod services;
mod status;
mod system;
mod trees;
mod waits;

use std::collections::BTreeMap;

use kiln::runtime::status::{Align, Field, Piece, STATUS_LINE, STATUSES, StatusLine};
use kiln::runtime::{PARTS, Part, Runtime, runtime};
use kiln::shell::quote;

use crate::support::kiln::Test;
use crate::support::need::{self, Need, require};
use crate::support::shells::{SHELLS, run_script, shell_name, shellcheck, summary};

/// Definitions tested through another function's cases: (definition, the function).
const THROUGH: &[(&str, &str)] = &[
    ("k_step_run", "k_step"),
    ("k_sql_run", "k_sql"),
    ("k_step_here", "k_step_do"),
    ("k_step_as", "k_step"),
    ("k_file_is", "k_file"),
    ("k_file_missing", "k_file"),
    ("k_file_in_the_way", "k_file"),
    ("k_packages_of", "k_packages"),
    ("k_packages_command", "k_packages"),
    ("k_packages_pip", "k_packages"),
    ("k_service_changes", "k_service"),
    ("k_service_change", "k_service"),
    ("k_service_systemctl", "k_service"),
    ("k_service_is_running", "k_service"),
    ("k_service_is_enabled", "k_service"),
    ("k_service_is_masked", "k_service"),
    ("k_unit_verify", "k_unit"),
    ("k_git_run", "k_git"),
    ("k_git_in", "k_git"),
    ("k_git_act", "k_git"),
    ("k_git_checkout_rev", "k_git"),
    ("k_git_config_run", "k_git_config"),
    ("k_unarchive_act", "k_unarchive"),
    ("k_unarchive_read", "k_unarchive"),
    ("k_unarchive_replaceable", "k_unarchive"),
    ("k_apt_key_holds", "k_apt_key"),
    ("k_apt_key_import", "k_apt_key"),
    ("k_apt_sources_key", "k_apt_sources"),
    ("k_key_only", "k_apt_sources"),
    ("k_gpg", "k_apt_sources"),
    ("k_package_file", "k_apt_deb"),
    ("k_user_has", "k_user"),
    ("k_user_show", "k_user"),
    ("k_user_run", "k_user"),
    ("k_modprobe_files", "k_modprobe"),
    ("k_modprobe_file", "k_modprobe"),
    ("k_locale_available", "k_locale"),
    ("k_locale_debian", "k_locale"),
    ("k_docker_container_read", "k_docker_container"),
    ("k_docker_container_act", "k_docker_container"),
    ("k_docker_container_create", "k_docker_container"),
    ("k_ssh_keygen_read", "k_ssh_keygen"),
    ("k_ssh_keygen_pub_ok", "k_ssh_keygen"),
    ("k_ssh_keygen_new", "k_ssh_keygen"),
    ("k_known_hosts_scan", "k_known_hosts"),
    ("k_known_hosts_lines", "k_known_hosts"),
    ("k_known_hosts_edit", "k_known_hosts"),
    ("k_extras_in", "k_extras"),
    ("k_directory_tree_ok", "k_directory"),
    ("k_link_linked", "k_link"),
    ("k_download_there", "k_download"),
    ("k_run_guards", "k_run"),
    ("k_run_show", "k_run"),
    ("k_run_act", "k_run"),
    ("k_result_act", "k_result"),
    ("k_result_judge", "k_result"),
    ("k_result_say", "k_result"),
    ("k_step_begin", "k_step"),
    ("k_step_stderr", "k_step"),
    ("k_edit_resolve", "k_edit"),
    ("k_edit_scan", "k_edit"),
    ("k_edit_dir_for_new", "k_edit"),
    ("k_edits_awk", "k_fused_edits"),
    ("k_fused_edits_write", "k_fused_edits"),
    ("k_group_start", "k_fused_directories"),
    ("k_group_step", "k_fused_directories"),
    ("k_group_read", "k_fused_directories"),
    ("k_group_conditions", "k_fused_directories"),
    ("k_group_batch", "k_fused_directories"),
    ("k_group_path", "k_fused_directories"),
    ("k_group_blocked", "k_fused_directories"),
    ("k_group_directory", "k_fused_absent"),
    ("k_group_errors_begin", "k_fused_directories"),
    ("k_group_report", "k_fused_directories"),
    ("k_awk_perm", "k_tree_modes_ok"),
    ("k_write_tmp", "k_write"),
    ("k_tmp_for", "k_write"),
    ("k_write_tmp_umask_made", "k_write"),
    ("k_awk_edit", "k_line"),
    ("k_awk_edit_kinds", "k_line"),
    ("k_awk_line", "k_line"),
    ("k_awk_block", "k_block"),
    ("k_awk_replace", "k_replace"),
    ("k_awk_ini", "k_ini"),
    ("k_awk_report", "k_report_json"),
];

/// Every function with its own table.
fn tested() -> Vec<&'static str> {
    [
        accounts::TESTED,
        archives::TESTED,
        become_::TESTED,
        commands::TESTED,
        containers::TESTED,
        content::TESTED,
        databases::TESTED,
        detect::TESTED,
        downloads::TESTED,
        edits::TESTED,
        facts::TESTED,
        files::TESTED,
        firewalls::TESTED,
        filters::TESTED,
        git::TESTED,
        groups::TESTED,
        keys::TESTED,
        language_packages::TESTED,
        links::TESTED,
        packages::TESTED,
        private::TESTED,
        report::TESTED,
        results::TESTED,
        selinux::TESTED,
        services::TESTED,
        status::TESTED,
        system::TESTED,
        trees::TESTED,
        waits::TESTED,
    ]
    .concat()
}

/// Declares the table of each function: `name => [case(...), ...]` makes the test `name`,
/// and the module's `TESTED` list.
macro_rules! functions {
    ($($name:ident => $cases:expr),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                $crate::support::need::require!($crate::support::need::Need::Shells);
                $crate::runtime::check(stringify!($name), &$cases);
            }
        )*
        pub(crate) const TESTED: &[&str] = &[$(stringify!($name)),*];
    };
}
pub(crate) use functions;

/// One call of a function in a fresh directory, and what it must give.
#[derive(Clone, Debug)]
pub(crate) struct Case {
    given: &'static str,
    call: &'static str,
    status: i32,
    stdout: &'static str,
    stderr: Option<&'static str>,
    after: &'static str,
    state: &'static str,
    stubs: Vec<(&'static str, &'static str)>,
    only: Option<&'static [&'static str]>,
    root: bool,
}

/// A case running `call` (shell, in the case's directory): by default it must exit 0 and
/// print nothing on either stream.
pub(crate) fn case(call: &'static str) -> Case {
    Case {
        given: "",
        call,
        status: 0,
        stdout: "",
        stderr: Some(""),
        after: "",
        state: "",
        stubs: Vec::new(),
        only: None,
        root: false,
    }
}

impl Case {
    /// Shell that prepares the directory (and variables) before the call; it must succeed.
    pub(crate) fn given(mut self, setup: &'static str) -> Self {
        self.given = setup;
        self
    }

    /// What the call prints on standard output.
    pub(crate) fn prints(mut self, stdout: &'static str) -> Self {
        self.stdout = stdout;
        self
    }

    /// The call's exit status.
    pub(crate) fn status(mut self, status: i32) -> Self {
        self.status = status;
        self
    }

    /// What the call prints on standard error.
    pub(crate) fn says(mut self, stderr: &'static str) -> Self {
        self.stderr = Some(stderr);
        self
    }

    /// The call may print anything on standard error (another program's message).
    pub(crate) fn noisy(mut self) -> Self {
        self.stderr = None;
        self
    }

    /// After the call, the shell `after` prints `state`.
    pub(crate) fn leaves(mut self, after: &'static str, state: &'static str) -> Self {
        self.after = after;
        self.state = state;
        self
    }

    /// The case needs root (to give files to another user): without it, it is skipped,
    /// saying so (`support::need`), unless `CI` is set.
    pub(crate) fn root(mut self) -> Self {
        self.root = true;
        self
    }

    /// The system's commands are only `commands` (and the stubs): what the runtime does
    /// on a host without the others.
    pub(crate) fn only(mut self, commands: &'static [&'static str]) -> Self {
        self.only = Some(commands);
        self
    }

    /// `command` is the shell script `script` (a stub first in `PATH`).
    pub(crate) fn stub(mut self, command: &'static str, script: &'static str) -> Self {
        self.stubs.push((command, script));
        self
    }
}

/// Marks the end of the call's output in a case's standard output.
const END: &str = "\n@@case-status ";

/// Runs `cases` of `function` under every shell.
fn check(function: &str, cases: &[Case]) {
    assert!(!cases.is_empty(), "{function} has no cases");
    for case in cases {
        if case.root && !need::check(&[Need::Root]) {
            continue;
        }
        assert!(
            mentions(case.call, function),
            "{function}: a case that does not call it: {}",
            case.call
        );
        for shell in SHELLS {
            run_case(function, case, shell);
        }
    }
}

fn mentions(code: &str, name: &str) -> bool {
    code.match_indices(name).any(|(at, _)| {
        let next = code[at + name.len()..].chars().next();
        !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

fn run_case(function: &str, case: &Case, shell: &[&str]) {
    let temp = tempfile::tempdir().unwrap();
    let bin = temp.path().join("bin");
    let work = temp.path().join("work");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    for (command, script) in &case.stubs {
        let path = bin.join(command);
        std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
    }
    let mut path = quote(&bin.display().to_string());
    match case.only {
        Some(commands) => {
            let system = temp.path().join("system");
            std::fs::create_dir_all(&system).unwrap();
            for command in commands {
                let found = std::env::split_paths(&std::env::var_os("PATH").unwrap())
                    .map(|dir| dir.join(command))
                    .find(|path| path.is_file())
                    .unwrap_or_else(|| panic!("{command} is not installed"));
                std::os::unix::fs::symlink(found, system.join(command)).unwrap();
            }
            path.push(':');
            path.push_str(&quote(&system.display().to_string()));
        }
        None => path.push_str(":$PATH"),
    }
    let code = format!("{}\n{}\n{}", case.given, case.call, case.after);
    let script = format!(
        "set -u\nPATH={}\n{}case_given() {{\n:\n{}\n}}\ncase_given || {{ echo 'the case setup failed' >&2; exit 125; }}\n\
         case_call() {{\n{}\n}}\ncase_call\ncase_status=$?\necho\necho \"{}$case_status\"\n{}\n",
        path,
        runtime().for_code(&code),
        case.given,
        case.call,
        END.trim_start_matches('\n'),
        case.after,
    );
    let path = temp.path().join("case.sh");
    std::fs::write(&path, &script).unwrap();
    let output = run_script(shell, &path, &[], &work);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let (printed, status, state) = match stdout.rsplit_once(END) {
        Some((printed, rest)) => {
            let (status, state) = rest.split_once('\n').unwrap_or((rest, ""));
            (printed, status.parse().unwrap_or(-1), state)
        }
        // The call ended the shell (`exit`).
        None => (&*stdout, output.status.code().unwrap_or(-1), ""),
    };
    let shown = || {
        format!(
            "{function} under {}: {}\n--- stdout\n{stdout}--- stderr\n{stderr}",
            shell_name(shell),
            case.call
        )
    };
    assert_ne!(status, 125, "{}", shown());
    assert_eq!(printed, case.stdout, "standard output of {}", shown());
    assert_eq!(status, case.status, "exit status of {}", shown());
    if let Some(expected) = case.stderr {
        assert_eq!(stderr, expected, "standard error of {}", shown());
    }
    assert_eq!(state, case.state, "state after {}", shown());
}

/// Every definition is written once across the runtime's files: a shell keeps the last
/// definition, so a second one would change what every earlier caller runs (`k_clear` was
/// once defined twice, and the second made the first one's callers fail). Checked on the
/// files' text, whatever the parser accepts.
#[test]
fn every_definition_is_written_once() {
    let mut defined: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for part in PARTS {
        for (number, line) in part.text.lines().enumerate() {
            let line = line.trim_start();
            let end = line
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(line.len());
            let (name, rest) = line.split_at(end);
            if name.starts_with("k_") && (rest.starts_with("()") || rest.starts_with("='")) {
                defined
                    .entry(name)
                    .or_default()
                    .push(format!("{}.sh:{}", part.name, number + 1));
            }
        }
    }
    assert!(
        defined.len() > 100,
        "only {} definitions found",
        defined.len()
    );
    let twice: Vec<String> = defined
        .iter()
        .filter(|(_, places)| places.len() > 1)
        .map(|(name, places)| format!("{name}: {}", places.join(", ")))
        .collect();
    assert!(
        twice.is_empty(),
        "defined more than once:\n{}",
        twice.join("\n")
    );
    // The parser refuses a second definition, in another file too.
    let again = [
        PARTS[0],
        Part {
            name: "again",
            text: "# Again.\n\n# k_err, again.\nk_err() { :; }\n",
        },
    ];
    let refused = Runtime::parse(&again, &STATUS_LINE).unwrap_err();
    assert_eq!(
        refused,
        "k_err is defined twice: in status.sh and in again.sh"
    );
}

/// The whole runtime passes `shellcheck -s sh`, with the exceptions emitted scripts declare
/// in their header (functions called by name, data in single quotes, modes from `ls`).
#[test]
fn the_runtime_passes_shellcheck() {
    require!(Need::Shellcheck);
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("runtime.sh");
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\n# shellcheck disable=SC2317,SC2016,SC1003,SC2012\n{}",
            runtime().all()
        ),
    )
    .unwrap();
    shellcheck(&path);
}

/// A function without its own table fails here: add a `name => [...]` entry in the
/// `runtime/<file>.rs` of its file (or, for a definition only reachable through another,
/// to [`THROUGH`]).
#[test]
fn every_function_has_its_own_tests() {
    let tested = tested();
    let mut missing = Vec::new();
    for definition in runtime().definitions() {
        let name = definition.name.as_str();
        let through = THROUGH.iter().find(|(helper, _)| *helper == name);
        match through {
            Some((_, caller)) => {
                assert!(
                    tested.contains(caller),
                    "{name} is tested through {caller}, which has no table"
                );
                assert!(
                    runtime().for_code(caller).contains(&definition.text),
                    "{name} is said to be tested through {caller}, which does not use it"
                );
            }
            None if tested.contains(&name) => {}
            None => missing.push(format!("{name} ({}.sh)", definition.part)),
        }
    }
    assert!(
        missing.is_empty(),
        "runtime functions without tests:\n{}",
        missing.join("\n")
    );
    let defined: Vec<&str> = runtime()
        .definitions()
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    let unknown: Vec<&&str> = tested
        .iter()
        .filter(|name| !defined.contains(name))
        .collect();
    assert!(
        unknown.is_empty(),
        "tables for functions the runtime lacks: {unknown:?}"
    );
}

/// The status line round-trips: every status, with labels holding the separators, spaces
/// and quotes, printed by `k_say` under every shell and read back by kiln's parser, for
/// kiln's definition and for another one that changes every field's place, width and
/// separator: the runtime's `printf` and the parser both follow the definition.
#[test]
fn the_status_line_round_trips_through_every_shell() {
    require!(Need::Shells);
    const OTHER: StatusLine = StatusLine {
        pieces: &[
            Piece {
                before: "<",
                field: Field::Origin,
                align: Align::Plain,
            },
            Piece {
                before: "> #",
                field: Field::Index,
                align: Align::Left(5),
            },
            Piece {
                before: "| ",
                field: Field::Label,
                align: Align::Plain,
            },
            Piece {
                before: " = ",
                field: Field::Status,
                align: Align::Right(16),
            },
        ],
        end: " %\\",
    };
    let labels = [
        "files.put /etc/motd",
        "a  [b]  c ",
        " it's \"quoted\" | = x ",
        "100% \\n $HOME `x`",
        "multi\nline\tlabel",
    ];
    for definition in [STATUS_LINE, OTHER] {
        let runtime = Runtime::parse(PARTS, &definition).unwrap();
        let mut calls = Vec::new();
        let mut expected = Vec::new();
        for (i, status) in STATUSES.iter().enumerate() {
            for (j, label) in labels.iter().enumerate() {
                let index = if j % 2 == 0 {
                    format!("{i}")
                } else {
                    format!("h{j}")
                };
                let label = kiln::runtime::status::escape(label).into_owned();
                let origin = format!("main.toml:{}", i * 10 + j);
                calls.push(format!(
                    "k_say {} {} {} {}",
                    quote(status),
                    quote(&index),
                    quote(&label),
                    quote(&origin)
                ));
                expected.push((status.to_string(), index, label, origin));
            }
        }
        let code = calls.join("\n");
        let script = format!("set -u\n{}{code}\n", runtime.for_code(&code));
        let temp = tempfile::tempdir().unwrap();
        let path = temp.path().join("say.sh");
        std::fs::write(&path, script).unwrap();
        for shell in SHELLS {
            let output = run_script(shell, &path, &[], temp.path());
            let stdout = String::from_utf8(output.stdout).unwrap();
            let read: Vec<(String, String, String, String)> = stdout
                .lines()
                .map(|line| {
                    let status = definition.parse(line).unwrap_or_else(|| {
                        panic!("{}: not a status line: {line:?}", shell_name(shell))
                    });
                    (status.status, status.index, status.label, status.origin)
                })
                .collect();
            assert_eq!(read, expected, "{} with {definition:?}", shell_name(shell));
        }
    }
}

/// A script carries the runtime its steps use, and a step run as another user gets, in that
/// user's shell, every runtime function it calls (`KILN_LIB`): with `sudo` and `su` stubs
/// that run the code they are given as this user, and `id` saying this user is someone
/// else, a file written through `sudo` and a line edited through `su` converge under every
/// shell. Functions no step uses are in neither.
#[test]
fn steps_run_as_another_user_get_the_runtime_they_call() {
    require!(Need::Shells);
    let root = tempfile::tempdir().unwrap();
    let manifest = r#"
[[op]]
op = "files.put"
dest = "{{ root }}/put"
content = "through sudo\n"
mode = "0640"
sudo_user = "bob"

[[op]]
op = "files.line"
path = "{{ root }}/lines"
line = "through su"
create = true
su_user = "bob"
"#;
    let output = Test::new()
        .file("main.toml", manifest)
        .args(["emit", "main.toml", "-i", "@local", "-e"])
        .arg(format!("root={}", root.path().display()))
        .run();
    output.assert_status(0);
    let script = &output.stdout;
    let count = |text: &str| script.matches(text).count();
    assert_eq!(count("\nk_write() {"), 1, "in KILN_LIB only");
    assert_eq!(count("\nk_edit() {"), 1, "in KILN_LIB only");
    assert_eq!(count("\nk_step() {"), 1, "in the script only");
    assert_eq!(count("\nk_pkgs() {"), 0, "used by no step");
    let stubs = tempfile::tempdir().unwrap();
    for (name, body) in [
        (
            "sudo",
            "for a; do shift; [ \"$a\" = -- ] && exec \"$@\"; done",
        ),
        ("su", "exec /bin/sh -c \"$5\""),
        (
            "id",
            "[ \"$1\" = -un ] && { echo someone-else; exit; }; exec /usr/bin/id \"$@\"",
        ),
    ] {
        let path = stubs.path().join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
    }
    let path = stubs.path().join("script.sh");
    std::fs::write(
        &path,
        format!(
            "PATH={}:$PATH\n{script}",
            quote(&stubs.path().display().to_string())
        ),
    )
    .unwrap();
    for shell in SHELLS {
        for entry in std::fs::read_dir(root.path()).unwrap() {
            std::fs::remove_file(entry.unwrap().path()).unwrap();
        }
        for expected in [(0, 2, 0, 0), (2, 0, 0, 0)] {
            let run = run_script(shell, &path, &[], root.path());
            let stdout = String::from_utf8_lossy(&run.stdout);
            assert_eq!(
                summary(&stdout),
                expected,
                "{}:\n{stdout}{}",
                shell_name(shell),
                String::from_utf8_lossy(&run.stderr)
            );
        }
        let read = |name: &str| std::fs::read_to_string(root.path().join(name)).unwrap();
        assert_eq!(read("put"), "through sudo\n", "{}", shell_name(shell));
        assert_eq!(read("lines"), "through su\n", "{}", shell_name(shell));
    }
}

/// The string literals of a Rust source, before its test module: a small lexer that knows
/// comments, character literals and lifetimes, and plain and raw strings.
fn string_literals(source: &str) -> Vec<(usize, String)> {
    let code = source.split("#[cfg(test)]").next().unwrap_or_default();
    let bytes = code.as_bytes();
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &code[i..];
        if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
        } else if rest.starts_with("/*") {
            i += rest.find("*/").map_or(rest.len(), |end| end + 2);
        } else if let Some(raw) = rest.strip_prefix('r').filter(|r| {
            let hashes = r.len() - r.trim_start_matches('#').len();
            r[hashes..].starts_with('"')
                && !code[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_')
        }) {
            let hashes = raw.len() - raw.trim_start_matches('#').len();
            let close = format!("\"{}", "#".repeat(hashes));
            let body = &raw[hashes + 1..];
            let end = body.find(&close).unwrap_or(body.len());
            found.push((line_of(i), body[..end].to_owned()));
            i += 1 + hashes + 1 + end + close.len();
        } else if rest.starts_with('"') {
            let mut end = 1;
            while end < rest.len() && rest.as_bytes()[end] != b'"' {
                end += if rest.as_bytes()[end] == b'\\' { 2 } else { 1 };
            }
            found.push((line_of(i), rest[1..end.min(rest.len())].to_owned()));
            i += end + 1;
        } else if let Some(after) = rest.strip_prefix('\'') {
            // A character literal ('x', '\n', '\''), else a lifetime.
            let len = if let Some(escaped) = after.strip_prefix('\\') {
                escaped.find('\'').map_or(1, |end| end + 3)
            } else {
                let c = after.chars().next().map_or(0, char::len_utf8);
                if after[c..].starts_with('\'') {
                    c + 2
                } else {
                    1
                }
            };
            i += len;
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    found
}

/// No Rust outside `src/runtime/` writes a runtime name (`k_...`) in a string: every call
/// into the runtime is made by `runtime::call`, which names the function and its
/// arguments. (Test modules, which check what the calls look like, are not counted.)
#[test]
fn runtime_calls_are_made_by_runtime_call_only() {
    fn sources(dir: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if !path.ends_with("runtime") {
                    sources(&path, files);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    assert!(files.len() > 50, "only {} files found", files.len());
    let mut written = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        for (line, literal) in string_literals(&source) {
            let names = literal.match_indices("k_").any(|(at, _)| {
                let before = literal[..at].chars().next_back();
                let after = literal[at + 2..].chars().next();
                !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                    && after.is_some_and(|c| c.is_ascii_lowercase())
            });
            if names {
                let shown = file.strip_prefix(&src).unwrap().display();
                written.push(format!("src/{shown}:{line}: {literal:?}"));
            }
        }
    }
    assert!(
        written.is_empty(),
        "runtime names written outside src/runtime/ (make the call with runtime::call):\n{}",
        written.join("\n")
    );
    // The lexer finds what it must.
    let sample = "let a = \"k_write x\"; // \"k_not_here\"\nlet b = r#\"k_edit \"q\"\"#; let c = '\"'; fn f<'a>() {}";
    let literals: Vec<String> = string_literals(sample)
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    assert_eq!(literals, ["k_write x", "k_edit \"q\""]);
}
