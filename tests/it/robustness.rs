//! No input makes kiln panic or hang: truncated, mutated, binary, huge and deeply nested
//! manifests and inventories, in both spellings, through the whole checker; and arbitrary
//! Unicode inside templates, `when` and keys, through checking and binding, with every
//! diagnostic rendered in every format.

use std::path::Path;

use kiln::check::{Context, compile};
use kiln::diagnostic::Diagnostics;
use kiln::source::SourceMap;
use proptest::prelude::*;

use crate::support::properties;

const TOML_SEED: &str = r#"
[vars]
site = "example.org"
ports = [80, 443]

[[op]]
op = "files.line"
path = "/etc/hosts"
line = "127.0.0.1 {{ site }}"
notify = ["reload"]
when = "facts.os.family == 'debian'"

[[op]]
include = "roles/base"
vars = { admin = "ops" }

[[handler]]
id = "reload"
op = "systemd.service"
service = "nginx"
reloaded = true
"#;

const KDL_SEED: &str = r#"
vars { site "example.org"; ports 80 443; }
files.line "/etc/hosts" line="127.0.0.1 {{ site }}" notify="reload" {
    when "facts.os.family == 'debian'"
}
include "roles/base" { vars { admin "ops"; }; }
handler "reload" { systemd.service "nginx" reloaded=#true; }
"#;

/// Checks `text` as a manifest named `name` and as an inventory; must return, not panic.
fn check_bytes(name: &str, bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let mut sources = SourceMap::new();
    let mut diagnostics = Diagnostics::default();
    let _ = compile(&mut sources, &path, &Context::default(), &mut diagnostics);
    // Whatever was found must render in every format.
    let sorted = diagnostics.sorted();
    let _ = kiln::diagnostic::render::human(
        &sources,
        &sorted,
        kiln::diagnostic::render::HumanStyle {
            color: false,
            width: 80,
        },
    );
    let _ = kiln::diagnostic::render::json(&sources, &sorted);
    let _ = kiln::diagnostic::render::github(&sources, &sorted);
    let mut diagnostics = Diagnostics::default();
    let _ = kiln::inventory::load(
        &mut sources,
        &[path.display().to_string()],
        &[],
        &mut diagnostics,
    );
}

/// Checks the manifest `text` named `name`, binds it to `@local` (without facts) when it
/// checks, and renders every diagnostic of both stages in every format.
fn check_and_bind(name: &str, bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let mut sources = SourceMap::new();
    let mut diagnostics = Diagnostics::default();
    if let Some(compiled) = compile(&mut sources, &path, &Context::default(), &mut diagnostics) {
        let inventory =
            kiln::inventory::load(&mut sources, &["@local".to_owned()], &[], &mut diagnostics);
        for host in &inventory.hosts {
            let _ = kiln::bind::bind(&sources, &compiled, host, None, &mut diagnostics);
        }
    }
    let sorted = diagnostics.sorted();
    let _ = kiln::diagnostic::render::human(
        &sources,
        &sorted,
        kiln::diagnostic::render::HumanStyle {
            color: false,
            width: 80,
        },
    );
    let _ = kiln::diagnostic::render::json(&sources, &sorted);
    let _ = kiln::diagnostic::render::github(&sources, &sorted);
}

/// Characters that have broken span arithmetic: multi-byte ones, combining marks, spaces
/// that are not ASCII, right-to-left text and controls, emoji and their joiners.
const TRICKY: &[char] = &[
    '\u{a0}',
    '\u{301}',
    '\u{200b}',
    '\u{200d}',
    '\u{202e}',
    '\u{5d0}',
    '\u{feff}',
    'é',
    '😀',
    '👩',
    '\u{1f3fd}',
    '\u{10ffff}',
    '\u{3000}',
    'ß',
    '\u{0}',
    '\t',
    '\u{7f}',
];

/// One inserted piece of text: tricky characters and arbitrary ones, each written as it
/// is or as an escape (which the string's decoding turns back into the character).
fn unicode_piece() -> impl Strategy<Value = Vec<(char, bool)>> {
    let tricky = proptest::sample::select(TRICKY);
    let character = prop_oneof![3 => tricky, 1 => any::<char>(), 1 => "[{}|%#'\" a-z]".prop_map(|s| s.chars().next().unwrap())];
    proptest::collection::vec((character, any::<bool>()), 1..6)
}

/// `piece` as the inside of a TOML or KDL string: quotes and backslashes escaped, and the
/// characters marked so written as `\u` escapes (TOML `\uXXXX`/`\UXXXXXXXX`, KDL `\u{X}`).
fn spelled(piece: &[(char, bool)], kdl: bool) -> String {
    piece
        .iter()
        .map(|&(c, escaped)| match c {
            '"' => "\\\"".to_owned(),
            '\\' => "\\\\".to_owned(),
            c if escaped || c.is_control() => {
                if kdl {
                    format!("\\u{{{:x}}}", c as u32)
                } else if (c as u32) < 0x10000 {
                    format!("\\u{:04x}", c as u32)
                } else {
                    format!("\\U{:08x}", c as u32)
                }
            }
            c => c.to_string(),
        })
        .collect()
}

/// A manifest with `piece` inside a template, a `when`, a variable's name and an argument's
/// name, in TOML or KDL.
fn manifest_with(piece: &[(char, bool)], kdl: bool) -> String {
    let text = spelled(piece, kdl);
    // Quoted: a key with any character in it.
    let key = format!("\"k{text}\"");
    if kdl {
        format!(
            "vars {{ site \"example.org\"; {key} \"{{{{ site{text} }}}}\"; }}\n\
             files.line \"/etc/{{{{ site }}}}\" line=\"a {{{{ site {text}}}}} {text}\" {key}=\"x\" {{\n\
             \x20   when \"site == '{text}' or site{text}\"\n}}\n"
        )
    } else {
        format!(
            "[vars]\nsite = \"example.org\"\n{key} = \"{{{{ site{text} }}}}\"\n\n\
             [[op]]\nop = \"files.line\"\npath = \"/etc/{{{{ site }}}}\"\n\
             line = \"a {{{{ site {text}}}}} {text}\"\n{key} = \"x\"\n\
             when = \"site == '{text}' or site{text}\"\n"
        )
    }
}

fn both(bytes: &[u8]) {
    check_bytes("main.toml", bytes);
    check_bytes("main.kdl", bytes);
}

proptest! {
    #![proptest_config(properties::config(256))]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        both(&bytes);
    }

    #[test]
    fn arbitrary_text(text in "\\PC{0,300}") {
        both(text.as_bytes());
    }

    #[test]
    fn truncated_seeds(cut in 0usize..TOML_SEED.len().max(KDL_SEED.len())) {
        check_bytes("main.toml", &TOML_SEED.as_bytes()[..cut.min(TOML_SEED.len())]);
        check_bytes("main.kdl", &KDL_SEED.as_bytes()[..cut.min(KDL_SEED.len())]);
    }

    #[test]
    fn unicode_in_templates_when_and_keys(piece in unicode_piece(), invalid in any::<bool>()) {
        for (name, kdl) in [("main.toml", false), ("main.kdl", true)] {
            let text = manifest_with(&piece, kdl);
            check_and_bind(name, text.as_bytes());
            if invalid {
                // The same with a byte that is no UTF-8 inside the template.
                let mut bytes = text.into_bytes();
                let at = bytes.iter().position(|b| *b == b'}').unwrap_or(0);
                bytes.insert(at, 0xC3);
                check_and_bind(name, &bytes);
            }
        }
    }

    #[test]
    fn mutated_seeds(at in 0usize..400, insert in "[\\[\\]{}\"'=#;\\\\\\n{}%a-z0-9 ]{1,8}") {
        for (name, seed) in [("main.toml", TOML_SEED), ("main.kdl", KDL_SEED)] {
            let at = at.min(seed.len());
            let at = (0..=at).rev().find(|i| seed.is_char_boundary(*i)).unwrap_or(0);
            let mutated = format!("{}{insert}{}", &seed[..at], &seed[at..]);
            check_bytes(name, mutated.as_bytes());
        }
    }
}

