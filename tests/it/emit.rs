//! End-to-end behaviour of emitted scripts beyond single ops: a dependent sequence in one
//! run, conditions decided on the host, handlers, failure handling, determinism and
//! shellcheck.

use std::path::Path;
use std::process::Command;

use crate::support::kiln::Test;
use crate::support::need::{self, Need, require};
use crate::support::shells::{
    SHELLS, each_shell, emit, run_script, shell_name, shellcheck, stdout, summary,
};

/// A `when` over facts, emitted for a host whose facts are unknown at emit time, is
/// decided by the script on the host.
#[test]
fn conditions_on_facts_are_decided_on_the_host() {
    require!(Need::Shells, Need::Shellcheck);
    let family = kiln::facts::local(&[]).unwrap().0["os"]["family"]
        .as_str()
        .unwrap()
        .to_owned();
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("root");
    let manifest = format!(
        "[vars]\nfamilies = [\"{family}\", \"plan9\"]\n\n\
         [[op]]\nop = \"files.file\"\npath = \"{{{{ root }}}}/matches\"\nwhen = \"facts.os.family == '{family}'\"\n\n\
         [[op]]\nop = \"files.file\"\npath = \"{{{{ root }}}}/never\"\nwhen = \"facts.os.family == 'plan9'\"\n\n\
         [[op]]\nop = \"files.file\"\npath = \"{{{{ root }}}}/listed\"\nwhen = \"facts.os.family in families and not facts.arch == 'pdp11'\"\n"
    );
    let script = emit(temp.path(), &manifest, "ssh://nobody@192.0.2.1", &root);
    assert!(
        script.contains("k_gather()"),
        "the script gathers facts on the host"
    );
    each_shell(&script, &root, |shell, first, second| {
        assert!(first.status.success(), "{shell}: {}", stdout(first));
        assert!(
            root.join("matches").exists() && root.join("listed").exists(),
            "{shell}: {}",
            stdout(first)
        );
        assert!(!root.join("never").exists(), "{shell}");
        assert_eq!(
            summary(&stdout(first)),
            (0, 2, 0, 1),
            "{shell}: {}",
            stdout(first)
        );
        assert_eq!(
            summary(&stdout(second)),
            (2, 0, 0, 1),
            "{shell}: {}",
            stdout(second)
        );
    });
}

/// An op that fails stops the run (later ops do not run, handlers do not run) and the exit
/// status says so; `ignore_errors` carries on.
#[test]
fn failures_stop_the_run_unless_ignored() {
    require!(Need::Shells, Need::Shellcheck);
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("root");
    let manifest = "\
[[op]]\nop = \"server.shell\"\ncommands = \"exit 3\"\nignore_errors = true\nonlyif = \"true\"\n\n\
[[op]]\nop = \"files.file\"\npath = \"{{ root }}/before\"\nnotify = [\"h\"]\n\n\
[[op]]\nop = \"server.command\"\nargv = [\"false\"]\ncreates = \"{{ root }}/never-there\"\n\n\
[[op]]\nop = \"files.file\"\npath = \"{{ root }}/after\"\n\n\
[[handler]]\nid = \"h\"\nop = \"files.file\"\npath = \"{{ root }}/handler-ran\"\n";
    let script = emit(temp.path(), manifest, "@local", &root);
    each_shell(&script, &root, |shell, first, _| {
        assert_eq!(first.status.code(), Some(1), "{shell}: {}", stdout(first));
        assert!(root.join("before").exists(), "{shell}");
        assert!(
            !root.join("after").exists(),
            "{shell}: ops after a failure do not run"
        );
        assert!(
            !root.join("handler-ran").exists(),
            "{shell}: handlers do not run after a failure"
        );
        assert!(
            stdout(first).contains("failed-ignored"),
            "{shell}: {}",
            stdout(first)
        );
        let end: Vec<String> = stdout(first)
            .replace(&root.display().to_string(), "/ROOT")
            .lines()
            .skip(3)
            .map(str::to_owned)
            .collect();
        assert_eq!(
            end,
            [
                "not-run         4  files.file /ROOT/after  [main.toml:17]",
                "not-run        h1  handler \"h\"  [main.toml:21]",
                "kiln: 0 ok, 1 changed, 2 failed, 0 skipped, 2 not run",
            ],
            "{shell}: the op left and the notified handler are listed"
        );
    });
}

