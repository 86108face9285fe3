//! Another user of the machine, unprivileged (`nobody`, through `setpriv`), reading every
//! file it can under a directory, over and over, while a test works there. What it read
//! comes back for the test to look for secrets in.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::kiln::Output;

pub(crate) struct Snoop {
    child: Child,
    /// Where it writes what it read (opened by this process, so `nobody` needs no access).
    out: tempfile::NamedTempFile,
}

impl Snoop {
    /// Starts reading under `dir` (which need not exist yet); the directories above it
    /// must be searchable by others.
    pub(crate) fn start(dir: &Path) -> Snoop {
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
    pub(crate) fn read(&self) -> Vec<u8> {
        std::fs::read(self.out.path()).unwrap()
    }

    /// Waits up to 5 s for the snoop to have read `text` (a file others may read, which
    /// shows that it sees the directory); panics if it never does.
    pub(crate) fn wait_for(&self, text: &str) {
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

/// `kiln fetch` as another user sees it: a 0640 and a 0600 file of secret content, next to
/// `dest` under `temp`, are fetched `runs` times each by `fetch(SRC)` into `dest` while a
/// snoop reads every file there (a canary first shows that it can). It never reads a byte
/// of them; each copy `copies(SRC)` names has the source's content and mode.
pub(crate) fn fetch_unseen(
    temp: &Path,
    dest: &Path,
    runs: usize,
    fetch: impl Fn(&str) -> Output,
    copies: impl Fn(&str) -> Vec<PathBuf>,
) {
    // The snoop may search the directories (but not read the sources).
    std::fs::set_permissions(temp, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir_all(dest).unwrap();
    std::fs::write(dest.join("canary"), "canary for others\n").unwrap();
    std::fs::set_permissions(dest.join("canary"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let snoop = Snoop::start(dest);
    snoop.wait_for("canary for others");
    for (name, mode) in [("group-readable", 0o640), ("key", 0o600)] {
        let src = temp.join(name);
        let content = format!("secret content of {name}\n").repeat(1000);
        std::fs::write(&src, &content).unwrap();
        std::fs::set_permissions(&src, std::fs::Permissions::from_mode(mode)).unwrap();
        let src = src.to_str().unwrap();
        for _ in 0..runs {
            let fetched = fetch(src);
            fetched.assert_status(0);
        }
        let read = String::from_utf8_lossy(&snoop.read()).into_owned();
        assert!(
            !read.contains("secret content"),
            "another user read the copy of {name}"
        );
        for copy in copies(src) {
            assert_eq!(std::fs::read_to_string(&copy).unwrap(), content);
            let got = std::fs::metadata(&copy).unwrap().permissions().mode() & 0o7777;
            assert_eq!(got, mode, "{name}");
        }
    }
}
