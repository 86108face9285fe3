//! Differential tests of kiln's regex dialect (`src/regex`): generated patterns of every
//! construct the dialect accepts, and generated lines, run through kiln's translation by
//! the runtime library's awk frame under mawk, gawk and busybox awk, must agree with
//! Rust's `regex` crate (Python's `re` semantics for these constructs): on which lines
//! match (`files.line`'s and `files.block`'s matching) and on what `files.replace` makes
//! of each line (leftmost-first matches, groups, `\g<name>`); and, with `after` / `before`,
//! on what `files.replace` edits, against Ansible's `replace` algorithm.
//!
//! The awks are called by name through a private `PATH` directory, so this machine's
//! `awk` is never changed. The tests that run them need all three (`Need::Awks`).

use std::path::{Path, PathBuf};
use std::process::Command;

use proptest::prelude::*;

use crate::support::need::{Need, require};
use crate::support::properties;

/// Each awk as a directory holding an `awk` that runs it.
fn awks(dir: &Path) -> Vec<(String, PathBuf)> {
    [
        ("mawk", "exec mawk \"$@\""),
        ("gawk", "exec gawk \"$@\""),
        ("busybox awk", "exec busybox awk \"$@\""),
    ]
    .iter()
    .map(|(name, exec)| {
        let bin = dir.join(name.replace(' ', "-"));
        std::fs::create_dir_all(&bin).unwrap();
        let awk = bin.join("awk");
        std::fs::write(&awk, format!("#!/bin/sh\n{exec}\n")).unwrap();
        std::fs::set_permissions(&awk, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        (name.to_string(), bin)
    })
    .collect()
}

/// Runs a library call on `file` with `awk_dir` first in `PATH`: what it prints.
fn library(awk_dir: &Path, dir: &Path, file: &Path, call: &str, args: &[&str]) -> String {
    try_library(awk_dir, dir, file, call, args)
        .unwrap_or_else(|stderr| panic!("{call} failed: {stderr}"))
}

/// [`library`], for a call that may fail: its standard error then.
fn try_library(
    awk_dir: &Path,
    dir: &Path,
    file: &Path,
    call: &str,
    args: &[&str],
) -> Result<String, String> {
    let lib = dir.join("lib.sh");
    if !lib.exists() {
        std::fs::write(&lib, kiln::runtime::runtime().all()).unwrap();
    }
    let script = format!(
        ". {lib}\nk_edit_src=$1 k_edit_noeol=0 k_edit_op=want k_edit_path=$1\nshift\n{call} \"$@\"\n",
        lib = lib.display()
    );
    let path = format!("{}:{}", awk_dir.display(), std::env::var("PATH").unwrap());
    let out = Command::new("dash")
        .args(["-c", &script, "sh"])
        .arg(file)
        .args(args)
        .env("PATH", path)
        .output()
        .unwrap();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(String::from_utf8(out.stdout).unwrap())
}

/// `rx_sub` on every line: `SUBSTITUTE PROGRAM REPLACEMENT`.
/// (The runtime's awk frame with an edit of its own in place of the ops'.)
const SUBSTITUTE: &str = r#"substitute() (
  K_RX=$1 K_REPL=$2 K_OP=want K_NOEOL=$k_edit_noeol K_PATH=$k_edit_path LC_ALL=C awk "$k_awk_edit"'
function edit(kind,  i) { for (i = 1; i <= n; i++) put(rx_sub(body[i]), term[i]); return 1 }' "$k_edit_src"
)
substitute"#;

/// A generated pattern in kiln's dialect and the same pattern for Rust's `regex`.
#[derive(Clone, Debug)]
struct Pattern {
    kiln: String,
    rust: String,
}

fn pat(kiln: &str, rust: &str) -> Pattern {
    Pattern {
        kiln: kiln.into(),
        rust: rust.into(),
    }
}