/// Handlers run once, at the end, only when notified by an op that changed.
#[test]
fn handlers_run_once_when_notified() {
    require!(Need::Shells, Need::Shellcheck);
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("root");
    let manifest = "\
[[op]]\nop = \"files.put\"\ndest = \"{{ root }}/a\"\ncontent = \"a\"\nnotify = [\"count\"]\n\n\
[[op]]\nop = \"files.put\"\ndest = \"{{ root }}/b\"\ncontent = \"b\"\nnotify = [\"count\"]\n\n\
[[handler]]\nid = \"count\"\nop = \"server.shell\"\ncommands = \"echo x >> {{ root }}/count\"\n";
    let script = emit(temp.path(), manifest, "@local", &root);
    each_shell(&script, &root, |shell, first, second| {
        assert!(first.status.success() && second.status.success(), "{shell}");
        assert_eq!(
            std::fs::read_to_string(root.join("count")).unwrap(),
            "x\n",
            "{shell}: ran once, then not again"
        );
        assert_eq!(
            summary(&stdout(second)),
            (2, 0, 0, 0),
            "{shell}: {}",
            stdout(second)
        );
    });
}

/// `--detailed-exitcodes` tells "changed" apart; bad options are usage errors.
#[test]
fn exit_codes() {
    require!(Need::Shells);
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("root");
    let script = emit(
        temp.path(),
        "[[op]]\nop = \"files.file\"\npath = \"{{ root }}/f\"\n",
        "@local",
        &root,
    );
    let path = temp.path().join("script.sh");
    std::fs::write(&path, &script).unwrap();
    for shell in SHELLS {
        if root.exists() {
            std::fs::remove_dir_all(&root).unwrap();
        }
        std::fs::create_dir_all(&root).unwrap();
        let sh = shell_name(shell);
        assert_eq!(
            run_script(shell, &path, &["--check", "--detailed-exitcodes"], &root)
                .status
                .code(),
            Some(2),
            "{sh}"
        );
        assert!(!root.join("f").exists(), "{sh}: check mode changed nothing");
        assert_eq!(
            run_script(shell, &path, &["--detailed-exitcodes"], &root)
                .status
                .code(),
            Some(2),
            "{sh}"
        );
        assert_eq!(
            run_script(shell, &path, &["--detailed-exitcodes"], &root)
                .status
                .code(),
            Some(0),
            "{sh}"
        );
        assert_eq!(
            run_script(shell, &path, &["--bogus"], &root).status.code(),
            Some(64),
            "{sh}"
        );
    }
}

/// The same inputs give the same bytes.
#[test]
fn output_is_deterministic() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("root");
    let manifest = "[vars]\nb = 2\na = 1\n\n[[op]]\nop = \"files.put\"\ndest = \"{{ root }}/x\"\ncontent = \"{{ a }} {{ b }}\"\nmode = \"0600\"\nowner = \"root\"\n";
    let first = emit(temp.path(), manifest, "ssh://h", &root);
    for _ in 0..5 {
        assert_eq!(emit(temp.path(), manifest, "ssh://h", &root), first);
    }
}

/// Every example emits, for every host of its inventory (or `@local`), scripts that pass
/// `shellcheck -s sh` with no findings. Facts are those of a Debian host.
#[test]
fn every_example_emits_shellcheck_clean_scripts() {
    require!(Need::Shellcheck);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let facts = root.join("fixtures/chroot/facts-debian.json");
    let mut examples: Vec<_> = std::fs::read_dir(root.join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    examples.sort();
    assert!(examples.len() >= 5);
    for example in examples {
        for manifest in ["main.toml", "main.kdl"] {
            let out = tempfile::tempdir().unwrap();
            Test::new()
                .current_dir(&example)
                .args(["emit", manifest, "-e", "root=/tmp/kiln-example", "--facts"])
                .arg(facts.display().to_string())
                .arg("-o")
                .arg(out.path().display().to_string())
                .run()
                .assert_status(0);
            let scripts: Vec<_> = std::fs::read_dir(out.path())
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            assert!(!scripts.is_empty(), "{}: no scripts", example.display());
            for script in scripts {
                shellcheck(&script);
            }
        }
    }
}

/// The README's quick start: the quickstart example converges under every shell, and a
/// second run changes nothing.
#[test]
fn quickstart_converges_under_every_shell() {
    require!(Need::Shells, Need::Shellcheck);
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart");
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("demo dir");
    let output = Test::new()
        .current_dir(&example)
        .args(["emit", ".", "-e"])
        .arg(format!("root={}", root.display()))
        .run();
    let script = &output.assert_status(0).stdout;
    each_shell(script, &root, |shell, first, second| {
        assert!(first.status.success(), "{shell}: {}", stdout(first));
        let (_, changed, failed, _) = summary(&stdout(first));
        assert!(changed > 5 && failed == 0, "{shell}: {}", stdout(first));
        assert_eq!(
            summary(&stdout(second)).1,
            0,
            "{shell}: second run changed something:\n{}",
            stdout(second)
        );
        let motd = std::fs::read_to_string(root.join("etc/motd")).unwrap();
        assert!(
            motd.starts_with("Hello from kiln on @local!"),
            "{shell}: {motd}"
        );
        let hello = Command::new(root.join("usr/local/bin/hello"))
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&hello.stdout),
            "Hello from kiln\n",
            "{shell}"
        );
    });
}

