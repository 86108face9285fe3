//! Running emitted scripts for real: the shells every script must work under, a script
//! emitted and run under each of them (checked by shellcheck first), and what a script's
//! summary line says.

use std::path::Path;
use std::process::{Command, Output};

use super::kiln::Test;

/// The shells of the matrix, as commands. A test that runs them asks for all of them
/// (`require!(Need::Shells)`): it never silently tests fewer.
pub(crate) const SHELLS: &[&[&str]] = &[
    &["dash"],
    &["bash", "--posix"],
    &["busybox", "sh"],
    &["mksh"],
    &["yash"],
];

pub(crate) fn shell_name(shell: &[&str]) -> String {
    shell.join(" ")
}

/// Runs `script` under `shell` with `args`, in `dir`, in a UTF-8 locale (what hosts
/// normally have; see `run_script_in` for others).
pub(crate) fn run_script(shell: &[&str], script: &Path, args: &[&str], dir: &Path) -> Output {
    run_script_in("C.UTF-8", shell, script, args, dir)
}

/// Runs `script` under `shell` with `LC_ALL=locale`.
pub(crate) fn run_script_in(
    locale: &str,
    shell: &[&str],
    script: &Path,
    args: &[&str],
    dir: &Path,
) -> Output {
    Command::new(shell[0])
        .args(&shell[1..])
        .arg(script)
        .args(args)
        .current_dir(dir)
        .env("LC_ALL", locale)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {}: {e} (is it installed? .ci/run installs it)",
                shell_name(shell)
            )
        })
}

/// The counts in a script's summary line: (ok, changed, failed, skipped).
pub(crate) fn summary(stdout: &str) -> (u32, u32, u32, u32) {
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with("kiln: "))
        .unwrap_or_else(|| panic!("no summary line in:\n{stdout}"));
    let numbers: Vec<u32> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    (numbers[0], numbers[1], numbers[2], numbers[3])
}

/// Emits `manifest` for `target`, with `root` set; returns the script.
pub(crate) fn emit(dir: &Path, manifest: &str, target: &str, root: &Path) -> String {
    std::fs::write(dir.join("main.toml"), manifest).unwrap();
    let output = Test::new()
        .current_dir(dir)
        .args(["emit", "main.toml", "-i", target, "-e"])
        .arg(format!("root={}", root.display()))
        .run();
    output.assert_status(0);
    output.stdout.clone()
}

pub(crate) fn shellcheck(script: &Path) {
    let output = Command::new("shellcheck")
        .args(["-s", "sh"])
        .arg(script)
        .output()
        .expect("shellcheck is installed (.ci/run installs it)");
    assert!(
        output.status.success(),
        "shellcheck findings:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

/// Runs the script under every shell from an empty root; `check` inspects each run.
pub(crate) fn each_shell(
    script: &str,
    root: &Path,
    check: impl Fn(&str, &std::process::Output, &std::process::Output),
) {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("script.sh");
    std::fs::write(&path, script).unwrap();
    shellcheck(&path);
    for shell in SHELLS {
        if root.exists() {
            std::fs::remove_dir_all(root).unwrap();
        }
        std::fs::create_dir_all(root).unwrap();
        let first = run_script(shell, &path, &[], root);
        let second = run_script(shell, &path, &[], root);
        check(&shell_name(shell), &first, &second);
    }
}

pub(crate) fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}
