//! Pull mode: `kiln emit --format cloud-init` (user-data that `cloud-init schema` accepts
//! and that carries the script byte for byte), `kiln pull-units` (units that
//! `systemd-analyze verify` accepts, values quoted), and the fetch script under the five
//! shells with hand-made bundles: a good one runs and its reports are kept up to a number;
//! a tampered, unsigned, foreign-signed, padded or linked one is refused and nothing runs;
//! over HTTPS, only from a server the CA given (`--ca`) vouches for, never over plain HTTP.

use std::path::Path;
use std::process::Command;

use crate::support::http::Server;
use crate::support::https::{Ca, HttpsServer};
use crate::support::kiln::Test;
use crate::support::need::{Need, require};
use crate::support::shells::{SHELLS, shell_name, shellcheck};

/// Runs `sh -c SCRIPT` in `dir`; panics, showing its output, unless it succeeds.
fn sh(dir: &Path, script: &str) -> String {
    let output = Command::new("sh")
        .args(["-euc", script])
        .current_dir(dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{script}\n{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    text
}

/// The script of `write_files[0]` in the user-data at `path`, as cloud-init reads it.
fn written_script(path: &Path) -> String {
    let read = "import base64, sys, yaml\n\
        entry = yaml.safe_load(open(sys.argv[1]))['write_files'][0]\n\
        content = entry['content']\n\
        if entry.get('encoding') == 'b64': content = base64.b64decode(content).decode()\n\
        sys.stdout.write(content)";
    let output = Command::new("python3")
        .args(["-c", read])
        .arg(path)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// Each script as user-data: valid cloud-config, written root's with mode 0700 and run by
/// `runcmd`, holding the script exactly (as a literal block when YAML can hold it as it is,
/// else base64, as the quickstart's control characters need).
#[test]
fn cloud_init_user_data_is_valid_and_holds_the_script() {
    require!(Need::CloudInit);
    let plain = "[[op]]\nop = \"files.directory\"\npath = \"/srv/  indented\\n\"\n\n\
                 [[op]]\nop = \"server.shell\"\ncommands = \"echo 'a: b # c' \\\"x\\\"\"\n";
    let quickstart = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart");
    for (test, literal) in [
        (Test::new().file("main.toml", plain), true),
        (Test::new().copy_dir(&quickstart), false),
    ] {
        let dir = test.path().to_path_buf();
        let script = test.args(["emit", ".", "-e", "root=/tmp/r"]).run();
        script.assert_status(0);
        let user_data = Test::new()
            .copy_dir(&dir)
            .args(["emit", ".", "-e", "root=/tmp/r", "--format", "cloud-init"])
            .args(["-o", "out"])
            .run();
        user_data.assert_status(0);
        let path = user_data.tempdir.path().join("out/@local.user-data");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("#cloud-config\n"), "{text}");
        assert!(
            text.contains(
                "  - path: /var/lib/kiln/script.sh\n    owner: root:root\n    permissions: '0700'\n"
            ),
            "{text}"
        );
        assert!(
            text.ends_with("runcmd:\n  - [sh, /var/lib/kiln/script.sh]\n"),
            "{text}"
        );
        assert_eq!(text.contains("    content: |2\n"), literal, "{text}");
        let schema = Command::new("cloud-init")
            .args(["schema", "--config-file"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(schema.status.success(), "{schema:?}\n{text}");
        assert_eq!(written_script(&path), script.stdout);
    }
}

/// The service and timer pass `systemd-analyze verify`; a value with quotes, `$` and `%`
/// is one word of `ExecStart`, read as written; a period systemd cannot read is refused.
#[test]
fn pull_units_pass_systemd_analyze_verify() {
    require!(Need::SystemdAnalyze);
    let test = Test::new();
    let script_path = test.path().join("out/kiln-pull");
    let output = test
        .args([
            "pull-units",
            "--from",
            "git+https://git.example.org/fleet.git",
        ])
        .args([
            "--host",
            "web1",
            "--identity",
            "ops \"$HOME\" 100%",
            "--keep",
            "3",
        ])
        .args(["--every", "1h 30min", "-o", "out", "--script-path"])
        .arg(script_path.display().to_string())
        .run();
    output.assert_status(0);
    let out = output.tempdir.path().join("out");
    let service = std::fs::read_to_string(out.join("kiln-pull.service")).unwrap();
    assert!(
        service.contains(
            " --host \"web1\" --allowed-signers \"/etc/kiln/allowed_signers\" \
             --identity \"ops \\\"$$HOME\\\" 100%%\" --state \"/var/lib/kiln-pull\" --keep \"3\"\n"
        ),
        "{service}"
    );
    let timer = std::fs::read_to_string(out.join("kiln-pull.timer")).unwrap();
    assert!(timer.contains("OnUnitInactiveSec=1h 30min\n"), "{timer}");
    let verify = Command::new("systemd-analyze")
        .arg("verify")
        .args([out.join("kiln-pull.service"), out.join("kiln-pull.timer")])
        .output()
        .unwrap();
    assert!(verify.status.success(), "{verify:?}");
    assert_eq!(String::from_utf8_lossy(&verify.stderr), "");
    Test::new()
        .args(["pull-units", "--from", "/srv", "--host", "web1", "--identity", "ops"])
        .args(["--every", "1h; rm -rf /", "-o", "out"])
        .run()
        .assert_status(2)
        .assert_stderr(
            "kiln: --every: `1h; rm -rf /` is not a time span systemd reads (`30min`, `1h`, `1d`)\n",
        );
}

/// How a hand-made bundle departs from the contract.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Bundle {
    Good,
    /// A byte of `script.sh` changed after signing.
    Tampered,
    /// No `SHA256SUMS.sig`.
    Unsigned,
    /// Signed with a key the allowed signers do not name.
    ForeignSigned,
    /// A file `SHA256SUMS` does not list.
    Padded,
    /// A symbolic link among the members.
    Linked,
}

/// Makes `dir/web1.tar`, a bundle of host `web1` whose `run` writes its report and
/// `ran` beside the reports directory; `dir/key` is the allowed signer's key.
fn make_bundle(dir: &Path, kind: Bundle) {
    let bundle = dir.join("web1");
    let _ = std::fs::remove_dir_all(&bundle);
    std::fs::create_dir(&bundle).unwrap();
    let run = "#!/bin/sh\nprintf '{\"hosts\": []}\\n' > \"$2\"\n: > \"${2%/*}/../ran\"\n";
    std::fs::write(bundle.join("run"), run).unwrap();
    std::fs::write(bundle.join("script.sh"), "echo converge\n").unwrap();
    sh(&bundle, "sha256sum run script.sh > SHA256SUMS");
    let key = match kind {
        Bundle::ForeignSigned => "../other",
        _ => "../key",
    };
    if kind != Bundle::Unsigned {
        sh(
            &dir.join("web1"),
            &format!("ssh-keygen -q -Y sign -n kiln-bundle -f {key} SHA256SUMS"),
        );
    }
    match kind {
        Bundle::Tampered => sh(dir, "printf 'echo owned\\n' > web1/script.sh"),
        Bundle::Padded => sh(dir, "printf 'x\\n' > web1/extra"),
        Bundle::Linked => sh(dir, "ln -s /etc web1/etc"),
        _ => String::new(),
    };
    sh(dir, "tar --sort=name --owner=0 --group=0 -cf web1.tar web1");
}

/// Writes the units and the fetch script to `dir/units` (`kiln pull-units`), and the keys
/// `dir/key` (the allowed signer's, as `ops@example.org` in `dir/allowed_signers`) and
/// `dir/other` (a stranger's). Returns the fetch script's path.
fn set_up(dir: &Path) -> std::path::PathBuf {
    let units = Test::new()
        .args([
            "pull-units",
            "--from",
            "/srv",
            "--host",
            "web1",
            "--identity",
            "x",
        ])
        .args(["-o"])
        .arg(dir.join("units").display().to_string())
        .run();
    units.assert_status(0);
    sh(
        dir,
        "ssh-keygen -q -t ed25519 -N '' -C ops -f key && ssh-keygen -q -t ed25519 -N '' -f other && \
         printf 'ops@example.org %s\\n' \"$(cut -d' ' -f1,2 key.pub)\" > allowed_signers",
    );
    dir.join("units/kiln-pull")
}

/// Runs the fetch script of [`set_up`] in `dir` under `shell`, for host `web1` signed by
/// `ops@example.org`, from `from`, keeping `keep` reports in `state`, with `extra` options.
fn fetch(
    shell: &[&str],
    dir: &Path,
    from: &str,
    state: &Path,
    keep: &str,
    extra: &[&str],
) -> std::process::Output {
    Command::new(shell[0])
        .args(&shell[1..])
        .arg(dir.join("units/kiln-pull"))
        .args([
            "--from",
            from,
            "--host",
            "web1",
            "--identity",
            "ops@example.org",
        ])
        .arg("--allowed-signers")
        .arg(dir.join("allowed_signers"))
        .arg("--state")
        .arg(state)
        .args(["--keep", keep])
        .args(extra)
        .output()
        .unwrap()
}

/// How many reports `state` keeps.
fn reports(state: &Path) -> usize {
    std::fs::read_dir(state.join("reports")).unwrap().count()
}

/// The fetch script under each shell: a good bundle from a directory runs, and only the
/// last `--keep` reports stay; each kind of bad bundle is refused, saying why, and
/// nothing of it runs. A git repository is a source too. The script passes shellcheck.
#[test]
fn the_fetch_script_runs_a_good_bundle_and_refuses_the_others() {
    require!(Need::Shells, Need::Shellcheck, Need::Sshd, Need::Git);
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    shellcheck(&set_up(dir));
    let run = |shell: &[&str], from: &str, state: &Path, keep: &str| {
        fetch(shell, dir, from, state, keep, &[])
    };
    let from = dir.display().to_string();
    for shell in SHELLS {
        let name = shell_name(shell);
        make_bundle(dir, Bundle::Good);
        let state = dir.join(format!("state-{}", name.replace(' ', "-")));
        for _ in 0..3 {
            let output = run(shell, &from, &state, "2");
            assert!(output.status.success(), "{name}: {output:?}");
        }
        assert!(state.join("ran").exists(), "{name}");
        assert_eq!(
            reports(&state),
            2,
            "{name}: only the last 2 reports are kept"
        );
        for (kind, why) in [
            (
                Bundle::Tampered,
                "a file of the bundle does not match SHA256SUMS",
            ),
            (
                Bundle::Unsigned,
                "the bundle is not signed (no SHA256SUMS.sig)",
            ),
            (
                Bundle::ForeignSigned,
                "SHA256SUMS is not signed by ops@example.org",
            ),
            (
                Bundle::Padded,
                "SHA256SUMS does not list exactly the bundle's files",
            ),
            (
                Bundle::Linked,
                "a member that is neither a file nor a directory",
            ),
        ] {
            make_bundle(dir, kind);
            let refused = dir.join("refused");
            let _ = std::fs::remove_dir_all(&refused);
            let output = run(shell, &from, &refused, "2");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(1), "{name} {kind:?}: {output:?}");
            assert!(
                stderr.contains(&format!("kiln-pull: refused: {why}")),
                "{name} {kind:?}: {stderr}"
            );
            assert!(!refused.join("ran").exists(), "{name} {kind:?}: it ran");
            assert_eq!(reports(&refused), 0, "{name} {kind:?}");
        }
    }
    make_bundle(dir, Bundle::Good);
    sh(
        dir,
        "git init -q repo && cp web1.tar repo/ && cd repo && git add web1.tar && \
         git -c user.name=t -c user.email=t@example.org commit -qm bundle",
    );
    let state = dir.join("state-git");
    let from_git = format!("git+file://{}", dir.join("repo").display());
    let output = run(&["dash"], &from_git, &state, "5");
    assert!(output.status.success(), "{output:?}");
    assert!(state.join("ran").exists());
}

/// The fetch script's HTTPS source under each shell, against a loopback server with a
/// certificate of a throwaway CA: with `--ca` naming that CA, a good bundle is fetched,
/// verified and run; without it (the system's authorities), or from a server whose
/// certificate another CA signed, nothing is fetched and nothing runs; a redirect to
/// `http://` is not followed (the plain server never hears a request), and neither the
/// script nor `kiln pull-units` takes an `http://` location. The service passes `--ca` on.
#[test]
fn the_fetch_script_fetches_over_https_trusting_only_the_ca_given() {
    require!(Need::Shells, Need::Sshd, Need::Https);
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    set_up(dir);
    make_bundle(dir, Bundle::Good);
    let tar = std::fs::read(dir.join("web1.tar")).unwrap();
    let plain = Server::start(move |_| ("200 OK", tar.clone()));
    let (ca, rogue) = (Ca::new("kiln test CA"), Ca::new("another CA"));
    let server = HttpsServer::start(&ca, dir, &plain.url(""));
    let impostor = HttpsServer::start(&rogue, dir, &plain.url(""));
    let ca_pem = ca.pem().display().to_string();
    let trusting = ["--ca", ca_pem.as_str()];
    for shell in SHELLS {
        let name = shell_name(shell);
        let state = dir.join(format!("state-{}", name.replace(' ', "-")));
        let output = fetch(shell, dir, &server.url(""), &state, "5", &trusting);
        assert!(output.status.success(), "{name}: {output:?}");
        assert!(state.join("ran").exists(), "{name}");
        assert_eq!(reports(&state), 1, "{name}");
        for (case, from, extra, why) in [
            (
                "the system's CAs",
                server.url(""),
                &[][..],
                "cannot fetch the bundle",
            ),
            (
                "another CA's certificate",
                impostor.url(""),
                &trusting[..],
                "cannot fetch the bundle",
            ),
            (
                "a redirect to http://",
                server.url("redirect"),
                &trusting[..],
                "cannot fetch the bundle",
            ),
            (
                "an http:// URL",
                plain.url(""),
                &trusting[..],
                "--from: an absolute directory, an https:// URL or git+URL",
            ),
        ] {
            let refused = dir.join("refused");
            let _ = std::fs::remove_dir_all(&refused);
            let output = fetch(shell, dir, &from, &refused, "5", extra);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(1), "{name} {case}: {output:?}");
            assert!(
                stderr.contains(&format!("kiln-pull: {why}")),
                "{name} {case}: {stderr}"
            );
            assert!(!refused.join("ran").exists(), "{name} {case}: it ran");
            assert!(
                !refused.join("reports").exists() || reports(&refused) == 0,
                "{name} {case}"
            );
        }
    }
    assert!(
        plain.requests().is_empty(),
        "nothing went over plain HTTP: {:?}",
        plain.requests()
    );

    let units = |from: &str, ca: &str| {
        Test::new()
            .args(["pull-units", "--from", from, "--host", "web1"])
            .args(["--identity", "ops", "--ca", ca, "-o", "out"])
            .run()
    };
    let made = units(
        "https://bundles.example.org/fleet",
        "/etc/kiln/bundle-ca.pem",
    );
    made.assert_status(0);
    let service =
        std::fs::read_to_string(made.tempdir.path().join("out/kiln-pull.service")).unwrap();
    assert!(
        service.contains(" --keep \"10\" --ca \"/etc/kiln/bundle-ca.pem\"\n"),
        "{service}"
    );
    units("http://bundles.example.org/fleet", "/ca.pem")
        .assert_status(2)
        .assert_stderr(
            "kiln: --from: `http://bundles.example.org/fleet` is not an absolute directory, \
             an https:// URL or git+URL (the bundle holds the script's secrets: serve it over \
             HTTPS, with --ca for a private certificate authority)\n",
        );
    units("/srv/bundles", "/ca.pem")
        .assert_status(2)
        .assert_stderr("kiln: --ca: only an https:// --from is checked with it\n");
}