/// Each op probes right before it acts, so a sequence where each op depends on the one
/// before (a directory, a file in it, a line in that file, a link to it) works in one run; check mode reports every step without failing or changing
/// anything.
#[test]
fn dependent_sequence_in_one_run() {
    require!(Need::Shells);
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("root");
    let manifest = "\
[[op]]\nop = \"files.directory\"\npath = \"{{ root }}/etc/app\"\n\n\
[[op]]\nop = \"files.file\"\npath = \"{{ root }}/etc/app/app.conf\"\nmode = \"0640\"\n\n\
[[op]]\nop = \"files.line\"\npath = \"{{ root }}/etc/app/app.conf\"\nline = \"debug = true\"\nregexp = \"^debug =\"\n\n\
[[op]]\nop = \"files.link\"\npath = \"{{ root }}/etc/app.conf\"\ntarget = \"{{ root }}/etc/app/app.conf\"\n";
    let script = emit(temp.path(), manifest, "@local", &root);
    let path = temp.path().join("script.sh");
    std::fs::write(&path, &script).unwrap();
    for shell in SHELLS {
        let sh = shell_name(shell);
        if root.exists() {
            std::fs::remove_dir_all(&root).unwrap();
        }
        std::fs::create_dir_all(&root).unwrap();
        let check = run_script(shell, &path, &["--check"], &root);
        assert!(
            check.status.success(),
            "{sh}: check mode failed:\n{}",
            stdout(&check)
        );
        assert_eq!(
            summary(&stdout(&check)),
            (0, 4, 0, 0),
            "{sh}:\n{}",
            stdout(&check)
        );
        assert_eq!(
            std::fs::read_dir(&root).unwrap().count(),
            0,
            "{sh}: check mode changed nothing"
        );
        let apply = run_script(shell, &path, &[], &root);
        assert_eq!(
            summary(&stdout(&apply)),
            (0, 4, 0, 0),
            "{sh}:\n{}",
            stdout(&apply)
        );
        assert_eq!(
            std::fs::read_to_string(root.join("etc/app.conf")).unwrap(),
            "debug = true\n",
            "{sh}"
        );
        let again = run_script(shell, &path, &[], &root);
        assert_eq!(
            summary(&stdout(&again)),
            (4, 0, 0, 0),
            "{sh}:\n{}",
            stdout(&again)
        );
    }
}

