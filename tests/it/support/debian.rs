//! A real Debian root to run emitted scripts in, with `chroot` (so: as root).
//!
//! The root is built once per machine with debootstrap (the recipe of `TESTBEDS.md`:
//! minbase, the mirror this machine's apt already uses, then `apt-get update` and a few
//! packages inside), and cached as a tarball under the cargo target directory, keyed by
//! suite: `target/kiln-testbeds/bookworm-minbase.tar`, with the recipe next to it so a
//! changed recipe rebuilds. Every test extracts a fresh copy into its own temporary
//! directory and removes it afterwards; nothing is mounted inside (apt, dpkg, useradd,
//! visudo, crontab and git all work without `/proc`), and the cleanup unmounts anything
//! that is mounted there anyway before deleting.
//!
//! Nothing runs as a daemon in the root: `/usr/sbin/policy-rc.d` refuses every service
//! start, so installing a package with a service (cron) never leaves a process behind.

use std::fs::File;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

pub(crate) const SUITE: &str = "bookworm";

/// Installed in the cached root on top of minbase: `sudo` (visudo, for `server.sudoers`,
/// and `sudo -u` for ops run as another user), `cron` (for `server.crontab`: the real
/// `crontab` a Debian host has, setgid, with its own spool and the header it hides from
/// `crontab -l`, rather than busybox's stand-in), `git` (for `git.repo`), `tzdata` (for
/// `server.timezone`), `init-system-helpers` (`update-rc.d`, for `sysvinit.service`),
/// `openssh-server` (a server whose users are the root's, for password logins).
pub(crate) const PACKAGES: &[&str] = &[
    "sudo",
    "cron",
    "git",
    "tzdata",
    "init-system-helpers",
    "openssh-server",
];

/// `PATH` inside the root (`/usr/local/bin` first, where tests put fake tools).
pub(crate) const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

static BUILD: Mutex<()> = Mutex::new(());

/// `target/`: three levels above the test binary (`target/debug/deps/chroot-...`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    exe.ancestors()
        .nth(3)
        .expect("the test binary is under target/<profile>/deps")
        .to_path_buf()
}

fn testbeds_dir() -> PathBuf {
    target_dir().join("kiln-testbeds")
}

fn recipe() -> String {
    format!(
        "debootstrap --variant=minbase {SUITE}\napt-get install --no-install-recommends {}\npolicy-rc.d 101\n",
        PACKAGES.join(" ")
    )
}

fn tar_path() -> PathBuf {
    testbeds_dir().join(format!("{SUITE}-minbase.tar"))
}

fn recipe_path() -> PathBuf {
    testbeds_dir().join(format!("{SUITE}-minbase.recipe"))
}

/// Whether the tarball is built, from this recipe.
pub(crate) fn is_cached() -> bool {
    tar_path().exists() && std::fs::read_to_string(recipe_path()).ok() == Some(recipe())
}

/// The cached tarball, built if missing or built from another recipe.
pub(crate) fn tarball() -> PathBuf {
    let dir = testbeds_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let tar = tar_path();
    // One builder per process (tests run in threads), then one per machine (a file lock).
    let _guard = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    if is_cached() {
        return tar;
    }
    let lock = File::create(dir.join(format!("{SUITE}-minbase.lock"))).unwrap();
    lock.lock().unwrap();
    if !is_cached() {
        build(&dir, &tar);
        std::fs::write(recipe_path(), recipe()).unwrap();
    }
    tar
}

