//! Templates render as Ansible's template module renders them, byte for byte: each template
//! of `fixtures/templates/templates/` is rendered by a real `kiln apply` of `files.template`
//! into a temporary directory and compared with `fixtures/templates/expected/`, which
//! `fixtures/templates/generate.py` wrote with Ansible (ansible-core 2.19) from the same
//! variables (`fixtures/templates/vars.toml`). CI runs no Python: the expected output is
//! committed.

use std::path::{Path, PathBuf};

use crate::support::kiln::Test;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/templates")
}

/// The names of the templates (`templates/NAME.j2`), sorted.
fn templates() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures().join("templates"))
        .expect("fixtures/templates/templates exists")
        .map(|entry| entry.expect("a directory entry").file_name())
        .filter_map(|name| name.to_str()?.strip_suffix(".j2").map(str::to_owned))
        .collect();
    names.sort();
    names
}

/// `vars.toml` and one `files.template` op per template, writing `{{ root }}/NAME`.
fn manifest(names: &[String]) -> String {
    let mut manifest = std::fs::read_to_string(fixtures().join("vars.toml")).unwrap();
    for name in names {
        manifest.push_str(&format!(
            "\n[[op]]\nop = \"files.template\"\nsrc = \"templates/{name}.j2\"\ndest = \"{{{{ root }}}}/{name}\"\n"
        ));
    }
    manifest
}

#[test]
fn templates_render_as_ansible_renders_them() {
    let names = templates();
    assert!(names.len() >= 5, "only {} templates", names.len());
    let test = Test::new()
        .copy_dir(fixtures())
        .file("main.toml", manifest(&names))
        .env("KILN_TEMPLATE_FIXTURE", "from the environment");
    let root = test.path().join("root");
    std::fs::create_dir(&root).unwrap();
    let output = test
        .args(["apply", "main.toml", "-i", "@local", "-y", "-e"])
        .arg(format!("root={}", root.display()))
        .run();
    output.assert_status(0);
    let differ: Vec<String> = names
        .iter()
        .filter_map(|name| {
            let expected = std::fs::read(fixtures().join("expected").join(name)).unwrap();
            let rendered = std::fs::read(root.join(name)).unwrap_or_default();
            (rendered != expected).then(|| {
                format!(
                    "{name}:\n--- Ansible:\n{}\n--- kiln:\n{}",
                    String::from_utf8_lossy(&expected),
                    String::from_utf8_lossy(&rendered)
                )
            })
        })
        .collect();
    assert!(
        differ.is_empty(),
        "{} of {} templates differ:\n{}",
        differ.len(),
        names.len(),
        differ.join("\n")
    );
}
