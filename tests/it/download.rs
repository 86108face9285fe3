//! `files.download` for real: a tiny HTTP server on a loopback port (a thread of this test,
//! stopped when the test ends), and emitted scripts run under every shell of the matrix.
//!
//! Checked: a download that matches `sha256` lands and the next apply is a no-op; a mismatch
//! or an HTTP error fails and leaves `dest` (and its directory) as it was; an existing file
//! without `sha256` is kept; `force` downloads every time; headers, `mode`; and the run-time
//! tool detection: wget when curl is missing, shasum / openssl when sha256sum is missing,
//! and a clear failure when no tool is there (tools are hidden with a `PATH` of symlinks).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::kiln::Test;
use crate::support::need::{Need, require};
use crate::support::shells::{SHELLS, shell_name, summary};
use crate::support::tree::{Entry, read_tree};
use crate::support::{http, tree};

const BODY: &[u8] = b"downloaded \x00\xff bytes\nsecond line\n";

/// Serves `/file.txt` (BODY), `/echo-header` (the `X-Kiln-Test` request header) and 404
/// for anything else, recording the requests it answers.
fn start_server() -> http::Server {
    http::Server::start(|request| match request.path.as_str() {
        "/file.txt" => ("200 OK", BODY.to_vec()),
        "/echo-header" => (
            "200 OK",
            request
                .header("x-kiln-test")
                .unwrap_or_default()
                .as_bytes()
                .to_vec(),
        ),
        _ => ("404 Not Found", b"not found\n".to_vec()),
    })
}

/// The `User-Agent` of the last request: which tool downloaded.
fn agent(server: &http::Server) -> String {
    server
        .requests()
        .last()
        .and_then(|r| r.header("user-agent"))
        .unwrap_or_default()
        .to_owned()
}

fn sha256_hex(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f");
    std::fs::write(&file, bytes).unwrap();
    let out = Command::new("sha256sum").arg(&file).output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_owned()
}

/// A case: a manifest (with `{{ root }}` and `{{ port }}`), emitted once.
struct Case {
    _dir: tempfile::TempDir,
    script: PathBuf,
    sandbox: PathBuf,
}

impl Case {
    fn new(server: &http::Server, manifest: &str) -> Case {
        let dir = tempfile::tempdir().unwrap();
        let sandbox = dir.path().join("root");
        std::fs::write(dir.path().join("main.toml"), manifest).unwrap();
        let output = Test::new()
            .current_dir(dir.path())
            .args(["emit", "main.toml", "-i", "@local", "-e"])
            .arg(format!("root={}", sandbox.display()))
            .arg("-e")
            .arg(format!("port={}", server.port))
            .run();
        output.assert_status(0);
        let script = dir.path().join("script.sh");
        std::fs::write(&script, &output.stdout).unwrap();
        Case {
            _dir: dir,
            script,
            sandbox,
        }
    }

    /// Empties the sandbox and writes `files` into it.
    fn reset(&self, files: &[(&str, &[u8])]) {
        if self.sandbox.exists() {
            std::fs::remove_dir_all(&self.sandbox).unwrap();
        }
        std::fs::create_dir_all(&self.sandbox).unwrap();
        for (name, bytes) in files {
            std::fs::write(self.sandbox.join(name), bytes).unwrap();
        }
    }

    fn run(&self, shell: &[&str], args: &[&str], path: Option<&Path>) -> Output {
        let mut command = Command::new(shell[0]);
        command
            .args(&shell[1..])
            .arg(&self.script)
            .args(args)
            .current_dir(&self.sandbox)
            .env("LC_ALL", "C");
        if let Some(path) = path {
            command.env("PATH", path);
        }
        command.output().unwrap()
    }

    fn tree(&self) -> BTreeMap<String, Entry> {
        read_tree(&self.sandbox)
    }
}

