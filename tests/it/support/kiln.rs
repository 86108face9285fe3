//! A builder for end-to-end tests of the `kiln` binary, in the style of casey/just's tests.
//!
//! Each [`Test`] owns a fresh temporary directory: files are written into it, the real
//! binary runs inside it with a clean environment (`NO_COLOR=1`, `COLUMNS=100`, a fixed
//! `PATH` and nothing else unless asked), and the [`Output`] holds the exit code, stdout and
//! stderr for assertions. Because the binary runs in the temporary directory, file names in
//! its output are the relative names the test wrote, never absolute temporary paths.
//!
//! ```ignore
//! let output = Test::new()
//!     .file("main.toml", "[[op]]\nop = \"apt.update\"\n")
//!     .args(["check", "."])
//!     .run();
//! output.assert_status(0);
//! ```

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// `PATH` for the binary and anything it runs (inventory programs are `#!/bin/sh`).
const PATH: &str = "/usr/local/bin:/usr/bin:/bin";

#[must_use]
pub struct Test {
    tempdir: tempfile::TempDir,
    args: Vec<String>,
    env: Vec<(String, String)>,
    current_dir: PathBuf,
}

impl Default for Test {
    fn default() -> Self {
        Self::new()
    }
}

impl Test {
    pub fn new() -> Self {
        let tempdir = tempfile::Builder::new()
            .prefix("kiln-test-")
            .tempdir()
            .expect("create a temporary directory");
        Test {
            tempdir,
            args: Vec::new(),
            env: Vec::new(),
            current_dir: PathBuf::new(),
        }
    }

    /// The temporary directory the test runs in.
    pub fn path(&self) -> &Path {
        self.tempdir.path()
    }

    /// Writes `contents` to `path` (relative to the temporary directory), creating parent
    /// directories as needed.
    pub fn file(self, path: impl AsRef<Path>, contents: impl AsRef<str>) -> Self {
        let path = self.path().join(path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create parent directories");
        }
        fs::write(&path, contents.as_ref())
            .unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        self
    }

    /// Writes an executable file (mode 0755), e.g. an inventory program.
    pub fn executable(self, path: impl AsRef<Path>, contents: impl AsRef<str>) -> Self {
        use std::os::unix::fs::PermissionsExt;
        let full = self.path().join(path.as_ref());
        let test = self.file(path, contents);
        fs::set_permissions(&full, fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("chmod {}: {e}", full.display()));
        test
    }

    /// Copies every file under `source` (recursively) into the temporary directory.
    pub fn copy_dir(self, source: impl AsRef<Path>) -> Self {
        copy_tree(source.as_ref(), self.path());
        self
    }

    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets an environment variable for the run, on top of the clean environment.
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// Runs in `dir` instead of the temporary directory's root: a subdirectory of it when
    /// `dir` is relative, that directory itself (e.g. a fixture's) when it is absolute.
    pub fn current_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.current_dir = dir.into();
        self
    }

    /// Runs `kiln` with the arguments given and returns what it did.
    pub fn run(self) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_kiln"));
        command
            .args(&self.args)
            .current_dir(self.path().join(&self.current_dir))
            .env_clear()
            .env("PATH", PATH)
            .env("NO_COLOR", "1")
            .env("COLUMNS", "100")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null());
        let output = command
            .output()
            .unwrap_or_else(|e| panic!("run kiln {:?}: {e}", self.args));
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
pub struct Output {
    pub args: Vec<String>,
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
    pub tempdir: tempfile::TempDir,
}

impl Output {
    /// Panics, showing both streams, unless the exit code is `expected`.
    #[track_caller]
    pub fn assert_status(&self, expected: i32) -> &Self {
        assert_eq!(
            self.status, expected,
            "kiln {:?} exited with {} (expected {expected})\n--- stdout\n{}\n--- stderr\n{}",
            self.args, self.status, self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn assert_stdout_contains(&self, needle: &str) -> &Self {
        assert!(
            self.stdout.contains(needle),
            "stdout of kiln {:?} lacks {needle:?}:\n{}",
            self.args,
            self.stdout
        );
        self
    }

    #[track_caller]
    pub fn assert_stderr_contains(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr of kiln {:?} lacks {needle:?}:\n{}",
            self.args,
            self.stderr
        );
        self
    }

    /// Stdout parsed as one JSON document.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout of kiln {:?} is not JSON ({e}):\n{}\n--- stderr\n{}",
                self.args, self.stdout, self.stderr
            )
        })
    }

    /// Whether stdout or stderr mention the temporary directory (by any of its names).
    pub fn mentions_tempdir(&self) -> bool {
        let path = self.tempdir.path();
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        [path.to_path_buf(), canonical].iter().any(|p| {
            let p = p.display().to_string();
            self.stdout.contains(&p) || self.stderr.contains(&p)
        })
    }
}

fn copy_tree(source: &Path, dest: &Path) {
    let entries = fs::read_dir(source).unwrap_or_else(|e| panic!("read {}: {e}", source.display()));
    for entry in entries {
        let entry = entry.expect("directory entry");
        let from = entry.path();
        let to = dest.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            fs::create_dir_all(&to).expect("create directory");
            copy_tree(&from, &to);
        } else {
            fs::copy(&from, &to)
                .unwrap_or_else(|e| panic!("copy {} to {}: {e}", from.display(), to.display()));
        }
    }
}