#[test]
fn deeply_nested_input() {
    let depth = 100_000;
    check_bytes("main.toml", format!("x = {}", "[".repeat(depth)).as_bytes());
    check_bytes(
        "main.toml",
        format!("x = {}", "{ a = ".repeat(depth)).as_bytes(),
    );
    check_bytes("main.kdl", "a {".repeat(depth).as_bytes());
    check_bytes(
        "main.kdl",
        format!("{}{}", "a {".repeat(depth), "}".repeat(depth)).as_bytes(),
    );
    let template = format!("{}1{}", "(".repeat(depth), ")".repeat(depth));
    check_bytes(
        "main.toml",
        format!(
            "[[op]]\nop = \"server.shell\"\ncommands = \"{{{{ {template} }}}}\"\ncreates = \"/x\"\n"
        )
        .as_bytes(),
    );
    check_bytes(
        "main.toml",
        format!("[[op]]\nop = \"server.shell\"\ncommands = \"x\"\ncreates = \"/x\"\nwhen = \"{template}\"\n").as_bytes(),
    );
}

#[test]
fn huge_input() {
    let mut toml = String::new();
    for i in 0..20_000 {
        toml.push_str(&format!(
            "[[op]]\nop = \"files.line\"\npath = \"/etc/f{i}\"\nline = \"{}\"\n",
            "x".repeat(200)
        ));
    }
    check_bytes("main.toml", toml.as_bytes());
    check_bytes("main.kdl", &vec![b'a'; 8 << 20]);
}

#[test]
fn missing_and_special_files() {
    let mut sources = SourceMap::new();
    let mut diagnostics = Diagnostics::default();
    assert!(
        compile(
            &mut sources,
            Path::new("/nonexistent/main.toml"),
            &Context::default(),
            &mut diagnostics
        )
        .is_none()
    );
    assert!(diagnostics.has_errors());
    let mut diagnostics = Diagnostics::default();
    assert!(
        compile(
            &mut sources,
            Path::new("/"),
            &Context::default(),
            &mut diagnostics
        )
        .is_none()
    );
    assert!(diagnostics.has_errors());
}