fn text(output: &Output) -> String {
    format!(
        "exit {:?}\n{}{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// (ok, changed, failed) of a run.
fn counts(output: &Output) -> (u32, u32, u32) {
    let (ok, changed, failed, _) = summary(&String::from_utf8_lossy(&output.stdout));
    (ok, changed, failed)
}

fn file(bytes: &[u8]) -> Entry {
    Entry::File(bytes.to_vec())
}

/// A directory whose `PATH` holds every program of this machine's `PATH` except `hidden`.
fn path_without(hidden: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let path = std::env::var_os("PATH").unwrap();
    for source in std::env::split_paths(&path) {
        let Ok(entries) = std::fs::read_dir(&source) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let link = dir.path().join(&name);
            if hidden.iter().any(|h| name == **h) || link.symlink_metadata().is_ok() {
                continue;
            }
            std::os::unix::fs::symlink(entry.path(), link).unwrap();
        }
    }
    dir
}

fn manifest(extra: &str) -> String {
    format!(
        "[[op]]\nop = \"files.download\"\nurl = \"http://127.0.0.1:{{{{ port }}}}/file.txt\"\ndest = \"{{{{ root }}}}/file.txt\"\n{extra}\n"
    )
}

/// Every shell: `--check` changes nothing, apply downloads, a second apply is a no-op and
/// makes no request.
fn converges(server: &http::Server, case: &Case, path: Option<&Path>, want: &[u8]) {
    for shell in SHELLS {
        let sh = shell_name(shell);
        case.reset(&[]);
        let check = case.run(shell, &["--check"], path);
        assert_eq!(counts(&check), (0, 1, 0), "{sh} --check: {}", text(&check));
        assert!(case.tree().is_empty(), "{sh}: --check wrote files");
        let first = case.run(shell, &[], path);
        assert_eq!(counts(&first), (0, 1, 0), "{sh} apply: {}", text(&first));
        let expected = BTreeMap::from([("file.txt".to_owned(), file(want))]);
        assert_eq!(case.tree(), expected, "{sh}: {}", text(&first));
        let before = server.requests().len();
        let second = case.run(shell, &[], path);
        assert_eq!(
            counts(&second),
            (1, 0, 0),
            "{sh} second apply: {}",
            text(&second)
        );
        assert_eq!(
            server.requests().len(),
            before,
            "{sh}: the second apply downloaded"
        );
    }
}

#[test]
fn sha256_match_downloads_once() {
    require!(Need::Shells, Need::Downloaders);
    let server = start_server();
    let case = Case::new(
        &server,
        &manifest(&format!(
            "sha256 = \"{}\"\nmode = \"0600\"",
            sha256_hex(BODY).to_uppercase()
        )),
    );
    converges(&server, &case, None, BODY);
    let mode = tree::mode(&case.sandbox.join("file.txt"));
    assert_eq!(mode, "0600");
}

#[test]
fn sha256_mismatch_fails_and_leaves_dest() {
    require!(Need::Shells, Need::Downloaders);
    let server = start_server();
    let case = Case::new(
        &server,
        &manifest(&format!("sha256 = \"{}\"", sha256_hex(b"something else"))),
    );
    for shell in SHELLS {
        let sh = shell_name(shell);
        case.reset(&[("file.txt", b"old\n")]);
        let run = case.run(shell, &[], None);
        assert_eq!(run.status.code(), Some(1), "{sh}: {}", text(&run));
        assert_eq!(counts(&run), (0, 0, 1), "{sh}: {}", text(&run));
        assert!(
            String::from_utf8_lossy(&run.stderr).contains("expected"),
            "{sh}: {}",
            text(&run)
        );
        let expected = BTreeMap::from([("file.txt".to_owned(), file(b"old\n"))]);
        assert_eq!(
            case.tree(),
            expected,
            "{sh}: dest or a temporary file changed"
        );
    }
}

#[test]
fn http_error_fails_and_leaves_nothing() {
    require!(Need::Shells, Need::Downloaders);
    let server = start_server();
    let case = Case::new(
        &server,
        "[[op]]\nop = \"files.download\"\nurl = \"http://127.0.0.1:{{ port }}/missing\"\ndest = \"{{ root }}/file.txt\"\n",
    );
    for shell in SHELLS {
        let sh = shell_name(shell);
        case.reset(&[]);
        let run = case.run(shell, &[], None);
        assert_eq!(run.status.code(), Some(1), "{sh}: {}", text(&run));
        assert!(case.tree().is_empty(), "{sh}: left {:?}", case.tree());
    }
}

#[test]
fn existing_file_without_sha256_is_kept() {
    require!(Need::Shells, Need::Downloaders);
    let server = start_server();
    let case = Case::new(&server, &manifest(""));
    for shell in SHELLS {
        let sh = shell_name(shell);
        case.reset(&[("file.txt", b"local\n")]);
        let run = case.run(shell, &[], None);
        assert_eq!(counts(&run), (1, 0, 0), "{sh}: {}", text(&run));
        assert_eq!(server.requests().len(), 0, "{sh}: downloaded");
        let expected = BTreeMap::from([("file.txt".to_owned(), file(b"local\n"))]);
        assert_eq!(case.tree(), expected);
    }
}

#[test]
fn force_downloads_every_time() {
    require!(Need::Shells, Need::Downloaders);
    let server = start_server();
    let case = Case::new(&server, &manifest("force = true"));
    for shell in SHELLS {
        let sh = shell_name(shell);
        case.reset(&[("file.txt", b"local\n")]);
        for _ in 0..2 {
            let before = server.requests().len();
            let run = case.run(shell, &[], None);
            assert_eq!(counts(&run), (0, 1, 0), "{sh}: {}", text(&run));
            assert_eq!(server.requests().len(), before + 1, "{sh}");
            let expected = BTreeMap::from([("file.txt".to_owned(), file(BODY))]);
            assert_eq!(case.tree(), expected);
        }
    }
}

#[test]
fn headers_are_sent_with_curl_and_wget() {
    require!(Need::Shells, Need::Downloaders);
    let server = start_server();
    let value = "it's \"$(x)\" `y`";
    let case = Case::new(
        &server,
        &format!(
            "[[op]]\nop = \"files.download\"\nurl = \"http://127.0.0.1:{{{{ port }}}}/echo-header\"\ndest = \"{{{{ root }}}}/file.txt\"\nheaders = {{ X-Kiln-Test = {} }}\ntimeout = \"30s\"\n",
            serde_json::Value::from(value)
        ),
    );
    converges(&server, &case, None, value.as_bytes());
    assert!(agent(&server).starts_with("curl"), "{}", agent(&server));
    let no_curl = path_without(&["curl"]);
    converges(&server, &case, Some(no_curl.path()), value.as_bytes());
    assert!(agent(&server).starts_with("Wget"), "{}", agent(&server));
}

#[test]
fn tools_are_detected_at_run_time() {
    require!(Need::Shells, Need::Downloaders);
    let server = start_server();
    let case = Case::new(
        &server,
        &manifest(&format!("sha256 = \"{}\"", sha256_hex(BODY))),
    );
    for hidden in [
        &["curl"][..],
        &["sha256sum"],
        &["sha256sum", "shasum"],
        &["curl", "sha256sum", "shasum"],
    ] {
        let path = path_without(hidden);
        converges(&server, &case, Some(path.path()), BODY);
    }
}

#[test]
fn missing_tools_fail_clearly() {
    require!(Need::Shells, Need::Downloaders);
    let server = start_server();
    let case = Case::new(
        &server,
        &manifest(&format!("sha256 = \"{}\"", sha256_hex(BODY))),
    );
    for (hidden, message) in [
        (&["curl", "wget"][..], "neither curl nor wget"),
        (
            &["sha256sum", "shasum", "openssl"],
            "none of sha256sum, shasum or openssl",
        ),
    ] {
        let path = path_without(hidden);
        for shell in SHELLS {
            let sh = shell_name(shell);
            case.reset(&[]);
            let run = case.run(shell, &[], Some(path.path()));
            assert_eq!(run.status.code(), Some(1), "{sh}: {}", text(&run));
            assert!(
                String::from_utf8_lossy(&run.stderr).contains(message),
                "{sh} without {hidden:?}: {}",
                text(&run)
            );
            assert!(case.tree().is_empty(), "{sh}: left {:?}", case.tree());
        }
    }
}