fn atom() -> impl Strategy<Value = Pattern> {
    prop_oneof![
        prop::sample::select(vec!["a", "b", "c", "1", "_", "-", " ", "é", "=", "#"])
            .prop_map(|c| pat(c, c)),
        Just(pat(r"\.", r"\.")),
        Just(pat(".", ".")),
        Just(pat(r"\d", "[0-9]")),
        Just(pat(r"\w", "[0-9A-Za-z_]")),
        Just(pat(r"\s", r"[\t\n\x0B\x0C\r ]")),
        Just(pat(r"\D", "[^0-9]")),
        Just(pat(r"\W", "[^0-9A-Za-z_]")),
        Just(pat(r"\S", r"[^\t\n\x0B\x0C\r ]")),
        Just(pat("[abc]", "[abc]")),
        Just(pat("[^a1 ]", "[^a1 ]")),
        Just(pat("[a-c_]", "[a-c_]")),
        Just(pat("[]a]", r"[\]a]")),
        Just(pat("[-é]", "[-é]")),
        Just(pat("[[:digit:]b]", "[[:digit:]b]")),
    ]
}

fn pattern() -> impl Strategy<Value = Pattern> {
    atom().prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            // Concatenation.
            prop::collection::vec(inner.clone(), 2..4).prop_map(|parts| Pattern {
                kiln: parts.iter().map(|p| p.kiln.as_str()).collect(),
                rust: parts.iter().map(|p| p.rust.as_str()).collect(),
            }),
            // Alternation, in a group.
            (inner.clone(), inner.clone()).prop_map(|(a, b)| pat(
                &format!("(?:{}|{})", a.kiln, b.kiln),
                &format!("(?:{}|{})", a.rust, b.rust)
            )),
            // Groups: numbered and named.
            inner
                .clone()
                .prop_map(|a| pat(&format!("({})", a.kiln), &format!("({})", a.rust))),
            inner
                .clone()
                .prop_map(|a| pat(&format!("(?P<n>{})", a.kiln), &format!("(?P<n>{})", a.rust))),
            // Repetitions.
            (
                inner,
                prop::sample::select(vec!["?", "*", "+", "{2}", "{1,3}", "{0,2}", "{2,}"])
            )
                .prop_map(|(a, q)| pat(
                    &format!("(?:{}){q}", a.kiln),
                    &format!("(?:{}){q}", a.rust)
                )),
        ]
    })
}

/// Anchors, `\b` at either end, and case-insensitivity around a generated core.
fn full_pattern() -> impl Strategy<Value = Pattern> {
    (
        pattern(),
        prop::sample::select(vec!["", "^", r"\b", r"\B"]),
        prop::sample::select(vec!["", "$", r"\b", r"\B"]),
        any::<bool>(),
    )
        .prop_map(|(core, start, end, fold)| {
            let rust_edge = |e: &str| match e {
                r"\b" => r"(?-u:\b)".to_owned(),
                r"\B" => r"(?-u:\B)".to_owned(),
                e => e.to_owned(),
            };
            let flag = if fold { "(?i)" } else { "" };
            pat(
                &format!("{flag}{start}{}{end}", core.kiln),
                &format!("{flag}{}{}{}", rust_edge(start), core.rust, rust_edge(end)),
            )
        })
}

fn line() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            'a', 'b', 'c', 'A', '1', '2', '_', '-', ' ', '\t', 'é', '=', '#', '.',
        ]),
        0..10,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

