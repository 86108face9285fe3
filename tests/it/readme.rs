//! The README's two commands stay true on every commit: its test command installs every
//! package `.ci/run` installs (CI starts from a fresh machine, and so does a new
//! contributor), and runs the test command `.ci/run` runs.

use std::collections::BTreeSet;
use std::path::Path;

fn read(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The packages of the first `apt-get install` in `text`: the words after its options, up
/// to the end of the command.
fn installed(text: &str, name: &str) -> BTreeSet<String> {
    let start = text
        .find("apt-get install ")
        .unwrap_or_else(|| panic!("{name} installs nothing"));
    text[start..]
        .split_whitespace()
        .skip(2)
        .take_while(|word| !word.starts_with('>') && *word != "&&")
        .filter(|word| !word.starts_with('-'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_readme_test_command_installs_and_runs_what_ci_does() {
    let readme = read("README.md");
    let ci = read(".ci/run");
    let command = readme
        .lines()
        .find(|line| line.starts_with("apt-get update && apt-get install"))
        .expect("the README's test command");
    assert_eq!(
        installed(command, "README.md"),
        installed(&ci, ".ci/run"),
        "the README's test command and .ci/run install different packages"
    );
    let test = "cargo test --locked --workspace";
    assert!(command.ends_with(test), "{command}");
    assert!(
        ci.lines().any(|line| line == test),
        ".ci/run does not run `{test}`"
    );
}
