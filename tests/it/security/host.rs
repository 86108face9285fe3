//! A hostile host on this machine: a private mount namespace whose `/tmp` is a directory of
//! the test's own, where scripts run as root and an attacker runs as `nobody`.
//!
//! The namespace is held open by one process of the test's (`unshare --mount`, then
//! `sleep`); everything else enters it with `nsenter`. Inside it:
//!
//! - `/tmp` is the test's directory (mode 1777, as a real `/tmp`): names the runtime
//!   library uses in `/tmp` are the test's to plant, and nothing the attacker or a script
//!   does there reaches this machine's `/tmp`, where other test runs have their own.
//! - `/tmp/w` is the world the scripts manage (see the constants below for its parts).
//! - With [`Host::with_etc`], `/etc` is an overlay whose changes stay in the test's
//!   directory, with an empty `/etc/sudoers.d` of mode 1777 (a root-owned 0750 on a real
//!   host: only a writable one lets `server.sudoers`'s temporary names be attacked).
//!
//! A script run is [`Pending`] until released: its process exists, so its PID (the `$$`
//! the runtime library names its files after) is known, but it waits on its standard input
//! until the attacker is in place, then `exec`s the shell under test. Planting at exactly
//! that PID stands for an attacker who pre-plants a range of PIDs.
//!
//! Dropping the host kills the holder by its PID (and the holder ends by itself if this
//! process dies first: it waits for its standard input, a pipe from here, to close); the
//! namespace goes with its last process.

use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// The managed world (root, 0755).
pub(super) const WORLD: &str = "/tmp/w";
/// Stand-in tools and the attacker's program (root, 0755).
pub(super) const BIN: &str = "/tmp/w/bin";
/// Root's private files: the victim, scripts (they carry the secrets they write), state of
/// stand-in tools (root, 0700).
pub(super) const VAULT: &str = "/tmp/w/vault";
/// The root-owned file the attacker wants changed; it cannot reach it itself.
pub(super) const VICTIM: &str = "/tmp/w/vault/victim";
const VICTIM_CONTENT: &[u8] = b"root's own file: no other user may change it\n";
/// A destination directory every user may write to (root, 1777, like `/tmp`).
pub(super) const PUB: &str = "/tmp/w/pub";
/// A destination directory every user may list and read (root, 0755, like `/etc`).
pub(super) const READABLE: &str = "/tmp/w/www";
/// The attacker's own directory (nobody, 0755).
pub(super) const LAIR: &str = "/tmp/w/lair";
/// Where the attacker's program appears inside the namespace.
const ATTACKER_EXE: &str = "/tmp/w/bin/attacker";

/// `PATH` after [`BIN`], for scripts (sbin for the account tools).
const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The unprivileged user attacks run as.
pub(super) const NOBODY: u32 = 65534;

/// `TMPDIR` for a script run: where the runtime library may make its private directory.
#[derive(Clone, Copy, Debug)]
pub(super) enum TmpDir {
    /// Root's, 1777 (like `/tmp` and `/var/tmp`): safe to make a private directory in.
    Sticky,
    /// Root's, 0777 without the sticky bit: any user may rename or remove what is in it.
    Open,
    /// The attacker's own (nobody, 0755), as when root inherits another user's `TMPDIR`.
    Attackers,
}

impl TmpDir {
    pub(super) const ALL: [TmpDir; 3] = [TmpDir::Sticky, TmpDir::Open, TmpDir::Attackers];

    pub(super) fn path(self) -> &'static str {
        match self {
            TmpDir::Sticky => "/tmp/shared",
            TmpDir::Open => "/tmp/open",
            TmpDir::Attackers => "/tmp/w/lair/tmp",
        }
    }

    /// Whether a link planted here is followed only if the kernel allows it: with
    /// `fs.protected_symlinks = 1`, root does not follow another user's link in a sticky
    /// world-writable directory, so only the kernel would be tested there.
    pub(super) fn sticky(self) -> bool {
        matches!(self, TmpDir::Sticky)
    }
}

pub(super) struct Host {
    dir: tempfile::TempDir,
    /// Holds the namespace until killed, or until this process ends and closes its input.
    holder: Child,
}

impl Host {
    /// A host with a private `/tmp`.
    pub(super) fn new() -> Host {
        Host::boot(false)
    }

    /// A host with a private `/tmp` and an overlay on `/etc` (with `/etc/sudoers.d`, 1777).
    pub(super) fn with_etc() -> Host {
        Host::boot(true)
    }

