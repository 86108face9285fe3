//! `files.unarchive` for real: archives built here with tar, gzip, xz, zstd and zip,
//! extracted by emitted scripts under every shell of the matrix; a hostile archive
//! (members with `..` and an absolute path) refused before anything is extracted; and an
//! archive downloaded from a loopback HTTP server, checked against its SHA-256.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::http;
use crate::support::need::{Need, require};
use crate::support::shells::{SHELLS, emit, run_script, shell_name, shellcheck, stdout, summary};

/// Runs `sh -c script` in `dir`, which must succeed.
fn sh(dir: &Path, script: &str) {
    let output = Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The files under `dir`, with their content, one `path: content` a line, sorted.
fn listing(dir: &Path) -> String {
    let output = Command::new("sh")
        .arg("-c")
        .arg("find . -type f | LC_ALL=C sort | while read -r f; do printf '%s: %s\\n' \"$f\" \"$(cat \"$f\")\"; done")
        .current_dir(dir)
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap()
}

fn counts(output: &Output) -> (u32, u32, u32) {
    let (ok, changed, failed, _) = summary(&stdout(output));
    (ok, changed, failed)
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        stdout(output),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A project directory with `src/` (the tree archived: `app/bin/run` and `app/README`) and
/// its archives in every format.
fn archives() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    sh(
        dir.path(),
        "set -e; mkdir -p src/app/bin; echo run > src/app/bin/run; echo one > src/app/README
        tar -C src -czf app.tar.gz app; tar -C src -cJf app.tar.xz app
        tar -C src -cf - app | zstd -q -o app.tar.zst; (cd src && zip -qr ../app.zip app)",
    );
    dir
}

/// Emits `manifest` in `project` (with `{{ root }}` the sandbox `project/root`) and writes
/// the script, checked by shellcheck.
fn emitted(project: &Path, manifest: &str) -> std::path::PathBuf {
    let root = project.join("root");
    let script = project.join("script.sh");
    std::fs::write(&script, emit(project, manifest, "@local", &root)).unwrap();
    shellcheck(&script);
    script
}

fn fresh(root: &Path) {
    if root.exists() {
        std::fs::remove_dir_all(root).unwrap();
    }
    std::fs::create_dir_all(root).unwrap();
}

/// Every format, every shell: check changes nothing, apply extracts (replacing what was
/// in `dest`), a second apply changes nothing; a changed archive is extracted again.
#[test]
fn extracts_each_format_once_and_again_when_it_changes() {
    require!(Need::Shells, Need::Shellcheck);
    let project = archives();
    let root = project.path().join("root");
    for format in ["tar.gz", "tar.xz", "tar.zst", "zip"] {
        let script = emitted(
            project.path(),
            &format!(
                "[[op]]\nop = \"files.unarchive\"\nsrc = \"app.{format}\"\ndest = \"{{{{ root }}}}/opt/app\"\nmode = \"0750\"\n"
            ),
        );
        for shell in SHELLS {
            let name = format!("{format}, {}", shell_name(shell));
            fresh(&root);
            // What an older archive extracted there (its marker says so).
            sh(
                &root,
                "mkdir -p opt/app && echo older > opt/app/.kiln-unarchive && echo stale > opt/app/old",
            );
            let check = run_script(shell, &script, &["--check"], &root);
            assert_eq!(counts(&check), (0, 1, 0), "{name}: {}", text(&check));
            assert_eq!(
                listing(&root),
                "./opt/app/.kiln-unarchive: older\n./opt/app/old: stale\n",
                "{name}: --check changed something"
            );
            let first = run_script(shell, &script, &[], &root);
            assert_eq!(counts(&first), (0, 1, 0), "{name}: {}", text(&first));
            let sha = Command::new("sha256sum")
                .arg(project.path().join(format!("app.{format}")))
                .output()
                .unwrap();
            let sha = String::from_utf8(sha.stdout).unwrap()[..64].to_owned();
            assert_eq!(
                listing(&root),
                format!(
                    "./opt/app/.kiln-unarchive: {sha}\n./opt/app/app/README: one\n./opt/app/app/bin/run: run\n"
                ),
                "{name}"
            );
            assert_eq!(
                crate::support::tree::mode(&root.join("opt/app")),
                "0750",
                "{name}"
            );
            // No temporary directory is left beside dest.
            assert_eq!(
                std::fs::read_dir(root.join("opt")).unwrap().count(),
                1,
                "{name}"
            );
            let second = run_script(shell, &script, &[], &root);
            assert_eq!(counts(&second), (1, 0, 0), "{name}: {}", text(&second));
        }
    }
    // A new archive (another digest) is extracted again.
    sh(
        project.path(),
        "echo two > src/app/README && tar -C src -czf app.tar.gz app",
    );
    let script = emitted(
        project.path(),
        "[[op]]\nop = \"files.unarchive\"\nsrc = \"app.tar.gz\"\ndest = \"{{ root }}/opt/app\"\nstrip_components = 1\n",
    );
    fresh(&root);
    let first = run_script(SHELLS[0], &script, &[], &root);
    assert_eq!(counts(&first), (0, 1, 0), "{}", text(&first));
    assert!(
        listing(&root).contains("./opt/app/README: two\n"),
        "strip_components: {}",
        listing(&root)
    );
    sh(
        project.path(),
        "echo three > src/app/README && tar -C src -czf app.tar.gz app",
    );
    let script = emitted(
        project.path(),
        "[[op]]\nop = \"files.unarchive\"\nsrc = \"app.tar.gz\"\ndest = \"{{ root }}/opt/app\"\nstrip_components = 1\n",
    );
    let again = run_script(SHELLS[0], &script, &[], &root);
    assert_eq!(counts(&again), (0, 1, 0), "{}", text(&again));
    assert!(
        listing(&root).contains("./opt/app/README: three\n"),
        "{}",
        listing(&root)
    );
}

/// `creates`: nothing is extracted while the path exists.
#[test]
fn creates_skips_extraction() {
    require!(Need::Shells, Need::Shellcheck);
    let project = archives();
    let root = project.path().join("root");
    let script = emitted(
        project.path(),
        "[[op]]\nop = \"files.unarchive\"\nsrc = \"app.zip\"\ndest = \"{{ root }}/app\"\ncreates = \"{{ root }}/marker\"\n",
    );
    fresh(&root);
    sh(&root, "echo x > marker");
    let run = run_script(SHELLS[0], &script, &[], &root);
    assert_eq!(counts(&run), (1, 0, 0), "{}", text(&run));
    assert!(!root.join("app").exists());
}

/// A `dest` that holds files no `files.unarchive` extracted (no marker: `/opt` with other
/// software in it) is never replaced: the plan says it would refuse, the apply fails and
/// leaves every file there; an empty directory is taken.
#[test]
fn a_dest_holding_other_files_is_left_alone() {
    require!(Need::Shells, Need::Shellcheck);
    let project = archives();
    let root = project.path().join("root");
    let script = emitted(
        project.path(),
        "[[op]]\nop = \"files.unarchive\"\nsrc = \"app.tar.gz\"\ndest = \"{{ root }}/opt\"\n",
    );
    for shell in SHELLS {
        let name = shell_name(shell);
        fresh(&root);
        sh(
            &root,
            "mkdir -p opt/other && echo mine > opt/other/f && echo dot > opt/.hidden",
        );
        let check = run_script(shell, &script, &["--check"], &root);
        assert!(
            stdout(&check).contains("refuse:"),
            "{name}: the plan says it would refuse: {}",
            text(&check)
        );
        let run = run_script(shell, &script, &[], &root);
        assert_eq!(counts(&run), (0, 0, 1), "{name}: {}", text(&run));
        assert!(
            String::from_utf8_lossy(&run.stderr)
                .contains("holds files no files.unarchive extracted"),
            "{name}: {}",
            text(&run)
        );
        assert_eq!(
            listing(&root),
            "./opt/.hidden: dot\n./opt/other/f: mine\n",
            "{name}"
        );
        // Empty, it is the archive's.
        fresh(&root);
        sh(&root, "mkdir opt");
        let run = run_script(shell, &script, &[], &root);
        assert_eq!(counts(&run), (0, 1, 0), "{name}: {}", text(&run));
        assert!(root.join("opt/app/README").exists(), "{name}");
    }
}

/// A tar with a `../` member, one with an absolute member, and a zip with a `../` member:
/// each refused before extraction, `dest` as it was and nothing written outside it.
#[test]
fn hostile_archives_are_refused() {
    require!(Need::Shells, Need::Shellcheck);
    let project = tempfile::tempdir().unwrap();
    let outside = project.path().join("root/escaped");
    sh(
        project.path(),
        &format!(
            "set -e; mkdir -p build/d; echo evil > build/d/f
            tar -C build/d -czf up.tar.gz --transform 's,^,../../,' f
            tar -czPf abs.tar.gz --transform 's,^.*$,{},' build/d/f
            cd build/d && zip -q ../../up.zip f && cd ../.. && printf '@ f\\n@=../../f\\n' | zipnote -w up.zip",
            outside.display()
        ),
    );
    for archive in ["up.tar.gz", "abs.tar.gz", "up.zip"] {
        let script = emitted(
            project.path(),
            &format!(
                "[[op]]\nop = \"files.unarchive\"\nsrc = \"{archive}\"\ndest = \"{{{{ root }}}}/a/b\"\n"
            ),
        );
        for shell in SHELLS {
            let name = format!("{archive}, {}", shell_name(shell));
            let root = project.path().join("root");
            fresh(&root);
            sh(
                &root,
                "mkdir -p a/b && echo older > a/b/.kiln-unarchive && echo kept > a/b/k",
            );
            let run = run_script(shell, &script, &[], &root);
            assert_eq!(counts(&run), (0, 0, 1), "{name}: {}", text(&run));
            assert!(
                String::from_utf8_lossy(&run.stderr)
                    .contains("is absolute or has a .. component: nothing extracted"),
                "{name}: {}",
                text(&run)
            );
            assert_eq!(
                listing(&root),
                "./a/b/.kiln-unarchive: older\n./a/b/k: kept\n",
                "{name}"
            );
        }
    }
}

/// From a URL with its SHA-256: downloaded and extracted once; a wrong digest fails and
/// leaves `dest` alone.
#[test]
fn from_a_url_with_a_checksum() {
    require!(Need::Shells, Need::Shellcheck, Need::Downloaders);
    let project = archives();
    let bytes = std::fs::read(project.path().join("app.tar.xz")).unwrap();
    let served = bytes.clone();
    let server = http::Server::start(move |_| ("200 OK", served.clone()));
    let sha = Command::new("sha256sum")
        .arg(project.path().join("app.tar.xz"))
        .output()
        .unwrap();
    let sha = String::from_utf8(sha.stdout).unwrap()[..64].to_owned();
    let root = project.path().join("root");
    let manifest = |sum: &str| {
        format!(
            "[[op]]\nop = \"files.unarchive\"\nurl = \"{}\"\nsha256 = \"{sum}\"\ndest = \"{{{{ root }}}}/app\"\n",
            server.url("/app.tar.xz")
        )
    };
    let good = emitted(project.path(), &manifest(&sha));
    fresh(&root);
    let first = run_script(SHELLS[0], &good, &[], &root);
    assert_eq!(counts(&first), (0, 1, 0), "{}", text(&first));
    assert!(
        listing(&root).contains("./app/app/README: one\n"),
        "{}",
        listing(&root)
    );
    let requests = server.requests().len();
    let second = run_script(SHELLS[0], &good, &[], &root);
    assert_eq!(counts(&second), (1, 0, 0), "{}", text(&second));
    assert_eq!(
        server.requests().len(),
        requests,
        "the second apply downloaded"
    );

    let bad = emitted(project.path(), &manifest(&"0".repeat(64)));
    let before = listing(&root);
    let run = run_script(SHELLS[0], &bad, &[], &root);
    assert_eq!(counts(&run), (0, 0, 1), "{}", text(&run));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains(&format!("has SHA-256 {sha}")),
        "{}",
        text(&run)
    );
    assert_eq!(listing(&root), before);
}