/// A file replaced without `mode`/`owner`/`group` keeps its mode (setuid bits included, as
/// root) and, when the script runs as root, its owner and group; given ones win. Under every
/// shell.
#[test]
fn replaced_files_keep_mode_and_owner_unless_told() {
    require!(Need::Shells);
    use std::os::unix::fs::{MetadataExt, PermissionsExt, chown};
    let as_root = need::is_root();
    for shell in SHELLS {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir(&root).unwrap();
        for name in ["kept", "given"] {
            let path = root.join(name);
            std::fs::write(&path, "old\n").unwrap();
            // chown first: it clears the setuid bit.
            if as_root {
                chown(&path, Some(1234), Some(5678)).unwrap();
            }
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o4750)).unwrap();
        }
        let script = emit(
            dir.path(),
            "[[op]]\nop = \"files.put\"\ndest = \"{{ root }}/kept\"\ncontent = \"new\\n\"\n\n\
             [[op]]\nop = \"files.put\"\ndest = \"{{ root }}/given\"\ncontent = \"new\\n\"\nmode = \"0600\"\n",
            "@local",
            &root,
        );
        let path = dir.path().join("script.sh");
        std::fs::write(&path, script).unwrap();
        let output = run_script(shell, &path, &[], dir.path());
        assert!(
            output.status.success(),
            "{}: {}",
            shell_name(shell),
            String::from_utf8_lossy(&output.stderr)
        );
        let kept = std::fs::metadata(root.join("kept")).unwrap();
        let given = std::fs::metadata(root.join("given")).unwrap();
        assert_eq!(std::fs::read_to_string(root.join("kept")).unwrap(), "new\n");
        // Linux clears the setuid bit when anyone but root writes to a file, and kiln writes
        // a replacement after giving it its mode: only root keeps the bit.
        let kept_mode = if as_root { 0o4750 } else { 0o750 };
        assert_eq!(kept.mode() & 0o7777, kept_mode, "{}", shell_name(shell));
        assert_eq!(given.mode() & 0o7777, 0o600, "{}", shell_name(shell));
        if as_root {
            assert_eq!(
                (kept.uid(), kept.gid()),
                (1234, 5678),
                "{}",
                shell_name(shell)
            );
            assert_eq!(
                (given.uid(), given.gid()),
                (1234, 5678),
                "{}",
                shell_name(shell)
            );
        }
    }
}

/// A destination name at the length limit (255 bytes) still writes, edits and converges:
/// temporary names beside it are short, whatever its length. A new file without `mode`
/// gets the mode the umask gives (kiln's temporaries are made 0600). Under every shell.
#[test]
fn names_at_the_length_limit_still_write() {
    require!(Need::Shells);
    use std::os::unix::fs::PermissionsExt;
    let put_name = "p".repeat(255);
    let line_name = "l".repeat(255);
    for shell in SHELLS {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir(&root).unwrap();
        let script = emit(
            dir.path(),
            &format!(
                "[[op]]\nop = \"files.put\"\ndest = \"{{{{ root }}}}/{put_name}\"\ncontent = \"one\\n\"\n\n\
                 [[op]]\nop = \"files.line\"\npath = \"{{{{ root }}}}/{line_name}\"\nline = \"two\"\ncreate = true\n"
            ),
            "@local",
            &root,
        );
        let path = dir.path().join("script.sh");
        // The umask a host's shell may have: a new file must follow it, not mktemp's 0600.
        std::fs::write(&path, format!("umask 027\n{script}")).unwrap();
        let name = shell_name(shell);
        let first = run_script(shell, &path, &[], dir.path());
        assert_eq!(
            summary(&stdout(&first)),
            (0, 2, 0, 0),
            "{name}: {}",
            stdout(&first)
        );
        let second = run_script(shell, &path, &[], dir.path());
        assert_eq!(
            summary(&stdout(&second)),
            (2, 0, 0, 0),
            "{name}: {}",
            stdout(&second)
        );
        assert_eq!(
            std::fs::read(root.join(&put_name)).unwrap(),
            b"one\n",
            "{name}"
        );
        assert_eq!(
            std::fs::read(root.join(&line_name)).unwrap(),
            b"two\n",
            "{name}"
        );
        for file in [&put_name, &line_name] {
            let mode = std::fs::metadata(root.join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o7777, 0o640, "{name}");
        }
        let names: Vec<String> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names.len(),
            2,
            "{name}: nothing else is left beside them: {names:?}"
        );
    }
}