    fn boot(etc: bool) -> Host {
        let dir = tempfile::Builder::new()
            .prefix("kiln-hostile-")
            .tempdir()
            .expect("create a temporary directory");
        let tmp = dir.path().join("tmp");
        make_dir(&tmp, 0o1777, 0);
        for (inside, mode, uid) in [
            (WORLD, 0o755, 0),
            (BIN, 0o755, 0),
            (VAULT, 0o700, 0),
            (PUB, 0o1777, 0),
            (READABLE, 0o755, 0),
            (LAIR, 0o755, NOBODY),
            (TmpDir::Sticky.path(), 0o1777, 0),
            (TmpDir::Open.path(), 0o777, 0),
            (TmpDir::Attackers.path(), 0o755, NOBODY),
        ] {
            make_dir(&tmp.join(inside.trim_start_matches("/tmp/")), mode, uid);
        }
        std::fs::write(tmp.join(ATTACKER_EXE.trim_start_matches("/tmp/")), "").unwrap();
        let etc_dir = dir.path().join("etc");
        if etc {
            make_dir(&etc_dir.join("upper"), 0o755, 0);
            make_dir(&etc_dir.join("work"), 0o700, 0);
        }
        let exe = std::env::current_exe().expect("the test binary's path");
        // The program the attacker runs is this test binary, seen through a bind mount:
        // the build directory itself may be closed to other users. (The overlay's
        // directories are in the test's directory, which the new /tmp hides: it goes first.)
        let mut holder = Command::new("unshare")
            .args(["--mount", "--propagation", "private", "--", "sh", "-c"])
            .arg(
                r#"set -e
if [ -n "$3" ]; then
  mount -t overlay overlay -o "lowerdir=/etc,upperdir=$3/upper,workdir=$3/work" /etc
  mkdir -p /etc/sudoers.d
  chmod 1777 /etc/sudoers.d
fi
mount --bind "$1" /tmp
mount --bind "$2" /tmp/w/bin/attacker
echo ready
exec cat >/dev/null"#,
            )
            .arg("kiln-hostile-host")
            .arg(&tmp)
            .arg(&exe)
            .arg(if etc {
                etc_dir.as_os_str()
            } else {
                "".as_ref()
            })
            .env_clear()
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run unshare (util-linux)");
        let mut ready = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(holder.stdout.as_mut().unwrap()),
            &mut ready,
        )
        .unwrap();
        if ready != "ready\n" {
            let output = holder.wait_with_output().unwrap();
            panic!(
                "cannot make the private mount namespace (unshare --mount, as root): {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let host = Host { dir, holder };
        host.write(VICTIM, VICTIM_CONTENT, 0o600);
        host
    }

    /// Where a path of the namespace (under `/tmp`, or a file `/etc` gained) is, seen from
    /// this process. A file of `/etc` is to be read only: the overlay does not expect its
    /// upper directory to change behind its back (see [`Host::remove`]).
    pub(super) fn outside(&self, inside: &str) -> PathBuf {
        if let Some(rest) = inside.strip_prefix("/etc/") {
            return self.dir.path().join("etc/upper").join(rest);
        }
        let rest = inside
            .strip_prefix("/tmp")
            .unwrap_or_else(|| panic!("{inside} is not in the host's /tmp"));
        self.dir
            .path()
            .join("tmp")
            .join(rest.trim_start_matches('/'))
    }

    /// Writes a root-owned file at `inside` with `mode`.
    pub(super) fn write(&self, inside: &str, content: &[u8], mode: u32) {
        let path = self.outside(inside);
        let _ = std::fs::remove_file(&path);
        std::fs::write(&path, content).unwrap_or_else(|e| panic!("write {inside}: {e}"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    /// Writes an executable stand-in tool into [`BIN`].
    pub(super) fn tool(&self, name: &str, script: &str) {
        self.write(&format!("{BIN}/{name}"), script.as_bytes(), 0o755);
    }

    /// Writes the script for a run into [`VAULT`] and returns its path in the namespace.
    pub(super) fn script(&self, name: &str, text: &str) -> String {
        let inside = format!("{VAULT}/{name}");
        self.write(&inside, text.as_bytes(), 0o700);
        inside
    }

    /// Removes the file at `inside`, if any, from within the namespace.
    pub(super) fn remove(&self, inside: &str) {
        let status = self
            .enter()
            .args(["rm", "-f", "--", inside])
            .status()
            .unwrap();
        assert!(status.success(), "rm {inside}");
    }

    /// Empties the directory at `inside` (keeping its mode and owner).
    pub(super) fn clear(&self, inside: &str) {
        let dir = self.outside(inside);
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() && !path.is_symlink() {
                std::fs::remove_dir_all(&path).unwrap();
            } else {
                std::fs::remove_file(&path).unwrap();
            }
        }
    }

    /// What is wrong with the victim, if anything: changed content, mode or owner.
    pub(super) fn victim_harm(&self) -> Option<String> {
        let path = self.outside(VICTIM);
        let meta = std::fs::symlink_metadata(&path).ok()?;
        let content = std::fs::read(&path).unwrap_or_default();
        let mode = meta.mode() & 0o7777;
        let harmed = content != VICTIM_CONTENT || mode != 0o600 || meta.uid() != 0;
        harmed.then(|| {
            format!(
                "the victim is now mode {mode:04o}, owner {}:{}, content {:?}",
                meta.uid(),
                meta.gid(),
                String::from_utf8_lossy(&content)
            )
        })
    }

    /// Puts the victim back as it was (after a run that harmed it).
    pub(super) fn restore_victim(&self) {
        self.write(VICTIM, VICTIM_CONTENT, 0o600);
        std::os::unix::fs::chown(self.outside(VICTIM), Some(0), Some(0)).unwrap();
    }

    /// Starts `script` with `args` under `shell`, as root in the namespace, held until
    /// [`Pending::release`], with the umask of a usual host (022), [`BIN`] first on `PATH`,
    /// and `TMPDIR` at `tmp`.
    pub(super) fn start(
        &self,
        shell: &[&str],
        script: &str,
        args: &[&str],
        tmp: TmpDir,
    ) -> Pending {
        let out = tempfile::NamedTempFile::new_in(self.dir.path()).unwrap();
        let err = tempfile::NamedTempFile::new_in(self.dir.path()).unwrap();
        let child = self
            .enter()
            .args(["sh", "-c", "umask 022; read -r go; exec \"$@\" </dev/null"])
            .arg("kiln-run")
            .args(shell)
            .arg(script)
            .args(args)
            .env_clear()
            .env("PATH", format!("{BIN}:{PATH}"))
            .env("LC_ALL", "C.UTF-8")
            .env("TMPDIR", tmp.path())
            .stdin(Stdio::piped())
            .stdout(out.reopen().unwrap())
            .stderr(err.reopen().unwrap())
            .process_group(0)
            .spawn()
            .expect("run nsenter (util-linux)");
        Pending {
            child,
            out,
            err,
            command: format!("{} {script}", shell.join(" ")),
        }
    }

    /// Starts the attacker, as `nobody`, and waits until it is in place.
    pub(super) fn attack(&self, attack: &super::attacker::Attack) -> super::attacker::Attacker {
        let mut command = self.enter();
        command
            .args([
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                ATTACKER_EXE,
            ])
            .current_dir("/");
        super::attacker::Attacker::start(command, attack)
    }

    /// A command that runs its arguments inside the namespace. (`nsenter` enters a mount
    /// namespace and `exec`s: the program keeps nsenter's PID.)
    fn enter(&self) -> Command {
        let mut command = Command::new("nsenter");
        command.arg("--target").arg(self.holder.id().to_string());
        command.args(["--mount", "--"]);
        command
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        let _ = self.holder.kill();
        let _ = self.holder.wait();
    }
}

fn make_dir(path: &Path, mode: u32, uid: u32) {
    std::fs::create_dir_all(path).unwrap_or_else(|e| panic!("mkdir {}: {e}", path.display()));
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    std::os::unix::fs::chown(path, Some(uid), Some(uid)).unwrap();
}

/// A script run that waits for [`Pending::release`].
pub(super) struct Pending {
    child: Child,
    out: tempfile::NamedTempFile,
    err: tempfile::NamedTempFile,
    command: String,
}

/// How a script run ended.
pub(super) struct Finished {
    /// The exit code; `None` when it was killed (see `timed_out`).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
}

impl Finished {
    pub(super) fn ok(&self) -> bool {
        self.code == Some(0)
    }

    /// The run, for assertion messages.
    pub(super) fn show(&self) -> String {
        let ended = if self.timed_out {
            "killed after the time limit (blocked?)".to_owned()
        } else {
            format!("exit {:?}", self.code)
        };
        format!("{ended}\n{}{}", self.stdout, self.stderr)
    }
}

impl Pending {
    /// The PID the script's shell will have: its `$$`.
    pub(super) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Lets the run go and waits for it, for at most `limit`: a run still going then (a
    /// script blocked on a FIFO nobody writes) is killed, with all it started (its process
    /// group, by the group's id).
    #[expect(unsafe_code, reason = "kill(2) of the run's process group")]
    pub(super) fn release(mut self, limit: Duration) -> Finished {
        let mut stdin: ChildStdin = self.child.stdin.take().unwrap();
        let _ = stdin.write_all(b"go\n");
        drop(stdin);
        let deadline = Instant::now() + limit;
        let mut timed_out = false;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                timed_out = true;
                // SAFETY: kill(2) on the process group this test made for the run.
                unsafe { libc::kill(-(self.child.id() as i32), libc::SIGKILL) };
                break self.child.wait().unwrap();
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let read = |file: &tempfile::NamedTempFile| {
            String::from_utf8_lossy(&std::fs::read(file.path()).unwrap()).into_owned()
        };
        let finished = Finished {
            code: status.code(),
            stdout: read(&self.out),
            stderr: read(&self.err),
            timed_out,
        };
        if timed_out {
            eprintln!("{}: {}", self.command, finished.show());
        }
        finished
    }
}
