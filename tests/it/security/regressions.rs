//! The class cannot come back (issue 10): no script kiln makes names a fixed temporary file
//! in a directory other users can write to, the runtime library defines each function once
//! (a second definition silently replaces the first for every caller), and a file left
//! beside a destination by an earlier, killed run never stops a run.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::kiln::Test;
use crate::support::need::{Need, require};
use crate::support::shells::{SHELLS, run_script, shell_name, summary};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every script kiln makes from the examples (for their inventory, else `@local`) and the
/// op fixtures (for `@local`), by name.
fn scripts() -> Vec<(String, String)> {
    let mut scripts = Vec::new();
    for example in sorted_dirs(&repo().join("examples")) {
        let out = tempfile::tempdir().unwrap();
        let inventory = if example.join("inventory.toml").exists() {
            "inventory.toml"
        } else {
            "@local"
        };
        let out_dir = out.path().display().to_string();
        kiln(
            &example,
            &["emit", "main.toml", "-i", inventory, "-o", &out_dir],
        );
        for script in sorted_files(out.path()) {
            let name = format!(
                "{} ({})",
                relative(&example),
                script.file_name().unwrap().to_string_lossy()
            );
            scripts.push((name, std::fs::read_to_string(&script).unwrap()));
        }
    }
    for op in sorted_dirs(&repo().join("fixtures/ops")) {
        for case in sorted_dirs(&op) {
            let script = kiln(
                &case,
                &["emit", "main.toml", "-i", "@local", "-e", "root=/ROOT"],
            );
            scripts.push((relative(&case), script));
        }
    }
    scripts
}

/// Runs kiln in `dir` with `args`, which must succeed; its standard output.
fn kiln(dir: &Path, args: &[&str]) -> String {
    let output = Test::new()
        .current_dir(dir)
        .args(args.iter().copied())
        .run();
    output.assert_status(0);
    output.stdout.clone()
}

fn relative(path: &Path) -> String {
    path.strip_prefix(repo()).unwrap().display().to_string()
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    sorted(dir).into_iter().filter(|p| p.is_dir()).collect()
}

fn sorted_files(dir: &Path) -> Vec<PathBuf> {
    sorted(dir).into_iter().filter(|p| p.is_file()).collect()
}

fn sorted(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
}

/// Whether `line` names a file after the script's PID: `$$` next to a character of a name
/// (`.kiln.$$.x`, `$$/x`), where `kill -s TERM $$` is no name.
fn names_a_file_after_the_pid(line: &str) -> bool {
    let name_char = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || "._-/".contains(c));
    line.match_indices("$$").any(|(at, _)| {
        name_char(line[..at].chars().next_back()) || name_char(line[at + 2..].chars().next())
    })
}

/// A name another user can know in advance, in a directory it can write to, is a name it
/// can plant a link at: no script may use one.
#[test]
fn no_script_names_a_fixed_temporary_file() {
    let fixed = [
        "/tmp/.kiln",
        "${TMPDIR:-/tmp}/.kiln",
        "${TMPDIR-/tmp}/.kiln",
    ];
    let scripts = scripts();
    assert!(scripts.len() > 20, "only {} scripts", scripts.len());
    let mut found = Vec::new();
    for (name, script) in &scripts {
        for (number, line) in script.lines().enumerate() {
            if fixed.iter().any(|f| line.contains(f)) || names_a_file_after_the_pid(line) {
                found.push(format!("{name}:{}: {}", number + 1, line.trim()));
            }
        }
    }
    // Scripts carry the same runtime functions: one report per line is enough.
    found.sort_by(|a, b| {
        a.split_once(": ")
            .map(|x| x.1)
            .cmp(&b.split_once(": ").map(|x| x.1))
    });
    found.dedup_by(|a, b| a.split_once(": ").map(|x| x.1) == b.split_once(": ").map(|x| x.1));
    assert!(
        found.is_empty(),
        "fixed temporary names:\n{}",
        found.join("\n")
    );
}