/// A script's private directory is made under `TMPDIR` only when that directory is safe
/// (here: mode 0700), else under `/tmp` with a warning (here: `TMPDIR` writable by anyone
/// and not sticky); it is gone when the script ends, and when the script is ended by a
/// signal. The script of a `server.script` op is copied there, so its `$0` shows where.
#[test]
fn private_directory_is_made_safely_and_removed() {
    require!(Need::Shells);
    use std::io::{BufRead, Read};
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("where.sh"),
        "echo \"ran from $0\"\n[ -z \"${WAIT-}\" ] || sleep 2\n",
    )
    .unwrap();
    let script = emit(
        dir.path(),
        "[[op]]\nop = \"server.script\"\nsrc = \"where.sh\"\nunless = \"false\"\n\n\
         [[op]]\nop = \"files.directory\"\npath = \"{{ root }}/d\"\nmode = \"u=rwx,go=rx\"\n",
        "@local",
        &dir.path().join("root"),
    );
    let path = dir.path().join("script.sh");
    std::fs::write(&path, script).unwrap();
    for shell in SHELLS {
        let name = shell_name(shell);
        let safe = tempfile::tempdir().unwrap();
        let unsafe_dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(unsafe_dir.path(), std::fs::Permissions::from_mode(0o777))
            .unwrap();
        for (tmpdir, signal, expect_under) in [
            (safe.path(), false, safe.path().to_str().unwrap()),
            (unsafe_dir.path(), false, "/tmp"),
            (safe.path(), true, safe.path().to_str().unwrap()),
        ] {
            let mut child = Command::new(shell[0])
                .args(&shell[1..])
                .arg(&path)
                .current_dir(dir.path())
                .env("TMPDIR", tmpdir)
                .env("WAIT", if signal { "1" } else { "" })
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
            let mut first = String::new();
            while !first.contains("ran from") && out.read_line(&mut first).unwrap() > 0 {}
            if signal {
                // The script's own shell, waiting for the op's `sleep`.
                let killed = Command::new("kill")
                    .args(["-TERM", &child.id().to_string()])
                    .status()
                    .unwrap();
                assert!(killed.success());
            }
            let mut rest = String::new();
            out.read_to_string(&mut rest).unwrap();
            let output = child.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&output.stderr);
            let ran_from = first
                .lines()
                .find_map(|l| l.trim().strip_prefix("ran from "))
                .unwrap_or_else(|| panic!("{name}: {first}{rest}{err}"))
                .to_owned();
            assert!(
                ran_from.starts_with(&format!("{expect_under}/kiln.")),
                "{name}: the script ran from {ran_from}, not under {expect_under}"
            );
            let private = Path::new(&ran_from).parent().unwrap();
            assert!(
                !private.exists(),
                "{name}: {} is left behind",
                private.display()
            );
            if expect_under == "/tmp" {
                assert!(err.contains("TMPDIR"), "{name}: no warning: {err}");
            }
            if signal {
                // Ended by the signal, or by the private directory's trap for it.
                use std::os::unix::process::ExitStatusExt;
                let status = output.status;
                assert!(
                    status.signal() == Some(15) || status.code() == Some(143),
                    "{name}: {status:?} {rest}{err}"
                );
            } else {
                assert!(output.status.success(), "{name}: {rest}{err}");
            }
            std::fs::remove_dir_all(dir.path().join("root")).ok();
        }
    }
}

