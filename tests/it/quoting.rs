//! Quoting property tests: arbitrary strings — quotes, `$()`, backticks, newlines, globs,
//! leading dashes, unicode — survive exactly as paths, command arguments and file contents,
//! and arbitrary bytes survive as file contents, under every shell of the matrix.

use proptest::prelude::*;

use crate::support::kiln::Test;
use crate::support::need::{Need, require};
use crate::support::properties;
use crate::support::shells::{SHELLS, run_script_in, shell_name};

/// Characters that break naive quoting, plus ordinary ones.
fn nasty_string() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("'".to_owned()),
        Just("\"".to_owned()),
        Just("$(touch pwned)".to_owned()),
        Just("`touch pwned`".to_owned()),
        Just("$HOME".to_owned()),
        Just("\\".to_owned()),
        Just("\n".to_owned()),
        Just("*".to_owned()),
        Just("?[a]".to_owned()),
        Just("-n".to_owned()),
        Just("--".to_owned()),
        Just("%s%%".to_owned()),
        Just(";|&<>".to_owned()),
        Just("{{".to_owned()),
        Just(" ".to_owned()),
        Just("\t".to_owned()),
        Just("é漢🦀".to_owned()),
        "[a-z0-9]{1,4}",
    ];
    proptest::collection::vec(pieces, 1..6).prop_map(|v| v.concat())
}

/// A TOML string literal for `value`.
fn toml_str(value: &str) -> String {
    toml::Value::String(value.to_owned()).to_string()
}

/// Writes `manifest` (plus `files`), emits for `@local` with `root`, runs the script under
/// every shell from an empty root, and returns the root for inspection after each run.
fn run_everywhere(
    locale: &str,
    manifest: &str,
    files: &[(&str, &[u8])],
    check: impl Fn(&std::path::Path, &str),
) {
    let temp = tempfile::tempdir().unwrap();
    let project = temp.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(project.join("main.toml"), manifest).unwrap();
    for (name, bytes) in files {
        std::fs::write(project.join(name), bytes).unwrap();
    }
    let root = temp.path().join("root");
    let output = Test::new()
        .current_dir(&project)
        .args(["emit", "main.toml", "-i", "@local", "-e"])
        .arg(format!("root={}", root.display()))
        .run();
    assert_eq!(
        output.status, 0,
        "emit failed:\n{}\n{manifest}",
        output.stderr
    );
    let script = temp.path().join("script.sh");
    std::fs::write(&script, &output.stdout).unwrap();
    for shell in SHELLS {
        if root.exists() {
            std::fs::remove_dir_all(&root).unwrap();
        }
        std::fs::create_dir_all(&root).unwrap();
        let run = run_script_in(locale, shell, &script, &[], &root);
        let out = format!(
            "{}{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(
            run.status.success(),
            "{} failed:\n{out}\n{manifest}",
            shell_name(shell)
        );
        assert!(
            !root.join("pwned").exists(),
            "{}: a value was executed:\n{manifest}",
            shell_name(shell)
        );
        check(&root, &shell_name(shell));
    }
}

proptest! {
    #![proptest_config(properties::config(48))]

    /// As a file name, as file content, and as a command argument through a template
    /// (values inserted into commands are quoted by the template engine).
    fn strings_survive_property(name in nasty_string(), content in nasty_string(), arg in nasty_string()) {
        let name = name.replace('/', "_");
        prop_assume!(name != "." && name != ".." && name != "pwned");
        let manifest = format!(
            "[vars]\narg = {arg}\n\n\
             [[op]]\nop = \"files.put\"\ndest = {dest}\ncontent = {content}\n\n\
             [[op]]\nop = \"server.shell\"\ncommands = [\"printf '%s' {{{{ arg }}}} > {{{{ root }}}}/arg.out\"]\n\n\
             [[op]]\nop = \"server.command\"\nargv = [\"cp\", \"--\", {dest}, \"{{{{ root }}}}/copy.out\"]\n",
            arg = toml_str(&arg),
            dest = toml_str(&format!("{{{{ root }}}}/{name}")),
            content = toml_str(&content),
        );
        // `{{` in a value would be template syntax: keep those for the content check only
        // through `src` files (below); here they are escaped by the TOML-level template.
        prop_assume!(!name.contains("{{") && !content.contains("{{") && !arg.contains("{{"));
        // Non-ASCII arguments need a UTF-8 locale under yash (it cannot hold such bytes in
        // a variable otherwise); everything else works in any locale.
        run_everywhere("C.UTF-8", &manifest, &[], |root, shell| {
            assert_eq!(std::fs::read(root.join(&name)).ok().as_deref(), Some(content.as_bytes()), "{shell}: content of {name:?}");
            assert_eq!(std::fs::read(root.join("copy.out")).unwrap(), content.as_bytes(), "{shell}: argv");
            assert_eq!(std::fs::read_to_string(root.join("arg.out")).unwrap(), arg, "{shell}: argument");
        });
    }

    /// Any bytes at all, uploaded from a local file, in the C locale and a UTF-8 one.
    fn bytes_survive_property(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let manifest = "[[op]]\nop = \"files.put\"\ndest = \"{{ root }}/blob\"\nsrc = \"blob.bin\"\n";
        for locale in ["C", "C.UTF-8"] {
            run_everywhere(locale, manifest, &[("blob.bin", &bytes)], |root, shell| {
                assert_eq!(std::fs::read(root.join("blob")).unwrap(), bytes, "{shell} in {locale}");
            });
        }
    }
}

/// `strings_survive_property` where the machine has what it runs under.
#[test]
fn strings_survive() {
    require!(Need::Shells);
    strings_survive_property();
}

/// `bytes_survive_property` where the machine has what it runs under.
#[test]
fn bytes_survive() {
    require!(Need::Shells);
    bytes_survive_property();
}