fn build(dir: &Path, tar: &Path) {
    assert!(
        super::need::is_root(),
        "the Debian root needs root (debootstrap, chroot): `require!(Need::DebianRoot)`"
    );
    let debootstrap = ["/usr/sbin/debootstrap", "/usr/bin/debootstrap"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .unwrap_or_else(|| {
            panic!("debootstrap is not installed: `.ci/run` installs it (apt-get install -y debootstrap)")
        });
    let mirror = mirror();
    let work = tempfile::Builder::new()
        .prefix("build-")
        .tempdir_in(dir)
        .unwrap();
    let root = work.path().join("root");
    let started = std::time::Instant::now();
    eprintln!("building the {SUITE} root for the chroot tests (once per machine): {mirror}");
    let result = (|| -> Result<(), String> {
        run(Command::new(debootstrap)
            .args(["--variant=minbase", SUITE])
            .arg(&root)
            .arg(&mirror))?;
        std::fs::copy("/etc/resolv.conf", root.join("etc/resolv.conf"))
            .map_err(|e| format!("resolv.conf: {e}"))?;
        let policy = root.join("usr/sbin/policy-rc.d");
        std::fs::write(
            &policy,
            "#!/bin/sh\n# kiln tests: never start services in this root\nexit 101\n",
        )
        .map_err(|e| e.to_string())?;
        std::fs::set_permissions(&policy, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| e.to_string())?;
        install(&root, PACKAGES)?;
        pack(&root, tar)
    })();
    unmount_under(&root);
    drop(work);
    if let Err(problem) = result {
        panic!("building the {SUITE} root failed: {problem}");
    }
    eprintln!("built {} in {:.0?}", tar.display(), started.elapsed());
}

/// `apt-get install`s `packages` inside `root` (no recommends; the archives cleaned).
fn install(root: &Path, packages: &[&str]) -> Result<(), String> {
    let install = format!(
        "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends {} >/dev/null && apt-get clean",
        packages.join(" ")
    );
    run(Command::new("chroot").arg(root).args([
        "/usr/bin/env",
        "-i",
        &format!("PATH={PATH}"),
        "LC_ALL=C",
        "sh",
        "-c",
        &install,
    ]))
}

/// `root` as the tarball `tar`, written beside it and renamed into place.
fn pack(root: &Path, tar: &Path) -> Result<(), String> {
    let partial = tar.with_extension("tar.partial");
    run(Command::new("tar")
        .arg("-C")
        .arg(root)
        .arg("-cf")
        .arg(&partial)
        .arg("."))?;
    std::fs::rename(&partial, tar).map_err(|e| e.to_string())
}

/// The cached root with `extra` packages installed on top, itself cached as a tarball
/// keyed by the list (`bookworm-minbase+postgresql+mariadb-server.tar`, its recipe the
/// base's and the list), so only the first test that asks for it pays the installation.
fn derived_tarball(extra: &[&str]) -> PathBuf {
    let base = tarball();
    let name = format!("{SUITE}-minbase+{}", extra.join("+"));
    let (tar, recipe_file) = (
        testbeds_dir().join(format!("{name}.tar")),
        testbeds_dir().join(format!("{name}.recipe")),
    );
    let recipe = format!(
        "{}apt-get install --no-install-recommends {}\n",
        recipe(),
        extra.join(" ")
    );
    let cached =
        || tar.exists() && std::fs::read_to_string(&recipe_file).ok().as_ref() == Some(&recipe);
    let _guard = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    if cached() {
        return tar;
    }
    let lock = File::create(testbeds_dir().join(format!("{name}.lock"))).unwrap();
    lock.lock().unwrap();
    if !cached() {
        let work = tempfile::Builder::new()
            .prefix("build-")
            .tempdir_in(testbeds_dir())
            .unwrap();
        eprintln!(
            "installing {} into a copy of the {SUITE} root (once per machine)",
            extra.join(" ")
        );
        let result = run(Command::new("tar")
            .arg("-C")
            .arg(work.path())
            .arg("-xf")
            .arg(&base))
        .and_then(|()| install(work.path(), extra))
        .and_then(|()| pack(work.path(), &tar));
        unmount_under(work.path());
        if let Err(problem) = result {
            panic!("installing {extra:?} in the {SUITE} root failed: {problem}");
        }
        std::fs::write(&recipe_file, &recipe).unwrap();
    }
    tar
}

/// The Debian mirror this machine's apt uses (deb822 sources, else sources.list).
fn mirror() -> String {
    let mut files: Vec<PathBuf> = std::fs::read_dir("/etc/apt/sources.list.d")
        .map(|dir| dir.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "sources"))
    {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        if let Some(uri) = text
            .lines()
            .find_map(|l| l.strip_prefix("URIs:"))
            .and_then(|v| v.split_whitespace().next())
        {
            return uri.to_owned();
        }
    }
    let text = std::fs::read_to_string("/etc/apt/sources.list").unwrap_or_default();
    text.lines()
        .filter_map(|l| l.strip_prefix("deb "))
        .filter_map(|rest| rest.split_whitespace().find(|w| w.contains("://")))
        .next()
        .map(str::to_owned)
        .unwrap_or_else(|| "http://deb.debian.org/debian".to_owned())
}

