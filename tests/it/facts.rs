//! Host facts: the probe's parsers on real outputs of each source (`fixtures/facts/<case>/`:
//! one file per source, named `SECTION.SOURCE` as the probe prints it, and `os-release`,
//! read by the real probe; `facts.json`, what kiln makes of them; one test per case,
//! `facts::case::<case>`, rewritten with `KILN_BLESS=1`); the probe run for real under
//! every shell and in the Debian root, where the host facts scripts read with `k_fact`
//! must be what kiln parses; custom facts gathered in the same run, whose output forges
//! nothing; and `when` refusing, at emit, the facts scripts do not gather.

use std::path::{Path, PathBuf};
use std::process::Command;

use kiln::facts::{FACTS, Kind};
use serde_json::{Value, json};

use crate::support::debian::Root;
use crate::support::kiln::Test;
use crate::support::need::{Need, require};
use crate::support::shells::{SHELLS, shell_name, shellcheck};

// The generated tests, `facts::case::<case>`, and `CASES` (see `build.rs`).
include!(concat!(env!("OUT_DIR"), "/fact_cases.rs"));

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/facts")
}

/// The host detection the probe calls, as a host without an init system or a package
/// manager answers it: a fixture's facts come from its files only.
const NO_DETECTION: &str = "k_init_system() { echo unknown; }\nk_pkg_manager() { return 1; }\n";

/// What the probe prints for the case: its `os.*` facts from the case's `os-release`, then
/// a section per source file.
fn probe_output(case: &Path) -> String {
    let mut output = String::new();
    let os_release = case.join("os-release");
    if os_release.is_file() {
        let probe = kiln::facts::PROBE.replace("/etc/os-release", os_release.to_str().unwrap());
        let ran = Command::new("sh")
            .arg("-c")
            .arg(format!("{NO_DETECTION}{probe}"))
            .output()
            .unwrap();
        let text = String::from_utf8(ran.stdout).unwrap();
        output.extend(
            text.lines()
                .filter(|l| l.starts_with("os."))
                .map(|l| format!("{l}\n")),
        );
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(case)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in files {
        let name = file.file_name().unwrap().to_str().unwrap();
        let Some((section, source)) = name.rsplit_once('.') else {
            continue;
        };
        if name == "facts.json" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        output.push_str(&format!("@{section} {source}\n{text}@end\n"));
    }
    output
}

/// One case's test: the parsed facts are the committed `facts.json`.
fn check_case(name: &str) {
    let case = fixtures().join(name);
    let parsed = kiln::facts::parse(&probe_output(&case), &[]).0;
    let expected_path = case.join("facts.json");
    if std::env::var_os("KILN_BLESS").is_some() {
        let text = serde_json::to_string_pretty(&parsed).unwrap() + "\n";
        std::fs::write(&expected_path, text).unwrap();
        return;
    }
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display())),
    )
    .unwrap();
    assert_eq!(
        parsed, expected,
        "{name}: run with KILN_BLESS=1 and review the diff"
    );
}

#[test]
fn every_case_directory_has_its_test() {
    let mut on_disk: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().into_string().unwrap())
        .collect();
    on_disk.sort();
    assert_eq!(CASES, on_disk, "build.rs wrote tests for other cases");
    for family in [
        "debian", "ubuntu", "alpine", "rocky", "fedora", "arch", "opensuse",
    ] {
        assert!(
            CASES.iter().any(|c| c.starts_with(family)),
            "no fact fixture for {family}"
        );
    }
}

/// The host facts (those scripts decide `when` on) as `k_fact` reads them on the host,
/// with the probe's own output: `(path, value)` lines, then the probe's output.
fn host_side(run: impl Fn(&str) -> std::process::Output) -> (Vec<(String, String)>, String) {
    let paths: Vec<&str> = FACTS
        .iter()
        .filter(|f| matches!(f.kind, Kind::Host(_)))
        .map(|f| f.path)
        .collect();
    let mut code = kiln::runtime::call::gather_facts(kiln::facts::PROBE)
        .text()
        .to_owned();
    code.push_str("\nprintf '%s\\n' \"$k_facts\"\necho @@\n");
    for path in &paths {
        code.push_str(&format!("printf '%s\\n' \"$(k_fact {path})\"\n"));
    }
    let script = kiln::runtime::for_code(&code) + "\n" + &code;
    let output = run(&script);
    let stdout = String::from_utf8(output.stdout).unwrap();
    let (probe, read) = stdout
        .split_once("@@\n")
        .expect("the script ran to its end");
    let values = paths
        .iter()
        .map(|p| p.to_string())
        .zip(read.lines().map(str::to_owned))
        .collect();
    (values, probe.to_owned())
}

/// `k_fact`'s text for a parsed value: what the probe printed.
fn as_printed(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|i| format!("{},", i.as_str().unwrap()))
            .collect(),
        other => other.to_string(),
    }
}

