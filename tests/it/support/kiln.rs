//! The one way tests run the `kiln` binary: a builder in the style of casey/just's tests.
//!
//! Each [`Test`] owns a fresh temporary directory: files are written into it, the real
//! binary runs inside it (or in a directory the test names) with a clean environment
//! (`NO_COLOR=1`, `COLUMNS=100`, [`PATH`] and nothing else unless asked), and the
//! [`Output`] holds the exit code, stdout and stderr for assertions. Because the binary runs
//! in the temporary directory, file names in its output are the relative names the test
//! wrote; where an absolute one shows anyway (a `root` variable under the temporary
//! directory), [`Output::normalized`] writes the directory `[TEMP]`. A shell whose commands
//! are a recipe's own, not the test's, finds the binary on `PATH` through [`bin_dir`].
//!
//! ```ignore
//! let output = Test::new()
//!     .file("main.toml", "[[op]]\nop = \"apt.update\"\n")
//!     .args(["check", "."])
//!     .run();
//! output.assert_status(0);
//! ```

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::tree::copy_tree;

/// `PATH` for the binary and anything it runs (inventory programs are `#!/bin/sh`; a
/// connector may run `chroot`, in `/usr/sbin`).
pub(crate) const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The directory holding the binary: on `PATH`, it runs as `kiln` in a shell whose commands
/// are not the test's to write (a job system's recipe, `scale`), with the environment the
/// caller gives that shell.
pub(crate) fn bin_dir() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_kiln"))
        .parent()
        .expect("the binary is in a directory")
}

#[must_use]
pub(crate) struct Test {
    tempdir: tempfile::TempDir,
    args: Vec<String>,
    env: Vec<(String, String)>,
    current_dir: PathBuf,
    stdin: Vec<u8>,
    terminal: bool,
    /// The PID whose network namespace the binary runs in (`nsenter`), if not this one's.
    network: Option<u32>,
}

impl Default for Test {
    fn default() -> Self {
        Self::new()
    }
}

impl Test {
    pub(crate) fn new() -> Self {
        let tempdir = tempfile::Builder::new()
            .prefix("kiln-test-")
            .tempdir()
            .expect("create a temporary directory");
        Test {
            tempdir,
            args: Vec::new(),
            env: Vec::new(),
            current_dir: PathBuf::new(),
            stdin: Vec::new(),
            terminal: false,
            network: None,
        }
    }

    /// The temporary directory the test runs in.
    pub(crate) fn path(&self) -> &Path {
        self.tempdir.path()
    }

    /// Writes `contents` to `path` (relative to the temporary directory), creating parent
    /// directories as needed.
    pub(crate) fn file(self, path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> Self {
        let path = self.path().join(path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create parent directories");
        }
        fs::write(&path, contents.as_ref())
            .unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        self
    }

    /// Writes an executable file (mode 0755), e.g. an inventory program.
    pub(crate) fn executable(self, path: impl AsRef<Path>, contents: impl AsRef<str>) -> Self {
        use std::os::unix::fs::PermissionsExt;
        let full = self.path().join(path.as_ref());
        let test = self.file(path, contents.as_ref());
        fs::set_permissions(&full, fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("chmod {}: {e}", full.display()));
        test
    }

    /// Copies the tree under `source` (links as links, modes kept) into the temporary
    /// directory.
    pub(crate) fn copy_dir(self, source: impl AsRef<Path>) -> Self {
        copy_tree(source.as_ref(), self.path());
        self
    }

    pub(crate) fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub(crate) fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets an environment variable for the run, on top of the clean environment (`PATH`
    /// too: a test's own programs go first on it).
    pub(crate) fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// Runs in `dir` instead of the temporary directory's root: a subdirectory of it when
    /// `dir` is relative, that directory itself (e.g. a fixture's) when it is absolute.
    pub(crate) fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.current_dir = dir.as_ref().to_path_buf();
        self
    }

    /// What the binary reads on standard input (nothing, by default: it is at its end).
    pub(crate) fn stdin(mut self, input: impl Into<Vec<u8>>) -> Self {
        self.stdin = input.into();
        self
    }

    /// Runs the binary on a pseudo-terminal (util-linux's `script`, so the test needs
    /// `Need::UtilLinux`), as a person would: `TERM=xterm`, and standard input typed on the
    /// terminal. What the terminal showed is the output's stdout (stderr shows there too).
    pub(crate) fn on_terminal(mut self) -> Self {
        self.terminal = true;
        self
    }

    /// Runs `kiln` with the arguments given and returns what it did.
    /// Starts the binary as [`Test::run`] would, without waiting for it, its output
    /// dropped: for a test that interrupts it. The temporary directory lives as long as
    /// the returned one.
    pub(crate) fn spawn(self) -> (std::process::Child, tempfile::TempDir) {
        let child = self
            .command()
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("run kiln {:?}: {e}", self.args));
        (child, self.tempdir)
    }

    /// Runs the binary in `namespace`, so what it loads into the kernel's network stack (a
    /// firewall's rules) goes there.
    pub(crate) fn in_network(mut self, namespace: &super::netns::NetworkNamespace) -> Self {
        self.network = Some(namespace.pid());
        self
    }