fn run(command: &mut Command) -> Result<(), String> {
    let output = command.output().map_err(|e| format!("{command:?}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} exited {:?}:\n{}{}",
            output.status.code(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Unmounts everything mounted at or under `root`, innermost first.
pub(crate) fn unmount_under(root: &Path) {
    let Ok(mounts) = std::fs::read_to_string("/proc/mounts") else {
        return;
    };
    let prefix = root.display().to_string();
    let mut points: Vec<&str> = mounts
        .lines()
        .filter_map(|l| l.split(' ').nth(1))
        .filter(|p| *p == prefix || p.starts_with(&format!("{prefix}/")))
        .collect();
    points.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for point in points {
        let _ = Command::new("umount").arg("-l").arg(point).status();
    }
}

/// A fresh Debian root, removed (after unmounting anything inside) when dropped.
pub(crate) struct Root {
    dir: tempfile::TempDir,
}

impl Root {
    pub(crate) fn new() -> Root {
        Root::from(&tarball())
    }

    /// A fresh root with `extra` packages installed on top of the cached one (e.g. database
    /// servers: their services are not started, `policy-rc.d` refuses it).
    pub(crate) fn with_packages(extra: &[&str]) -> Root {
        Root::from(&derived_tarball(extra))
    }

    fn from(tar: &Path) -> Root {
        let dir = tempfile::Builder::new()
            .prefix("root-")
            .tempdir_in(testbeds_dir())
            .unwrap();
        run(Command::new("tar")
            .arg("-C")
            .arg(dir.path())
            .arg("-xf")
            .arg(tar))
        .unwrap();
        Root { dir }
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside the root (`rel` is absolute inside it, e.g. `/etc/passwd`).
    pub(crate) fn at(&self, rel: &str) -> PathBuf {
        self.path().join(rel.trim_start_matches('/'))
    }

    /// Writes a file inside the root, creating its directory.
    pub(crate) fn write(&self, rel: &str, content: &[u8], mode: u32) {
        let path = self.at(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    pub(crate) fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.at(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// Runs `sh -c command` inside the root, in a clean environment.
    pub(crate) fn sh(&self, command: &str) -> Output {
        self.exec(&["/bin/sh", "-c", command])
    }

    /// `sh -c command` inside the root, which must succeed; its standard output.
    pub(crate) fn sh_ok(&self, command: &str) -> String {
        let output = self.sh(command);
        assert!(
            output.status.success(),
            "`{command}` failed in the root:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Runs `script` inside the root with `/bin/sh` (dash on Debian) and `args`.
    pub(crate) fn run_script(&self, script: &str, args: &[&str]) -> Output {
        std::fs::write(self.at("/kiln-test.sh"), script).unwrap();
        let mut argv = vec!["/bin/sh", "/kiln-test.sh"];
        argv.extend_from_slice(args);
        self.exec(&argv)
    }

    fn exec(&self, argv: &[&str]) -> Output {
        let path = format!("PATH={PATH}");
        Command::new("chroot")
            .arg(self.path())
            .args([
                "/usr/bin/env",
                "-i",
                &path,
                "HOME=/root",
                "LC_ALL=C",
                "TERM=dumb",
            ])
            .args(argv)
            .current_dir("/")
            .output()
            .expect("chroot runs")
    }
}

impl Drop for Root {
    fn drop(&mut self) {
        unmount_under(self.dir.path());
    }
}