fn at<'a>(facts: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(facts, |v, part| &v[part])
}

/// What scripts read with `k_fact` is what kiln parses from the same run.
fn assert_host_side_agrees(values: &[(String, String)], probe: &str, place: &str) {
    let parsed = kiln::facts::parse(probe, &[]).0;
    for (path, read) in values {
        assert_eq!(
            *read,
            as_printed(at(&parsed, path)),
            "{place}: `k_fact {path}` and kiln's parse differ"
        );
    }
}

#[test]
fn the_probe_says_the_same_under_every_shell_and_scripts_read_what_kiln_parses() {
    require!(Need::Shells);
    let mut first: Option<(String, Value)> = None;
    for shell in SHELLS {
        let name = shell_name(shell);
        let output = Command::new(shell[0])
            .args(&shell[1..])
            .arg("-c")
            .arg(kiln::facts::GATHER)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(output.status.success(), "{name}: the probe failed");
        let facts = kiln::facts::parse(&String::from_utf8(output.stdout).unwrap(), &[]).0;
        for fact in FACTS.iter().filter(|f| f.always) {
            assert!(!at(&facts, fact.path).is_null(), "{name}: no {}", fact.path);
        }
        assert!(
            facts["mounts"].as_array().is_some_and(|m| !m.is_empty()),
            "{name}"
        );
        assert!(
            facts["cpu"]["count"].as_i64().is_some_and(|n| n > 0),
            "{name}"
        );
        match &first {
            None => first = Some((name.clone(), facts)),
            Some((first_name, first_facts)) => {
                assert_eq!(&facts, first_facts, "{name} and {first_name} differ")
            }
        }
        let (values, probe) = host_side(|script| {
            Command::new(shell[0])
                .args(&shell[1..])
                .arg("-c")
                .arg(script)
                .output()
                .unwrap()
        });
        assert_host_side_agrees(&values, &probe, &name);
    }
}

#[test]
fn the_probe_in_the_debian_root() {
    require!(Need::DebianRoot);
    let root = Root::new();
    let output = root.run_script(kiln::facts::GATHER, &[]);
    assert!(output.status.success(), "the probe failed in the root");
    let facts = kiln::facts::parse(&String::from_utf8(output.stdout).unwrap(), &[]).0;
    assert_eq!(facts["os"]["id"], "debian");
    assert_eq!(facts["os"]["version_major"], 12);
    assert_eq!(facts["pkg"]["manager"], "apt");
    let dash = root.sh_ok("dpkg-query -W -f '${Version}' dash");
    assert_eq!(facts["packages"]["dash"], json!([dash]));
    let (values, probe) = host_side(|script| root.run_script(script, &[]));
    assert_host_side_agrees(&values, &probe, "the Debian root");
}

/// A custom fact's command prints lines that look like the probe's own: they stay its
/// value, and every other fact is as without it.
#[test]
fn a_custom_fact_forges_no_other_fact() {
    let forger = kiln::facts::Custom {
        name: "forger".into(),
        command: kiln::shell::UserShell(
            "printf 'os.family=evil\\n@end\\n@custom other\\n|x\\nno final newline'".into(),
        ),
        parse: kiln::facts::Parse::Lines,
    };
    let facts = kiln::facts::local(std::slice::from_ref(&forger)).unwrap().0;
    let without = kiln::facts::local(&[]).unwrap().0;
    assert_eq!(
        facts["custom"]["forger"],
        json!([
            "os.family=evil",
            "@end",
            "@custom other",
            "|x",
            "no final newline"
        ])
    );
    assert_eq!(facts["os"], without["os"]);
    assert_eq!(facts["custom"].as_object().unwrap().len(), 1);
}

const CUSTOM_FACTS_TOML: &str = r#"
[facts.greeting]
command = "echo 'hello world'"

[facts.shell_version]
command = "printf 'GNU bash, version 5.2.15(1)-release\n'"
parse = "regex"
pattern = "version ([0-9.]+)"

[facts.settings]
command = "printf 'a=1\nb = two\n'"
parse = "key_value"

[[op]]
op = "files.put"
dest = "/tmp/kiln-custom-facts"
content = "{{ facts.custom.greeting }} {{ facts.custom.shell_version }} {{ facts.custom.settings.b }}\n"
"#;

const CUSTOM_FACTS_KDL: &str = r#"
fact "greeting" command="echo 'hello world'"
fact "shell_version" command="printf 'GNU bash, version 5.2.15(1)-release\n'" parse="regex" pattern="version ([0-9.]+)"
fact "settings" command="printf 'a=1\nb = two\n'" parse="key_value"

files.put dest="/tmp/kiln-custom-facts" content="{{ facts.custom.greeting }} {{ facts.custom.shell_version }} {{ facts.custom.settings.b }}\n"
"#;