/// One generated case against every awk (nothing to compare when kiln refuses the pattern).
fn check_case(pattern: &Pattern, lines: &[String]) -> Result<(), String> {
    let Ok(ours) = kiln::regex::Regex::parse(&pattern.kiln, false) else {
        return Ok(());
    };
    let oracle = regex::Regex::new(&pattern.rust)
        .map_err(|e| format!("oracle rejects {}: {e}", pattern.rust))?;
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("text");
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(&file, &text).unwrap();
    let expected_kept: String = lines
        .iter()
        .filter(|l| !oracle.is_match(l))
        .map(|l| format!("{l}\n"))
        .collect();
    // The whole match and groups, in kiln's syntax and Rust's.
    let (template, rust_template) = if ours.groups() == 0 {
        (r"<\0>", "<${0}>")
    } else if ours.group_named("n").is_some() {
        (r"<\0|\g<n>\1>", "<${0}|${n}${1}>")
    } else {
        (r"<\0|\1>", "<${0}|${1}>")
    };
    let replacement = kiln::regex::Replacement::parse(template, &ours).ok();
    let program = ours.program().ok().filter(|_| !ours.matches_empty());
    for (name, dir) in awks(temp.path()) {
        let kept = library(
            &dir,
            temp.path(),
            &file,
            "k_line",
            &["--regexp", ours.ere(), "--absent"],
        );
        if kept != expected_kept {
            return Err(format!(
                "{name}: matching lines of {:?} (ERE {:?}) differ: kept {kept:?}, expected {expected_kept:?}",
                pattern.kiln,
                ours.ere()
            ));
        }
        if let (Some(program), Some(replacement)) = (&program, &replacement) {
            // The engine of `k_replace`, without its refusal of replacements that match again.
            let got = library(
                &dir,
                temp.path(),
                &file,
                SUBSTITUTE,
                &[program, &replacement.encode()],
            );
            let want: String = lines
                .iter()
                .map(|l| format!("{}\n", oracle.replace_all(l, rust_template)))
                .collect();
            if got != want {
                return Err(format!(
                    "{name}: replacing {:?} differs: got {got:?}, expected {want:?}",
                    pattern.kiln
                ));
            }
        }
    }
    Ok(())
}

/// `after` / `before` of `files.replace`: patterns of a fixed length that match within a
/// line (what kiln accepts there, and finds where Ansible finds it; see
/// `src/ops/files/replace.rs`).
fn bound() -> impl Strategy<Value = Option<Pattern>> {
    prop::option::of(prop::sample::select(vec![
        pat("a", "a"),
        pat("b=", "b="),
        pat("#", "#"),
        pat("c-", "c-"),
        pat("[ab]1", "[ab]1"),
        pat(r"\d\d", "[0-9][0-9]"),
        pat(r"\bab\b", r"(?-u:\b)ab(?-u:\b)"),
        pat("(?:a|b)c", "(?:a|b)c"),
        pat("é", "é"),
    ]))
}

/// What Ansible's `replace` makes of `text` (from `lib/ansible/modules/replace.py`: the
/// section after the first match of `after` and before `before`, found with `re.DOTALL`
/// in the whole file), with kiln's one documented difference: `regexp` is matched within
/// each line of the section, never across a line break.
fn ansible_replace(
    text: &str,
    after: Option<&Pattern>,
    before: Option<&Pattern>,
    regexp: &regex::Regex,
    template: &str,
) -> String {
    let section = match (after, before) {
        (Some(a), Some(b)) => Some(format!("(?s){}(?P<sub>.*?){}", a.rust, b.rust)),
        (Some(a), None) => Some(format!("(?s){}(?P<sub>.*)", a.rust)),
        (None, Some(b)) => Some(format!("(?s)(?P<sub>.*){}", b.rust)),
        (None, None) => None,
    };
    let (start, end) = match section {
        None => (0, text.len()),
        Some(section) => match regex::Regex::new(&section).unwrap().captures(text) {
            Some(found) => {
                let sub = found.name("sub").unwrap();
                (sub.start(), sub.end())
            }
            None => return text.to_owned(),
        },
    };
    let edited: Vec<String> = text[start..end]
        .split('\n')
        .map(|l| regexp.replace_all(l, template).into_owned())
        .collect();
    format!("{}{}{}", &text[..start], edited.join("\n"), &text[end..])
}