    /// The command that runs the binary in the test's directory and environment.
    fn command(&self) -> Command {
        let mut command = if let Some(pid) = self.network {
            let mut command = Command::new("nsenter");
            command
                .args(["-t", &pid.to_string(), "-n", env!("CARGO_BIN_EXE_kiln")])
                .args(&self.args);
            command
        } else if self.terminal {
            let line: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_kiln"))
                .chain(self.args.iter().map(String::as_str))
                .map(kiln::shell::quote)
                .collect();
            let mut command = Command::new("script");
            command.args(["-qec", &line.join(" "), "/dev/null"]);
            command
        } else {
            let mut command = Command::new(env!("CARGO_BIN_EXE_kiln"));
            command.args(&self.args);
            command
        };
        command
            .current_dir(self.path().join(&self.current_dir))
            .env_clear()
            .env("PATH", PATH)
            .env("NO_COLOR", "1")
            .env("COLUMNS", "100")
            .envs(self.terminal.then_some(("TERM", "xterm")))
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        command
    }

    pub(crate) fn run(self) -> Output {
        let mut child = self
            .command()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("run kiln {:?}: {e}", self.args));
        let mut stdin = child.stdin.take().expect("piped stdin");
        let input = self.stdin;
        // Written from a thread, so a large input cannot block against a full stdout.
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let output = child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("wait for kiln {:?}: {e}", self.args));
        writer.join().expect("the stdin writer");
        let status = output
            .status
            .code()
            .unwrap_or_else(|| panic!("kiln {:?} was killed: {}", self.args, output.status));
        Output {
            args: self.args,
            status,
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
            tempdir: self.tempdir,
        }
    }
}

/// What one run of `kiln` did. Keeps the temporary directory alive until dropped.
pub(crate) struct Output {
    pub args: Vec<String>,
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
    pub tempdir: tempfile::TempDir,
}

impl Output {
    /// Panics, showing both streams, unless the exit code is `expected`.
    #[track_caller]
    pub(crate) fn assert_status(&self, expected: i32) -> &Self {
        assert_eq!(
            self.status, expected,
            "kiln {:?} exited with {} (expected {expected})\n--- stdout\n{}\n--- stderr\n{}",
            self.args, self.status, self.stdout, self.stderr
        );
        self
    }

    /// Panics unless stdout, normalized, is exactly `expected`.
    #[track_caller]
    pub(crate) fn assert_stdout(&self, expected: &str) -> &Self {
        assert_eq!(
            self.normalized(&self.stdout),
            expected,
            "stdout of kiln {:?} (stderr: {})",
            self.args,
            self.stderr
        );
        self
    }

    /// Panics unless stderr, normalized, is exactly `expected`.
    #[track_caller]
    pub(crate) fn assert_stderr(&self, expected: &str) -> &Self {
        assert_eq!(
            self.normalized(&self.stderr),
            expected,
            "stderr of kiln {:?} (stdout: {})",
            self.args,
            self.stdout
        );
        self
    }

    #[track_caller]
    pub(crate) fn assert_stdout_contains(&self, needle: &str) -> &Self {
        assert!(
            self.stdout.contains(needle),
            "stdout of kiln {:?} lacks {needle:?}:\n{}",
            self.args,
            self.stdout
        );
        self
    }

    #[track_caller]
    pub(crate) fn assert_stderr_contains(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr of kiln {:?} lacks {needle:?}:\n{}",
            self.args,
            self.stderr
        );
        self
    }

    /// The whole run, normalized, for a snapshot: its exit code, then each stream that is
    /// not empty.
    pub(crate) fn transcript(&self) -> String {
        let mut text = format!("exit: {}\n", self.status);
        for (name, stream) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            if !stream.is_empty() {
                text.push_str(&format!("--- {name}\n{}", self.normalized(stream)));
            }
        }
        text
    }

    /// Stdout parsed as one JSON document.
    #[track_caller]
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout of kiln {:?} is not JSON ({e}):\n{}\n--- stderr\n{}",
                self.args, self.stdout, self.stderr
            )
        })
    }

    /// `text` (this run's stdout or stderr) with the temporary directory, by any of its
    /// names, written `[TEMP]`: what a snapshot or an exact comparison holds.
    pub(crate) fn normalized(&self, text: &str) -> String {
        self.tempdir_names()
            .iter()
            .fold(text.to_owned(), |text, name| text.replace(name, "[TEMP]"))
    }

    /// Whether stdout or stderr mention the temporary directory (by any of its names).
    pub(crate) fn mentions_tempdir(&self) -> bool {
        self.tempdir_names()
            .iter()
            .any(|name| self.stdout.contains(name) || self.stderr.contains(name))
    }

    /// The temporary directory's path, and its canonical path when that differs (a
    /// `TMPDIR` through a link), longest first.
    fn tempdir_names(&self) -> Vec<String> {
        let path = self.tempdir.path();
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let mut names = vec![path.display().to_string(), canonical.display().to_string()];
        names.sort_by_key(|name| std::cmp::Reverse(name.len()));
        names.dedup();
        names
    }
}