/// Custom facts, in both spellings, gathered for `@local` and used in a template.
#[test]
fn custom_facts_reach_templates_in_both_spellings() {
    for (file, text) in [
        ("main.toml", CUSTOM_FACTS_TOML),
        ("main.kdl", CUSTOM_FACTS_KDL),
    ] {
        let output = Test::new()
            .file(file, text)
            .args(["emit", file, "-i", "@local"])
            .run();
        output.assert_status(0);
        output.assert_stdout_contains("hello world 5.2.15 two");
    }
}

/// What scripts cannot gather is refused at emit, saying why; what they can is decided
/// on the host.
#[test]
fn when_refuses_facts_scripts_do_not_gather() {
    for condition in [
        "'openssh-server' in facts.packages",
        "facts.virt.kind == 'vm'",
        "facts.custom.greeting == 'hi'",
    ] {
        let manifest = format!(
            "[facts.greeting]\ncommand = \"echo hi\"\n\n[[op]]\nop = \"server.shell\"\ncommands = [\"true\"]\ncreates = \"/x\"\nwhen = \"{condition}\"\n",
        );
        let output = Test::new()
            .file("main.toml", manifest)
            .args(["emit", "main.toml", "-i", "ssh://example.invalid"])
            .run();
        output.assert_status(1);
        output.assert_stderr_contains("kiln::invalid-when");
        let said: String = output.stderr.replace('│', " ");
        let said = said.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            said.contains("gathered by kiln, not by the script on the host"),
            "{condition}: {said}"
        );
    }
    let decided = Test::new()
        .file(
            "main.toml",
            "[[op]]\nop = \"server.shell\"\ncommands = [\"true\"]\ncreates = \"/x\"\nwhen = \"facts.os.version_major == 12 and facts.cpu.count != 0\"\n",
        )
        .args(["emit", "main.toml", "-i", "ssh://example.invalid"])
        .run();
    decided.assert_status(0);
    decided.assert_stdout_contains("k_fact 'os.version_major'");
}

/// A custom fact costs no round trip: `apply` gathers it in the probe of its one command,
/// and the value reaches the file.
#[test]
fn a_custom_fact_is_gathered_in_the_same_round_trip() {
    let test = Test::new().file(
        "main.toml",
        "[facts.answer]\ncommand = \"echo '{\\\"n\\\": 42}'\"\nparse = \"json\"\n\n[[op]]\nop = \"files.put\"\ndest = \"{{ root }}/answer\"\ncontent = \"{{ facts.custom.answer.n }}\\n\"\n",
    );
    let root = test.path().to_owned();
    let output = test
        .args(["apply", ".", "-i", "@local", "-y", "--format", "json", "-e"])
        .arg(format!("root={}", root.display()))
        .run();
    output.assert_status(0);
    let report = output.json();
    assert_eq!(report["hosts"][0]["round_trips"], 1, "{report}");
    assert_eq!(
        std::fs::read_to_string(root.join("answer")).unwrap(),
        "42\n"
    );
}

/// The part of the probe every script with a `when` over facts runs starts few
/// processes: `uname` once, `id` twice, `cut` and `tr` for the account files.
#[test]
fn the_scripts_probe_starts_few_processes() {
    require!(Need::Strace);
    let script = format!(
        "{}\n{}",
        kiln::runtime::for_code("k_init_system; k_pkg_manager"),
        kiln::facts::PROBE
    );
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace");
    let status = Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=execve", "-o"])
        .arg(&trace)
        .args(["dash", "-c", &script])
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let trace = std::fs::read_to_string(&trace).unwrap();
    // The shell's own execve is not the probe's.
    let started = trace.lines().filter(|l| l.contains("execve(")).count() - 1;
    assert!(
        started <= 7,
        "the probe started {started} processes:\n{trace}"
    );
}

/// With `emit --facts FILE`, a custom fact is the file's `custom.NAME`.
#[test]
fn a_custom_fact_comes_from_the_facts_file() {
    Test::new()
        .file("main.toml", CUSTOM_FACTS_TOML)
        .file(
            "facts.json",
            r#"{"custom": {"greeting": "hi there", "shell_version": "4.4", "settings": {"b": "x"}}}"#,
        )
        .args(["emit", "main.toml", "-i", "ssh://example.invalid", "--facts", "facts.json"])
        .run()
        .assert_status(0)
        .assert_stdout_contains("hi there 4.4 x");
}

/// The whole probe, with a custom fact's part, is clean POSIX sh for shellcheck (the
/// scripts' part is checked within every emitted script too).
#[test]
fn the_probe_passes_shellcheck() {
    require!(Need::Shellcheck);
    let custom = kiln::facts::Custom {
        name: "uptime".into(),
        command: kiln::shell::UserShell("cat /proc/uptime".into()),
        parse: kiln::facts::Parse::Raw,
    };
    let dir = tempfile::tempdir().unwrap();
    let probe = dir.path().join("probe.sh");
    std::fs::write(&probe, kiln::facts::probe(&[custom])).unwrap();
    shellcheck(&probe);
}