/// Where `mktemp` fails (or is missing), the private directory and the temporaries beside a
/// destination get random names all the same (from /dev/urandom), made exclusively; the
/// run converges and leaves nothing behind. Under every shell.
#[test]
fn private_names_without_mktemp() {
    require!(Need::Shells);
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::fs::write(bin.join("mktemp"), "#!/bin/sh\nexit 127\n").unwrap();
    std::fs::set_permissions(bin.join("mktemp"), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(dir.path().join("where.sh"), "echo \"ran from $0\"\n").unwrap();
    let root = dir.path().join("root");
    let script = emit(
        dir.path(),
        "[[op]]\nop = \"server.script\"\nsrc = \"where.sh\"\nunless = \"false\"\n\n\
         [[op]]\nop = \"files.put\"\ndest = \"{{ root }}/f\"\ncontent = \"x\\n\"\nmode = \"0600\"\n",
        "@local",
        &root,
    );
    let path = dir.path().join("script.sh");
    std::fs::write(&path, script).unwrap();
    for shell in SHELLS {
        let name = shell_name(shell);
        std::fs::create_dir_all(&root).unwrap();
        let output = Command::new(shell[0])
            .args(&shell[1..])
            .arg(&path)
            .current_dir(dir.path())
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
            .env_remove("TMPDIR")
            .output()
            .unwrap();
        let out = stdout(&output);
        assert_eq!(summary(&out), (0, 2, 0, 0), "{name}: {out}");
        let ran_from = out
            .lines()
            .find_map(|l| l.trim().strip_prefix("ran from /tmp/kiln."))
            .unwrap_or_else(|| panic!("{name}: {out}"));
        let random = ran_from.strip_suffix("/script").unwrap();
        assert!(
            random.len() == 16 && random.bytes().all(|b| b.is_ascii_hexdigit()),
            "{name}: {ran_from}"
        );
        assert!(
            !Path::new(&format!("/tmp/kiln.{random}")).exists(),
            "{name}"
        );
        assert_eq!(std::fs::read(root.join("f")).unwrap(), b"x\n", "{name}");
        let left: Vec<_> = std::fs::read_dir(&root).unwrap().collect();
        assert_eq!(left.len(), 1, "{name}: {left:?}");
        std::fs::remove_dir_all(&root).unwrap();
    }
}

/// A manifest whose first op applies without error and still fails its check: a define
/// whose apply makes the wrong file, then an op it keeps from running.
const NOT_SETTLING: &str = "\
[[define]]\nop = \"site.flag\"\nprobe = \"test -e {{ path }}\"\napply = \"touch {{ path }}.elsewhere\"\n\n\
[define.params]\npath = { type = \"path\", required = true }\n\n\
[[op]]\nop = \"site.flag\"\npath = \"{{ root }}/flag\"\n\n\
[[op]]\nop = \"files.file\"\npath = \"{{ root }}/after\"\n\n\
[[op]]\nop = \"files.file\"\npath = \"{{ root }}/skipped\"\nwhen = \"false\"\n";

/// An op that applied but whose check still fails says so, with what it checks and what
/// still differs; the ops after a failure are listed not-run and counted apart from
/// skipped ones.
#[test]
fn a_failed_check_after_applying_says_what_it_checks_and_ops_left_are_not_run() {
    require!(Need::Shells, Need::Shellcheck);
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("root");
    let script = emit(temp.path(), NOT_SETTLING, "@local", &root);
    let shown = |output: &std::process::Output| {
        stdout(output).replace(&root.display().to_string(), "/ROOT")
    };
    each_shell(&script, &root, |shell, first, _| {
        assert_eq!(first.status.code(), Some(1), "{shell}");
        assert_eq!(
            shown(first),
            "failed          1  site.flag /ROOT/flag  [main.toml:9]\n    \
             applied, but the check after it still fails: its probe succeeds: test -e '/ROOT/flag'\n    \
             touch '/ROOT/flag'.elsewhere\n\
             not-run         2  files.file /ROOT/after  [main.toml:13]\n\
             not-run         3  files.file /ROOT/skipped  [main.toml:17]\n\
             kiln: 0 ok, 0 changed, 1 failed, 0 skipped, 2 not run\n",
            "{shell}"
        );
        assert!(
            !root.join("after").exists(),
            "{shell}: a not-run op did nothing"
        );
    });
}

/// In check mode, an op whose change cannot be shown because it needs an earlier op's
/// change (a line in a file an earlier op creates) would change, saying what it depends
/// on; with no earlier change, the same op would fail, and the run says so (exit 1).
#[test]
fn check_mode_tells_ops_depending_on_earlier_changes_from_ops_that_would_fail() {
    require!(Need::Shells, Need::Shellcheck);
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("root");
    let line =
        "[[op]]\nop = \"files.line\"\npath = \"{{ root }}/conf\"\nline = \"b\"\ncreate = false\n";
    let dependent = format!(
        "[[op]]\nop = \"files.put\"\ndest = \"{{{{ root }}}}/conf\"\ncontent = \"a\\n\"\n\n{line}"
    );
    for (manifest, status, expected) in [
        (
            dependent.as_str(),
            0,
            "would-change    1  files.put /ROOT/conf  [main.toml:1]\n    \
             --- /ROOT/conf\n    +++ /ROOT/conf (desired)\n    @@ -0,0 +1 @@\n    +a\n\
             would-change    2  files.line /ROOT/conf  [main.toml:6]\n    \
             depends on an earlier change: /ROOT/conf does not exist (create = true creates it)\n\
             kiln: 0 ok, 2 would change, 0 failed, 0 skipped\n",
        ),
        (
            line,
            1,
            "would-fail      1  files.line /ROOT/conf  [main.toml:1]\n    \
             /ROOT/conf does not exist (create = true creates it)\n\
             kiln: 0 ok, 0 would change, 1 failed, 0 skipped\n",
        ),
    ] {
        let script = emit(temp.path(), manifest, "@local", &root);
        let path = temp.path().join("script.sh");
        std::fs::write(&path, &script).unwrap();
        shellcheck(&path);
        for shell in SHELLS {
            let sh = shell_name(shell);
            std::fs::create_dir_all(&root).unwrap();
            let output = run_script(shell, &path, &["--check"], &root);
            assert_eq!(output.status.code(), Some(status), "{sh}");
            assert_eq!(
                stdout(&output).replace(&root.display().to_string(), "/ROOT"),
                expected,
                "{sh}"
            );
        }
    }
}

/// `files.file` and line edits follow a symbolic link at `path` (Ansible's `follow: true`)
/// only when root or the user the op runs as owns the link: one another user planted (here
/// owned by `nobody`) fails the op and its target keeps its mode and content; a root-owned
/// link is followed.
/// Under every shell, as root (the only user that can own a link as another user).
#[test]
fn file_follows_only_links_it_can_trust() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    require!(Need::Shells, Need::Root);
    for shell in SHELLS {
        let name = shell_name(shell);
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir(&root).unwrap();
        let victim = root.join("victim");
        std::fs::write(&victim, "private\n").unwrap();
        std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o600)).unwrap();
        symlink(&victim, root.join("planted")).unwrap();
        let chown = Command::new("chown")
            .args(["-h", "65534:65534"])
            .arg(root.join("planted"))
            .status()
            .unwrap();
        assert!(chown.success());
        // A line edit follows links too: the same rule.
        let edit = emit(
            dir.path(),
            "[[op]]\nop = \"files.line\"\npath = \"{{ root }}/planted\"\nline = \"added\"\n",
            "@local",
            &root,
        );
        let edit_path = dir.path().join("edit.sh");
        std::fs::write(&edit_path, edit).unwrap();
        let output = run_script(shell, &edit_path, &[], dir.path());
        assert_eq!(
            summary(&stdout(&output)).2,
            1,
            "{name}: {}",
            stdout(&output)
        );
        assert_eq!(std::fs::read(&victim).unwrap(), b"private\n", "{name}");
        let script = emit(
            dir.path(),
            "[[op]]\nop = \"files.file\"\npath = \"{{ root }}/planted\"\nmode = \"0644\"\n",
            "@local",
            &root,
        );
        let path = dir.path().join("script.sh");
        std::fs::write(&path, script).unwrap();
        let output = run_script(shell, &path, &[], dir.path());
        assert_eq!(
            summary(&stdout(&output)).2,
            1,
            "{name}: {}",
            stdout(&output)
        );
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("owned by user 65534"),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let mode = std::fs::metadata(&victim).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o7777,
            0o600,
            "{name}: the planted link was followed"
        );
        // The same link, root's: followed, and the second run changes nothing.
        let chown = Command::new("chown")
            .args(["-h", "0:0"])
            .arg(root.join("planted"))
            .status()
            .unwrap();
        assert!(chown.success());
        let first = run_script(shell, &path, &[], dir.path());
        assert_eq!(
            summary(&stdout(&first)),
            (0, 1, 0, 0),
            "{name}: {}",
            stdout(&first)
        );
        let second = run_script(shell, &path, &[], dir.path());
        assert_eq!(
            summary(&stdout(&second)),
            (1, 0, 0, 0),
            "{name}: {}",
            stdout(&second)
        );
        let mode = std::fs::metadata(&victim).unwrap().permissions().mode();
        assert_eq!(mode & 0o7777, 0o644, "{name}");
    }
}

