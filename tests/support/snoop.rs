//! Another user of the machine, unprivileged (`nobody`, through `setpriv`), reading every
//! file it can under a directory, over and over, while a test works there. What it read
//! comes back for the test to look for secrets in.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Stdio};

pub struct Snoop {
    child: Child,
    /// Where it writes what it read (opened by this process, so `nobody` needs no access).
    out: tempfile::NamedTempFile,
}

impl Snoop {
    /// Starts reading under `dir` (which need not exist yet); the directories above it
    /// must be searchable by others.
    pub fn start(dir: &Path) -> Snoop {
        let out = tempfile::NamedTempFile::new().unwrap();
        let child = Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "sh",
                "-c",
            ])
            .arg("while :; do find \"$1\" -type f -exec cat {} + 2>/dev/null; done")
            .arg("snoop")
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(out.reopen().unwrap())
            .stderr(Stdio::null())
            .spawn()
            .expect("setpriv (util-linux) runs the snoop as nobody");
        Snoop { child, out }
    }

    /// Everything read so far.
    pub fn read(&self) -> Vec<u8> {
        std::fs::read(self.out.path()).unwrap()
    }

    /// Waits up to 5 s for the snoop to have read `text` (a file others may read, which
    /// shows that it sees the directory); panics if it never does.
    pub fn wait_for(&self, text: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while !String::from_utf8_lossy(&self.read()).contains(text) {
            assert!(
                std::time::Instant::now() < deadline,
                "the snoop never read `{text}`: it does not see the directory"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl Drop for Snoop {
    /// Ends the snoop (by its PID; the `find` it may be running ends on its own).
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