#[test]
fn pid_names_are_recognized() {
    assert!(names_a_file_after_the_pid("k_tmp=$k_pd/.kiln.$$.$k_pb"));
    assert!(names_a_file_after_the_pid("k_s=${TMPDIR:-/tmp}/x$$"));
    assert!(!names_a_file_after_the_pid("kill -s TERM $$"));
    assert!(!names_a_file_after_the_pid("trap 'kill -INT $$' INT"));
}

/// A run killed half-way may leave a `.kiln*` file beside a destination, and a later run
/// may get the same PID: under every shell, files under every temporary name kiln has used
/// (for this run's PID and another) do not stop the run, which writes its files and exits 0.
#[test]
fn leftover_temporary_files_do_not_stop_a_run() {
    require!(Need::Shells);
    let dir = tempfile::tempdir().unwrap();
    let world = dir.path().join("world");
    let manifest = format!(
        "[[op]]\nop = \"files.put\"\ndest = \"{w}/motd\"\ncontent = \"hello\\n\"\n\n\
         [[op]]\nop = \"files.line\"\npath = \"{w}/conf\"\nline = \"added\"\n",
        w = world.display()
    );
    let script = dir.path().join("script.sh");
    std::fs::write(&script, super::emit(&manifest, &[])).unwrap();
    for shell in SHELLS {
        if world.exists() {
            std::fs::remove_dir_all(&world).unwrap();
        }
        std::fs::create_dir(&world).unwrap();
        std::fs::write(world.join("conf"), "kept\n").unwrap();
        // The shell keeps the PID of the `sh` that leaves the files, through `exec`.
        let output = Command::new("sh")
            .arg("-c")
            .arg(
                "cd \"$1\" && shift || exit 99\n\
                 for name in motd conf; do\n\
                   for prefix in .kiln .kiln-edit .kiln-new .kiln-download; do\n\
                     for pid in $$ 12345; do echo leftover > \"$prefix.$pid.$name\"; done\n\
                   done\n\
                 done\n\
                 exec \"$@\"",
            )
            .arg("kiln-leftovers")
            .arg(&world)
            .args(*shell)
            .arg(&script)
            .arg("--detailed-exitcodes")
            .env("LC_ALL", "C.UTF-8")
            .output()
            .unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let sh = shell_name(shell);
        // --detailed-exitcodes: 2 is "changed", anything else a failure.
        assert_eq!(output.status.code(), Some(2), "{sh}: {said}");
        assert_eq!(summary(&said), (0, 2, 0, 0), "{sh}: {said}");
        assert_eq!(
            std::fs::read_to_string(world.join("motd")).unwrap(),
            "hello\n"
        );
        assert_eq!(
            std::fs::read_to_string(world.join("conf")).unwrap(),
            "kept\nadded\n",
            "{sh}"
        );
    }
}

/// A destination's name may be as long as the file system allows (255 bytes): the
/// temporary file beside it must still fit (today `.kiln.$$.NAME` does not).
#[test]
fn names_of_the_longest_length_still_write() {
    require!(Need::Shells);
    let dir = tempfile::tempdir().unwrap();
    let world = dir.path().join("world");
    let name = "n".repeat(255);
    let manifest = format!(
        "[[op]]\nop = \"files.put\"\ndest = \"{w}/{name}\"\ncontent = \"hello\\n\"\n\n\
         [[op]]\nop = \"files.line\"\npath = \"{w}/{name}\"\nline = \"added\"\n",
        w = world.display()
    );
    let script = dir.path().join("script.sh");
    std::fs::write(&script, super::emit(&manifest, &[])).unwrap();
    for shell in SHELLS {
        if world.exists() {
            std::fs::remove_dir_all(&world).unwrap();
        }
        std::fs::create_dir(&world).unwrap();
        let output = run_script(shell, &script, &[], &world);
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let sh = shell_name(shell);
        assert!(output.status.success(), "{sh}: {said}");
        assert_eq!(
            std::fs::read_to_string(world.join(&name)).unwrap(),
            "hello\nadded\n",
            "{sh}"
        );
    }
}