/// `k_replace` with `after` / `before` under every awk against [`ansible_replace`]: the same
/// file, or, where a second run would change it again, a failure.
fn check_section(
    pattern: &Pattern,
    after: Option<&Pattern>,
    before: Option<&Pattern>,
    lines: &[String],
) -> Result<(), String> {
    let Ok(ours) = kiln::regex::Regex::parse(&pattern.kiln, false) else {
        return Ok(());
    };
    let Ok(program) = ours.program() else {
        return Ok(());
    };
    if ours.matches_empty() {
        return Ok(());
    }
    let bound_program = |b: Option<&Pattern>| {
        b.map_or(String::new(), |b| {
            kiln::regex::Regex::parse(&b.kiln, false)
                .and_then(|r| r.program())
                .unwrap()
        })
    };
    let (after_program, before_program) = (bound_program(after), bound_program(before));
    let replacement = kiln::regex::Replacement::parse(r"<\0>", &ours).unwrap();
    let oracle = regex::Regex::new(&format!("(?m){}", pattern.rust))
        .map_err(|e| format!("oracle rejects {}: {e}", pattern.rust))?;
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("text");
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(&file, &text).unwrap();
    let want = ansible_replace(&text, after, before, &oracle, "<${0}>");
    let settles = ansible_replace(&want, after, before, &oracle, "<${0}>") == want;
    for (name, dir) in awks(temp.path()) {
        let got = try_library(
            &dir,
            temp.path(),
            &file,
            "k_replace",
            &[
                "--program",
                &program,
                "--replacement",
                &replacement.encode(),
                "--after",
                &after_program,
                "--before",
                &before_program,
            ],
        );
        match (&got, settles) {
            (Ok(got), true) if *got == want => {}
            (Err(_), false) => {}
            _ => {
                return Err(format!(
                    "{name}: replacing {:?} after {after:?} before {before:?}: got {got:?}, expected {want:?}{}",
                    pattern.kiln,
                    if settles {
                        ""
                    } else {
                        " to fail (not settling)"
                    }
                ));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(properties::config(200))]

    /// Any text: a translation or a refusal inside the pattern, never a panic.
    #[test]
    fn any_text_is_translated_or_refused(pattern in r"[\\()\[\]{}?*+|^$.,0-9a-zé<>=:!PgbBdswDSW-]{0,16}") {
        match kiln::regex::Regex::parse(&pattern, false) {
            Ok(regex) => {
                let _ = regex.program();
                let _ = kiln::regex::Replacement::parse(&pattern, &regex);
            }
            Err(refusal) => prop_assert!(refusal.at.end <= pattern.len(), "{refusal:?}"),
        }
    }

    fn translation_agrees_with_rust_regex_property(
        pattern in full_pattern(),
        lines in prop::collection::vec(line(), 1..24),
    ) {
        // Refused patterns have their own tests (fixtures/diagnostics); they must stay few.
        prop_assume!(kiln::regex::Regex::parse(&pattern.kiln, false).is_ok());
        if let Err(problem) = check_case(&pattern, &lines) {
            prop_assert!(false, "{}", problem);
        }
    }

    /// `files.replace` with `after` / `before` edits where Ansible's `replace` does.
    fn replace_between_after_and_before_agrees_with_ansible_property(
        pattern in full_pattern(),
        after in bound(),
        before in bound(),
        lines in prop::collection::vec(line(), 1..12),
    ) {
        if let Err(problem) = check_section(&pattern, after.as_ref(), before.as_ref(), &lines) {
            prop_assert!(false, "{}", problem);
        }
    }
}

/// `translation_agrees_with_rust_regex_property` where the machine has what it runs under.
#[test]
fn translation_agrees_with_rust_regex() {
    require!(Need::Awks);
    translation_agrees_with_rust_regex_property();
}

/// `replace_between_after_and_before_agrees_with_ansible_property` where the machine has what it runs under.
#[test]
fn replace_between_after_and_before_agrees_with_ansible() {
    require!(Need::Awks);
    replace_between_after_and_before_agrees_with_ansible_property();
}