/// A manifest whose ops bind alike on every host (a directory and a command made from the
/// manifest's variables, a handler) or not (a file made from a variable one host
/// overrides, through another variable; the host's name; an op for one host only).
const MANY_HOSTS_MANIFEST: &str = "\
[vars]\nsite = \"example.org\"\nmotd = \"hello {{ greeting }}\"\n\n\
[[op]]\nop = \"files.directory\"\npath = \"/srv/{{ site }}\"\nmode = \"0755\"\n\n\
[[op]]\nop = \"files.put\"\ndest = \"/etc/motd\"\ncontent = \"{{ motd }}\\n\"\n\n\
[[op]]\nop = \"files.put\"\ndest = \"/etc/hostname\"\ncontent = \"{{ host.name }}\\n\"\nnotify = [\"reload\"]\n\n\
[[op]]\nop = \"files.file\"\npath = \"/srv/{{ site }}/only-web1\"\nhosts = [\"web1\"]\n\n\
[[op]]\nop = \"server.shell\"\ncommands = \"echo {{ site }}\"\nwhen = \"site == 'example.org'\"\nnotify = [\"reload\"]\n\n\
[[handler]]\nid = \"reload\"\nop = \"server.shell\"\ncommands = \"echo reload {{ site }}\"\n";

const MANY_HOSTS_INVENTORY: &str = "\
[vars]\ngreeting = \"world\"\n\n\
[hosts.web1]\naddress = \"10.0.0.1\"\n\n\
[hosts.web2]\naddress = \"10.0.0.2\"\nvars = { greeting = \"web two\" }\n\n\
[hosts.web3]\naddress = \"10.0.0.3\"\n";

