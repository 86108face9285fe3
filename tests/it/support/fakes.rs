//! Stand-ins for tools that cannot run here (snap, flatpak, SELinux's, ...): shell scripts
//! first on `PATH`, which keep what they hold in files of the test's directory (`$FAKE`)
//! and log their calls there, and the real binary applying a manifest on this host with
//! them (`-i @local`). A test that uses them says which tools are stand-ins, and why.

use std::path::Path;

use crate::support::kiln::{self, Output, Test};

/// A project directory with stand-in tools in its `bin/`.
pub(crate) struct Fakes {
    temp: tempfile::TempDir,
}

impl Fakes {
    /// The stand-ins: each `(name, script)` is an executable `bin/name`.
    pub(crate) fn new(tools: &[(&str, String)]) -> Fakes {
        let temp = tempfile::tempdir().unwrap();
        let bin = temp.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        for (tool, script) in tools {
            let path = bin.join(tool);
            std::fs::write(&path, script).unwrap();
            let mut permissions = std::fs::metadata(&path).unwrap().permissions();
            std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
            std::fs::set_permissions(&path, permissions).unwrap();
        }
        Fakes { temp }
    }

    /// The directory (`$FAKE` for the stand-ins).
    pub(crate) fn dir(&self) -> &Path {
        self.temp.path()
    }

    /// `kiln apply -v` of `manifest` on this host (a step's standard error shown), or with
    /// `plan`, `kiln plan` (the probe and the diff alone), the stand-ins first on `PATH`.
    pub(crate) fn run(&self, manifest: &str, plan: bool) -> Output {
        std::fs::write(self.dir().join("main.toml"), manifest).unwrap();
        let args: &[&str] = if plan {
            &["plan", ".", "-i", "@local"]
        } else {
            &["apply", ".", "-i", "@local", "-y", "-v"]
        };
        Test::new()
            .current_dir(self.dir())
            .args(args.iter().copied())
            .env(
                "PATH",
                format!("{}:{}", self.dir().join("bin").display(), kiln::PATH),
            )
            .env("FAKE", self.dir().display().to_string())
            .run()
    }

    /// The file `name` of the directory ("" when missing).
    pub(crate) fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir().join(name)).unwrap_or_default()
    }

    /// The calls `tool` logged (`$FAKE/<tool>.log`), and forgets them.
    pub(crate) fn calls(&self, tool: &str) -> String {
        let text = self.read(&format!("{tool}.log"));
        let _ = std::fs::remove_file(self.dir().join(format!("{tool}.log")));
        text
    }

    /// The plan shows one change and makes none (the files `state` names are as they
    /// were), the first apply changes, the second changes nothing.
    pub(crate) fn converges(&self, manifest: &str, state: &[&str]) {
        let before: Vec<String> = state.iter().map(|name| self.read(name)).collect();
        self.run(manifest, true)
            .assert_status(0)
            .assert_stdout_contains("1 to change");
        let after: Vec<String> = state.iter().map(|name| self.read(name)).collect();
        assert_eq!(after, before, "the plan changed nothing");
        self.run(manifest, false)
            .assert_status(0)
            .assert_stdout_contains("1 changed");
        self.run(manifest, false)
            .assert_status(0)
            .assert_stdout_contains("(1 ok, 0 changed");
    }
}
