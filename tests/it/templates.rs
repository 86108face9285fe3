//! Templates render as Ansible's template module renders them, byte for byte: each template
//! of `fixtures/templates/templates/` is rendered by a real `kiln apply` of `files.template`
//! into a temporary directory and compared with `fixtures/templates/expected/`, which
//! `fixtures/templates/generate.py` wrote with Ansible (ansible-core 2.19) from the same
//! variables (`fixtures/templates/vars.toml`). CI runs no Python: the expected output is
//! committed.

use std::path::{Path, PathBuf};

use crate::support::kiln::{Output, Test};

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

/// Applies `test`'s `main.toml` to `@local` with `root` a new directory in the test's
/// own: the run's output, which keeps that directory, and `root`.
fn apply(test: Test) -> (Output, PathBuf) {
    let root = test.path().join("root");
    std::fs::create_dir(&root).unwrap();
    let output = test
        .args(["apply", "main.toml", "-i", "@local", "-y", "-e"])
        .arg(format!("root={}", root.display()))
        .run();
    output.assert_status(0);
    (output, root)
}

#[test]
fn templates_render_as_ansible_renders_them() {
    let names = templates();
    assert!(names.len() >= 5, "only {} templates", names.len());
    let test = Test::new()
        .copy_dir(fixtures())
        .file("main.toml", manifest(&names))
        .env("KILN_TEMPLATE_FIXTURE", "from the environment");
    let (_output, root) = apply(test);
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

/// The examples of `docs/templates.md`: each ```` ```jinja ```` block and the
/// ```` ```text ```` block after it.
fn documented_examples(markdown: &str) -> Vec<(String, String)> {
    let mut blocks: Vec<(&str, String)> = Vec::new();
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        if let Some(lang @ ("jinja" | "text")) = line.strip_prefix("```") {
            let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            blocks.push((lang, body.join("\n") + "\n"));
        }
    }
    blocks
        .windows(2)
        .filter_map(|pair| match pair {
            [("jinja", source), ("text", output)] => Some((source.clone(), output.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn the_template_reference_is_accurate() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/templates.md");
    let markdown = std::fs::read_to_string(path).unwrap();
    let examples = documented_examples(&markdown);
    let blocks = markdown.matches("```jinja").count();
    assert_eq!(examples.len(), blocks, "every example shows its output");
    // All examples in one template file, a line between them to split the output at.
    const BETWEEN: &str = "----- next example -----\n";
    let template: String = examples
        .iter()
        .map(|(source, _)| format!("{source}{BETWEEN}"))
        .collect();
    let test = Test::new()
        .file("files/motd.txt", "Welcome\n")
        .file("reference.j2", template)
        .file(
            "main.toml",
            "[[op]]\nop = \"files.template\"\nsrc = \"reference.j2\"\ndest = \"{{ root }}/out\"\n",
        )
        .env("KILN_DOC", "yes");
    let (_output, root) = apply(test);
    let rendered = std::fs::read_to_string(root.join("out")).unwrap();
    let outputs: Vec<&str> = rendered.split_terminator(BETWEEN).collect();
    assert_eq!(outputs.len(), examples.len(), "{rendered}");
    for ((source, expected), got) in examples.iter().zip(outputs) {
        assert_eq!(
            got, expected,
            "docs/templates.md: the example\n{source}renders as\n{got}"
        );
    }
}

/// A lookup that cannot read its file fails the render at the call, saying which file; a
/// relative path in a string argument is refused at check time, saying where relative paths
/// work.
#[test]
fn lookups_that_cannot_read_fail_at_the_call() {
    for (path, says) in [
        (
            "/nonexistent/kiln-motd",
            "cannot read /nonexistent/kiln-motd",
        ),
        (
            "files/motd",
            "a relative path in a lookup of a string argument",
        ),
    ] {
        let manifest = format!(
            "[[op]]\nop = \"files.line\"\npath = \"/etc/motd\"\nline = \"{{{{ lookup('file', '{path}') }}}}\"\n"
        );
        let output = Test::new()
            .file("main.toml", manifest)
            .args(["emit", "main.toml", "-i", "@local"])
            .run();
        output
            .assert_status(1)
            .assert_stderr_contains("kiln::invalid-value")
            .assert_stderr_contains(says)
            .assert_stderr_contains("line = \"{{ lookup('file'");
    }
}