/// The scripts written for many hosts, whose ops that bind alike on every host are
/// lowered once, are each byte for byte what emitting for that host alone writes (where
/// nothing is shared).
#[test]
fn scripts_for_many_hosts_are_what_each_host_alone_gets() {
    let all = Test::new()
        .file("main.toml", MANY_HOSTS_MANIFEST)
        .file("inventory.toml", MANY_HOSTS_INVENTORY)
        .args(["emit", ".", "-o", "out"])
        .run();
    all.assert_status(0);
    let out = all.tempdir.path().join("out");
    let mut scripts = Vec::new();
    for host in ["web1", "web2", "web3"] {
        let alone = Test::new()
            .file("main.toml", MANY_HOSTS_MANIFEST)
            .file("inventory.toml", MANY_HOSTS_INVENTORY)
            .args(["emit", ".", "-l", host])
            .run();
        alone.assert_status(0);
        let written = std::fs::read_to_string(out.join(format!("{host}.sh"))).unwrap();
        assert_eq!(written, alone.stdout, "{host}'s script");
        scripts.push(written);
    }
    assert!(scripts[0].contains("k_step 4 ") && scripts[1].contains("k_skip 4 "));
    assert!(scripts[1].contains("web two") && !scripts[2].contains("web two"));
    let files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), 3, "no temporary left: {files:?}");
}

/// An emit that fails for one host writes no host's script, and leaves a script an earlier
/// run wrote as it was: scripts appear whole, and only once every host's is made.
#[test]
fn a_failed_emit_writes_no_script() {
    let inventory = MANY_HOSTS_INVENTORY.replace("[vars]\ngreeting = \"world\"\n\n", "");
    let output = Test::new()
        .file("main.toml", MANY_HOSTS_MANIFEST)
        .file("inventory.toml", inventory)
        .file("out/web1.sh", "an earlier run's script\n")
        .args(["emit", ".", "-o", "out"])
        .run();
    output.assert_status(1);
    output.assert_stderr_contains("greeting");
    let out = output.tempdir.path().join("out");
    let files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, ["web1.sh"]);
    assert_eq!(
        std::fs::read_to_string(out.join("web1.sh")).unwrap(),
        "an earlier run's script\n"
    );
}

/// An emit killed while it writes leaves no script: until every host's script is whole,
/// each is a hidden temporary file, never under a script's name.
#[test]
fn an_interrupted_emit_writes_no_script() {
    let mut manifest = String::new();
    for i in 0..2000 {
        manifest.push_str(&format!(
            "[[op]]\nop = \"files.put\"\ndest = \"/etc/motd.{i}\"\ncontent = \"{{{{ host.name }}}} {i}\\n\"\n\n"
        ));
    }
    let inventory: String = (0..40)
        .map(|h| format!("[hosts.web{h}]\naddress = \"10.0.0.{}\"\n\n", h + 1))
        .collect();
    let (mut child, dir) = Test::new()
        .file("main.toml", manifest)
        .file("inventory.toml", inventory)
        .args(["emit", ".", "-o", "out"])
        .spawn();
    let out = dir.path().join("out");
    let names = || -> Vec<String> {
        std::fs::read_dir(&out).map_or_else(
            |_| Vec::new(),
            |entries| {
                entries
                    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            },
        )
    };
    // Killed as soon as the first script is being written.
    while names().is_empty() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "kiln ended before it was interrupted"
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let names = names();
    assert!(!names.is_empty());
    assert!(
        names
            .iter()
            .all(|name| name.starts_with('.') && name.ends_with(".kiln-tmp")),
        "{names:?}"
    );
}
