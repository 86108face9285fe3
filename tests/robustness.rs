//! No input makes kiln panic or hang: truncated, mutated, binary, huge and deeply nested
//! manifests and inventories, in both spellings, through the whole checker.

use std::path::Path;

use kiln::check::{Context, compile};
use kiln::diagnostic::Diagnostics;
use kiln::source::SourceMap;
use proptest::prelude::*;

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

fn both(bytes: &[u8]) {
    check_bytes("main.toml", bytes);
    check_bytes("main.kdl", bytes);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

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
