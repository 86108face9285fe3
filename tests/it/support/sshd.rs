//! A private OpenSSH server on 127.0.0.1 for the SSH connector's tests: `/usr/sbin/sshd -D`
//! on a free port, with its own config, host keys (ED25519 and ECDSA), client key,
//! `authorized_keys`, pid file and log, all inside a temp dir this helper owns. It runs as
//! the current user (root in CI: the only way sshd can log a user in), and accepts the
//! generated client key for every user. `known_hosts` in the dir lists the ED25519 host key
//! only (the server offering ECDSA too checks that the client asks for the type it knows).
//!
//! Nothing outside the temp dir is touched, except that `/run/sshd` (sshd's compiled-in
//! privilege separation directory, which the openssh-server package normally creates at
//! boot) is created if it is missing. Dropping the value stops the server by its PID.
//!
//! [`write_inventory`] writes an inventory of logical hosts on the server, each with a root
//! directory of its own.
//!
//! [`Sshd::start_in_root`] runs the server of a Debian root instead, chrooted into it, with
//! its temp dir inside the root: its users, passwords and sudo are the root's own, so a
//! test can log in with a password as a user that exists nowhere else.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kiln::connect::{HostKeyPolicy, SshOptions};

pub(crate) struct Sshd {
    pub dir: tempfile::TempDir,
    pub port: u16,
    /// An unencrypted ED25519 key in `authorized_keys`.
    pub client_key: PathBuf,
    /// `[127.0.0.1]:PORT ssh-ed25519 ...` for the current host key.
    pub known_hosts: PathBuf,
    /// An empty ssh config (tests must not read the machine's `~/.ssh/config`).
    pub ssh_config: PathBuf,
    pub log: PathBuf,
    child: Option<Child>,
    /// sshd_config lines that go first (sshd keeps the first value of a keyword).
    extra: String,
    /// The root sshd runs chrooted into, if any.
    chroot: Option<PathBuf>,
}

const SSHD: &str = "/usr/sbin/sshd";

impl Sshd {
    pub(crate) fn start() -> Sshd {
        Sshd::start_with("")
    }

    /// Starts a server whose config begins with `extra`.
    pub(crate) fn start_with(extra: &str) -> Sshd {
        assert!(
            Path::new(SSHD).exists(),
            "{SSHD} is missing: install openssh-server (.ci/run does)"
        );
        if !Path::new("/run/sshd").exists() {
            std::fs::create_dir_all("/run/sshd")
                .expect("cannot create /run/sshd (sshd needs it; run as root)");
        }
        Sshd::start_at(tempfile::tempdir().expect("temp dir"), extra, None)
    }

    /// Starts the server installed in the Debian root at `root`, chrooted into it.
    pub(crate) fn start_in_root(root: &Path) -> Sshd {
        assert!(
            root.join(SSHD.trim_start_matches('/')).exists(),
            "the root has no {SSHD} (openssh-server is in its package list)"
        );
        std::fs::create_dir_all(root.join("run/sshd")).unwrap();
        let dir = tempfile::Builder::new()
            .prefix("sshd-")
            .tempdir_in(root.join("tmp"))
            .expect("temp dir in the root");
        Sshd::start_at(dir, "", Some(root.to_path_buf()))
    }

    fn start_at(dir: tempfile::TempDir, extra: &str, chroot: Option<PathBuf>) -> Sshd {
        let d = dir.path();
        keygen(&d.join("client_ed25519"), "ed25519", "");
        std::fs::copy(d.join("client_ed25519.pub"), d.join("authorized_keys")).unwrap();
        std::fs::create_dir(d.join("home")).unwrap();
        std::fs::write(d.join("ssh_config"), "").unwrap();
        let mut sshd = Sshd {
            port: 0,
            client_key: d.join("client_ed25519"),
            known_hosts: d.join("known_hosts"),
            ssh_config: d.join("ssh_config"),
            log: d.join("sshd.log"),
            child: None,
            extra: extra.to_owned(),
            chroot,
            dir,
        };
        sshd.new_host_keys();
        for _ in 0..5 {
            sshd.port = free_port();
            if sshd.launch() {
                sshd.write_known_hosts();
                return sshd;
            }
        }
        panic!("sshd did not start; its log:\n{}", sshd.log_text());
    }

    /// A path of the temp dir as the server sees it (inside its root, if chrooted).
    fn seen(&self, path: &Path) -> String {
        match &self.chroot {
            Some(root) => format!(
                "/{}",
                path.strip_prefix(root)
                    .expect("the temp dir is in the root")
                    .display()
            ),
            None => path.display().to_string(),
        }
    }

