//! `when` decides the same live and in an emitted script: for generated conditions over
//! generated facts, the shell test `bind::when` emits (run under dash and mksh, with the
//! facts as the host probe prints them) decides as minijinja does with the parsed facts
//! (strict undefined: a missing fact is an error, status 2 on the host), or the
//! translation refuses the condition. Plus the cases issue 11 found, and a missing fact
//! failing the op in a real emitted script under every shell.

use std::process::Command;

use kiln::facts::{FACTS, FactType, Kind};
use proptest::prelude::*;

use crate::support::kiln::Test;
use crate::support::need::{Need, require};
use crate::support::{properties, shells};

/// minijinja's decision: `Some(truth)`, or `None` for an error.
fn minijinja_decides(condition: &str, probe: &str) -> Option<bool> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    let facts = minijinja::Value::from(minijinja::value::Serde(&kiln::facts::parse(probe, &[]).0));
    let expression = env.compile_expression(condition).ok()?;
    expression
        .eval(minijinja::context! { facts => facts })
        .ok()
        .map(|v| v.is_true())
}

/// The emitted test's decision under `shell`, with `k_facts` as the probe printed them:
/// `Some(truth)`, or `None` when it could not decide (status 2).
fn shell_decides(shell: &str, test: &str, probe: &str) -> Option<bool> {
    let script = format!(
        "{}\nk_facts={}\nk_w() {{\n{test}\n}}\nk_w\n",
        kiln::runtime::for_code(test),
        kiln::shell::quote(probe)
    );
    let output = Command::new(shell).arg("-c").arg(&script).output().unwrap();
    match output.status.code() {
        Some(0) => Some(true),
        Some(1) => Some(false),
        Some(2) => None,
        other => panic!(
            "{shell}: status {other:?}\n{test}\n{}",
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

/// `Ok(decisions under dash and mksh)`, or `Err` when the translation refuses.
fn host_decides(condition: &str, probe: &str) -> Result<Vec<Option<bool>>, String> {
    let test = kiln::bind::when::to_shell(condition, &|_| None, &|_| None)?;
    Ok(["dash", "mksh"]
        .iter()
        .map(|shell| shell_decides(shell, test.text(), probe))
        .collect())
}

fn agree(condition: &str, probe: &str) -> bool {
    let expected = minijinja_decides(condition, probe);
    match host_decides(condition, probe) {
        Ok(decisions) => {
            for decision in decisions {
                assert_eq!(decision, expected, "`{condition}` with facts\n{probe}");
            }
            true
        }
        Err(_) => false,
    }
}

const STRINGS: &[&str] = &[
    "debian", "deb", "12", "0", "", "a b", "it's", "x*y", "[ab]", "a\\b", "$HOME", "-n", "!", "=",
    "true", "é",
];
const NAMES: &[&str] = &["root", "www", "deb", "0"];

fn probe_output() -> impl Strategy<Value = String> {
    let lines: Vec<BoxedStrategy<Option<String>>> = host_facts()
        .map(|(path, ty, always)| {
            let value: BoxedStrategy<String> = match ty {
                FactType::Str => prop::sample::select(STRINGS)
                    .prop_map(str::to_owned)
                    .boxed(),
                FactType::Int => prop::sample::select(&[0, 1, 12, 1000][..])
                    .prop_map(|n: i32| n.to_string())
                    .boxed(),
                FactType::List => prop::collection::vec(prop::sample::select(NAMES), 0..3)
                    .prop_map(|items| items.iter().map(|i| format!("{i},")).collect())
                    .boxed(),
            };
            let line = value.prop_map(move |v| format!("{path}={v}\n"));
            if always {
                line.prop_map(Some).boxed()
            } else {
                prop::option::of(line).boxed()
            }
        })
        .collect();
    lines.prop_map(|lines| lines.into_iter().flatten().collect())
}

/// The facts scripts gather on the host: path, type, whether every host has it.
fn host_facts() -> impl Iterator<Item = (&'static str, FactType, bool)> {
    FACTS.iter().filter_map(|f| match f.kind {
        Kind::Host(ty) => Some((f.path, ty, f.always)),
        Kind::Surveyed(_) => None,
    })
}

/// A minijinja string literal of `s`: quoted, with its escapes.
fn string_literal(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn operand() -> impl Strategy<Value = String> {
    let fact = prop::sample::select(
        host_facts()
            .map(|(p, _, _)| format!("facts.{p}"))
            .chain(["facts.nonexistent".to_owned()])
            .collect::<Vec<_>>(),
    );
    let scalar = prop_oneof![
        prop::sample::select(STRINGS).prop_map(string_literal),
        prop::sample::select(NAMES).prop_map(string_literal),
        Just("'a\\tb'".to_owned()),
        prop::sample::select(&["0", "1", "12", "1000", "true", "False", "none"][..])
            .prop_map(str::to_owned),
    ];
    let list = prop::collection::vec(scalar.clone(), 0..3)
        .prop_map(|items| format!("[{}]", items.join(", ")));
    prop_oneof![3 => fact, 2 => scalar, 1 => list]
}

fn condition() -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        operand(),
        (
            operand(),
            prop::sample::select(&["==", "!=", "in", "not in"][..]),
            operand()
        )
            .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
    ];
    atom.prop_recursive(3, 8, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|c| format!("not ({c})")),
            (
                inner.clone(),
                prop::sample::select(&["and", "or"][..]),
                inner
            )
                .prop_map(|(a, op, b)| format!("({a}) {op} ({b})")),
        ]
    })
}