    /// Stops the server, gives it new host keys, and starts it again on the same port.
    /// `known_hosts` still has the OLD key.
    pub(crate) fn restart_with_new_host_key(&mut self) {
        self.stop();
        self.new_host_keys();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.launch() {
            assert!(
                Instant::now() < deadline,
                "sshd did not restart on port {}; its log:\n{}",
                self.port,
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Options that reach this server as root: its known_hosts, an empty ssh config, the
    /// client key, strict host key checking.
    pub(crate) fn options(&self) -> SshOptions {
        SshOptions {
            host_keys: HostKeyPolicy::Strict,
            known_hosts: Some(self.known_hosts.clone()),
            config: Some(self.ssh_config.clone()),
            identities: vec![self.client_key.clone()],
            connect_timeout: Some(Duration::from_secs(10)),
            ..SshOptions::default()
        }
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub(crate) fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// How many logins the server accepted so far.
    pub(crate) fn logins(&self) -> usize {
        self.log_text().matches("Accepted publickey for").count()
    }

    /// The base64 of the host key of `kind` (`ed25519`, `ecdsa`).
    pub(crate) fn host_key(&self, kind: &str) -> String {
        let text = std::fs::read_to_string(self.path(&format!("ssh_host_{kind}_key.pub"))).unwrap();
        text.split_whitespace().nth(1).unwrap().to_owned()
    }

    /// `SHA256:...` of the host key of `kind`, as `ssh-keygen -l` prints it.
    pub(crate) fn host_fingerprint(&self, kind: &str) -> String {
        let output = Command::new("ssh-keygen")
            .arg("-lf")
            .arg(self.path(&format!("ssh_host_{kind}_key.pub")))
            .output()
            .expect("ssh-keygen");
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.split_whitespace()
            .nth(1)
            .expect("a fingerprint")
            .to_owned()
    }

    fn new_host_keys(&self) {
        for kind in ["ed25519", "ecdsa"] {
            let key = self.path(&format!("ssh_host_{kind}_key"));
            let _ = std::fs::remove_file(&key);
            let _ = std::fs::remove_file(key.with_extension("pub"));
            keygen(&key, kind, "");
        }
    }

    fn write_known_hosts(&self) {
        std::fs::write(
            &self.known_hosts,
            format!(
                "[127.0.0.1]:{} ssh-ed25519 {}\n",
                self.port,
                self.host_key("ed25519")
            ),
        )
        .unwrap();
    }

    /// Starts sshd on `self.port`; `false` if it exited (the port was taken).
    fn launch(&mut self) -> bool {
        let d = self.seen(self.dir.path());
        // Chrooted, users have their own homes; otherwise HOME is kept in the temp dir.
        let home = if self.chroot.is_some() {
            String::new()
        } else {
            format!("SetEnv HOME={d}/home\n")
        };
        let config = format!(
            "{extra}\n\
             ListenAddress 127.0.0.1\n\
             Port {port}\n\
             HostKey {d}/ssh_host_ed25519_key\n\
             HostKey {d}/ssh_host_ecdsa_key\n\
             PidFile {d}/sshd.pid\n\
             AuthorizedKeysFile {d}/authorized_keys\n\
             PermitRootLogin prohibit-password\n\
             PubkeyAuthentication yes\n\
             PasswordAuthentication yes\n\
             KbdInteractiveAuthentication no\n\
             UsePAM no\n\
             UseDNS no\n\
             StrictModes no\n\
             AllowTcpForwarding yes\n\
             MaxStartups 200\n\
             MaxSessions 100\n\
             MaxAuthTries 20\n\
             LogLevel VERBOSE\n\
             PrintMotd no\n\
             PrintLastLog no\n\
             {home}",
            extra = self.extra,
            port = self.port,
        );
        let config_path = self.path("sshd_config");
        std::fs::write(&config_path, config).unwrap();
        let mut command = match &self.chroot {
            Some(root) => {
                let mut command = Command::new("chroot");
                command.arg(root).arg(SSHD);
                command
            }
            None => Command::new(SSHD),
        };
        let child = command
            .arg("-D")
            .arg("-f")
            .arg(self.seen(&config_path))
            .arg("-E")
            .arg(self.seen(&self.log))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot run sshd");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                eprintln!("sshd exited ({status}) on port {}", self.port);
                self.child = None;
                return false;
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return true;
            }
            assert!(
                Instant::now() < deadline,
                "sshd never listened; log:\n{}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the server by its PID (SIGTERM, then SIGKILL after 5 s). Its per-connection
    /// processes end with their connections.
    fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while child.try_wait().ok().flatten().is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `ssh-keygen -t KIND -N PASSPHRASE -f PATH`.
pub(crate) fn keygen(path: &Path, kind: &str, passphrase: &str) {
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", kind, "-N", passphrase, "-C", "kiln-test", "-f"])
        .arg(path)
        .stdin(Stdio::null())
        .status()
        .expect("cannot run ssh-keygen (openssh-client)");
    assert!(status.success(), "ssh-keygen failed");
}

/// A port nothing listens on right now.
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Writes `base/inventory.toml`: `count` hosts on the test server, host N writing under
/// `base/hostN` (created here), plus the hosts in `extra`. Returns the inventory's path.
pub(crate) fn write_inventory(sshd: &Sshd, base: &Path, count: usize, extra: &str) -> PathBuf {
    let mut text = String::new();
    for n in 0..count {
        let root = base.join(format!("host{n}"));
        std::fs::create_dir_all(&root).unwrap();
        text.push_str(&format!(
            "[hosts.web{n}]\naddress = \"127.0.0.1\"\nport = {}\nuser = \"root\"\nvars = {{ root = \"{}\" }}\n\n",
            sshd.port,
            root.display()
        ));
    }
    let path = base.join("inventory.toml");
    std::fs::write(&path, text + extra).unwrap();
    path
}