proptest! {
    #![proptest_config(properties::config(300))]

    /// 300 decided conditions; a refused one does not count (and too many refusals fail
    /// the test: proptest's limit on rejected cases).
    fn the_host_decides_as_minijinja_property(condition in condition(), probe in probe_output()) {
        prop_assume!(agree(&condition, &probe));
    }
}

/// `the_host_decides_as_minijinja_property` where the machine has what it runs under.
#[test]
fn the_host_decides_as_minijinja() {
    require!(Need::Shells);
    the_host_decides_as_minijinja_property();
}

const DEBIAN: &str = "os.id=debian\nos.version=12\nos.family=debian\nos.system=Linux\narch=x86_64\nkernel=6.1\nhostname=h\nuser.name=root\nuser.uid=0\ninit.system=systemd\nusers=root,www,\ngroups=root,\n";

/// The cases issue 11 found: each decided as minijinja decides, live and on the host.
#[test]
fn the_cases_that_disagreed() {
    require!(Need::Shells);
    for (condition, expected) in [
        ("facts.os.version == 12", Some(false)),
        ("facts.os.version == '12'", Some(true)),
        ("facts.user.uid == '0'", Some(false)),
        ("facts.user.uid == 0", Some(true)),
        ("'deb' in facts.os.family", Some(true)),
        ("'www' in facts.users", Some(true)),
        ("'ww' in facts.users", Some(false)),
        ("facts.arch == 'x86\\u005f64'", Some(true)),
        ("facts.arch != \"x86\\t64\"", Some(true)),
        // A fact this host lacks: an error in both.
        ("facts.os.codename == 'x'", None),
        ("false and facts.os.codename == 'x'", Some(false)),
    ] {
        assert_eq!(
            minijinja_decides(condition, DEBIAN),
            expected,
            "{condition}"
        );
        assert!(agree(condition, DEBIAN), "`{condition}` was refused");
    }
    // A fact no host has is refused at emit time, pointing at it.
    let refused =
        kiln::bind::when::to_shell("facts.nonexistent == 'x'", &|_| None, &|_| None).unwrap_err();
    assert!(
        refused.contains("`facts.nonexistent` is not a fact"),
        "{refused}"
    );
}

/// In an emitted script, a `when` over a fact the host lacks fails its op, saying which
/// fact, under every shell (the script's gathered facts are replaced by a host's without
/// `os.codename`).
#[test]
fn a_missing_fact_fails_the_op_in_a_script() {
    require!(Need::Shells);
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("root");
    std::fs::write(
        temp.path().join("main.toml"),
        "[[op]]\nop = \"files.file\"\npath = \"{{ root }}/f\"\nwhen = \"facts.os.codename == 'bookworm'\"\n",
    )
    .unwrap();
    let output = Test::new()
        .current_dir(temp.path())
        .args(["emit", "main.toml", "-i", "ssh://nobody@192.0.2.1", "-e"])
        .arg(format!("root={}", root.display()))
        .run();
    let script = &output.assert_status(0).stdout;
    assert!(script.contains("k_facts=$(k_gather)"));
    let script = script.replace(
        "k_facts=$(k_gather)",
        &format!("k_facts={}", kiln::shell::quote(DEBIAN)),
    );
    let path = temp.path().join("script.sh");
    std::fs::write(&path, &script).unwrap();
    for shell in shells::SHELLS {
        let run = shells::run_script(shell, &path, &[], temp.path());
        let out = String::from_utf8_lossy(&run.stdout);
        assert_eq!(
            run.status.code(),
            Some(1),
            "{}: {out}",
            shells::shell_name(shell)
        );
        assert_eq!(shells::summary(&out), (0, 0, 1, 0), "{out}");
        assert!(
            String::from_utf8_lossy(&run.stderr)
                .contains("this host has no fact os.codename, which a when condition uses"),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(!root.join("f").exists());
    }
}
