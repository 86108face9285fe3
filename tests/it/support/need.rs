//! What a test needs of the machine beyond the Rust toolchain, and the one way to ask for it:
//! `require!(Need::Root, ...)` first thing in the test.
//!
//! When a need is missing, the test returns at once (and passes), after printing
//! `skipped: <test>: needs <what> (<how to get it>)` to standard error, so a plain
//! `cargo test` on a contributor's machine says what it did not test instead of failing.
//! Under CI (the environment variable `CI` set, as every CI service sets it) the same
//! message is a failure: CI can never skip a test. `.ci/run` installs everything.

use std::io::Write as _;
use std::path::Path;

/// A need, with what it is and how to get it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Need {
    /// Root: namespaces, `chroot`, files owned by other users, sshd's logins.
    Root,
    /// Every shell of the matrix (`shells::SHELLS`).
    Shells,
    /// `shellcheck`, which every emitted script must pass.
    Shellcheck,
    /// The awks the regex translation runs under.
    Awks,
    /// `strace`, which the argument tests trace scripts with.
    Strace,
    /// curl and wget, which `files.download` runs.
    Downloaders,
    /// nftables' `nft`, which the firewall tests run in network namespaces of their own.
    Nftables,
    /// util-linux's `unshare`, `nsenter`, `setpriv`, `setsid` and `script`.
    UtilLinux,
    /// OpenSSH's server (and `ssh-keygen`), which the SSH tests start on loopback.
    Sshd,
    /// The Debian root of `support::debian`: built once with debootstrap, as root.
    DebianRoot,
    /// podman (with runc), which the container tests run the Debian root in.
    Podman,
    /// gpg, dpkg-deb and dpkg-scanpackages, which make and sign the apt repository of the
    /// package-source tests.
    AptRepoTools,
    /// rpm, rpmbuild and gpg, which the rpm-family tests build, sign-check and query
    /// packages and keys with (in a database of their own).
    RpmTools,
    /// dnf, createrepo_c and rpmbuild, which make a dnf repository and fetch a bundle's rpms
    /// from it.
    DnfRepoTools,
    /// cloud-init, whose `cloud-init schema` validates user-data.
    CloudInit,
    /// systemd's `systemd-analyze`, which verifies unit files.
    SystemdAnalyze,
    /// git, a place pull mode fetches bundles from.
    Git,
    /// openssl, python3 and curl: a throwaway CA and a loopback HTTPS server
    /// (`support::https`), and the client pull mode fetches bundles with.
    Https,
}

impl Need {
    /// What is needed, as the message says it.
    fn what(self) -> &'static str {
        match self {
            Need::Root => "root",
            Need::Shells => "the shells dash, bash, busybox, mksh and yash",
            Need::Shellcheck => "shellcheck",
            Need::Awks => "mawk, gawk and busybox awk",
            Need::Strace => "strace",
            Need::Downloaders => "curl and wget",
            Need::Nftables => "nftables (nft)",
            Need::UtilLinux => "util-linux (unshare, nsenter, setpriv, setsid, script)",
            Need::Sshd => "OpenSSH's sshd and ssh-keygen",
            Need::DebianRoot => "a Debian root built with debootstrap",
            Need::Podman => "podman and runc",
            Need::AptRepoTools => "gpg, dpkg-deb and dpkg-scanpackages",
            Need::RpmTools => "rpm, rpmbuild and gpg",
            Need::DnfRepoTools => "dnf, createrepo_c and rpmbuild",
            Need::CloudInit => "cloud-init",
            Need::SystemdAnalyze => "systemd-analyze",
            Need::Git => "git",
            Need::Https => "openssl, python3 and curl",
        }
    }

    /// How to get it.
    fn how(self) -> &'static str {
        match self {
            Need::Root => "run the tests as root, as CI does",
            Need::Shells => "apt-get install dash bash busybox mksh yash",
            Need::Shellcheck => "apt-get install shellcheck",
            Need::Awks => "apt-get install mawk gawk busybox",
            Need::Strace => "apt-get install strace",
            Need::Downloaders => "apt-get install curl wget",
            Need::Nftables => "apt-get install nftables",
            Need::UtilLinux => "apt-get install util-linux bsdutils",
            Need::Sshd => "apt-get install openssh-server",
            Need::DebianRoot => {
                "apt-get install debootstrap, as root; it is built once and cached under \
                 target/kiln-testbeds/"
            }
            Need::Podman => "apt-get install podman runc",
            Need::AptRepoTools => "apt-get install gnupg dpkg-dev",
            Need::RpmTools => "apt-get install rpm gnupg",
            Need::DnfRepoTools => "apt-get install dnf createrepo-c rpm",
            Need::CloudInit => "apt-get install cloud-init",
            Need::SystemdAnalyze => "apt-get install systemd",
            Need::Git => "apt-get install git",
            Need::Https => "apt-get install openssl python3 curl",
        }
    }

    /// Whether this machine has it.
    fn met(self) -> bool {
        let tools = |names: &[&str]| names.iter().all(|name| installed(name));
        match self {
            Need::Root => is_root(),
            Need::Shells => tools(&["dash", "bash", "busybox", "mksh", "yash"]),
            Need::Shellcheck => tools(&["shellcheck"]),
            Need::Awks => tools(&["mawk", "gawk", "busybox"]),
            Need::Strace => tools(&["strace"]),
            Need::Downloaders => tools(&["curl", "wget"]),
            Need::Nftables => tools(&["nft"]),
            Need::UtilLinux => tools(&["unshare", "nsenter", "setpriv", "setsid", "script"]),
            Need::Sshd => tools(&["sshd", "ssh-keygen"]),
            Need::DebianRoot => {
                is_root() && (super::debian::is_cached() || tools(&["debootstrap"]))
            }
            Need::Podman => tools(&["podman", "runc"]),
            Need::AptRepoTools => tools(&["gpg", "dpkg-deb", "dpkg-scanpackages"]),
            Need::RpmTools => tools(&["rpm", "rpmbuild", "gpg"]),
            Need::DnfRepoTools => tools(&["dnf", "createrepo_c", "rpmbuild"]),
            Need::CloudInit => tools(&["cloud-init", "python3"]),
            Need::SystemdAnalyze => tools(&["systemd-analyze"]),
            Need::Git => tools(&["git"]),
            Need::Https => tools(&["openssl", "python3", "curl"]),
        }
    }
}

/// Whether this process runs as root.
#[expect(unsafe_code, reason = "geteuid(2)")]
pub(crate) fn is_root() -> bool {
    // SAFETY: geteuid(2) cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Whether the program `name` is on `PATH`, or in the `sbin` directories a user's `PATH`
/// often lacks.
fn installed(name: &str) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/sbin".into()])
        .any(|dir| is_program(&dir.join(name)))
}

fn is_program(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// What `require!` does: `true` when the test may go on; else prints why it is skipped
/// and returns `false`, or fails with that message under CI.
pub(crate) fn check(needs: &[Need]) -> bool {
    let test = std::thread::current()
        .name()
        .unwrap_or("this test")
        .to_owned();
    let missing: Vec<Need> = needs.iter().copied().filter(|need| !need.met()).collect();
    match skip(&test, &missing, std::env::var_os("CI").is_some()) {
        None => true,
        Some(message) => {
            // Straight to standard error: libtest captures `eprintln!` of a test that
            // passes, and a skip must show in a plain `cargo test`.
            let _ = writeln!(std::io::stderr(), "{message}");
            false
        }
    }
}

/// `None` when nothing is `missing`; else the message that says `test` is skipped, or,
/// when `ci`, a panic with that message.
fn skip(test: &str, missing: &[Need], ci: bool) -> Option<String> {
    if missing.is_empty() {
        return None;
    }
    let needs: Vec<String> = missing
        .iter()
        .map(|need| format!("{} ({})", need.what(), need.how()))
        .collect();
    let message = format!("skipped: {test}: needs {}", needs.join(", "));
    assert!(!ci, "{message}");
    Some(message)
}

/// Returns from the test, saying why, unless the machine has every need given (see the
/// module's documentation).
macro_rules! require {
    ($($need:expr),+ $(,)?) => {
        if !$crate::support::need::check(&[$($need),+]) {
            return;
        }
    };
}
pub(crate) use require;

#[test]
fn nothing_missing_goes_on_with_or_without_ci() {
    assert_eq!(skip("area::test", &[], false), None);
    assert_eq!(skip("area::test", &[], true), None);
}

#[test]
fn a_missing_need_skips_without_ci() {
    assert_eq!(
        skip("area::test", &[Need::Podman], false).as_deref(),
        Some("skipped: area::test: needs podman and runc (apt-get install podman runc)")
    );
}

#[test]
fn a_missing_need_fails_under_ci_with_the_skip_message() {
    let failure = std::panic::catch_unwind(|| {
        skip("area::test", &[Need::Root, Need::Podman], true);
    })
    .expect_err("CI never skips");
    assert_eq!(
        failure.downcast_ref::<String>().map(String::as_str),
        Some(
            "skipped: area::test: needs root (run the tests as root, as CI does), podman and \
             runc (apt-get install podman runc)"
        )
    );
}

#[test]
fn programs_are_found_on_path_and_in_sbin() {
    assert!(installed("sh"));
    assert!(!installed("kiln-no-such-program"));
    assert!(!is_program(Path::new("/etc/passwd")), "not executable");
    assert!(!is_program(Path::new("/usr/bin")), "a directory");
}

#[test]
fn the_skip_names_the_test_it_is_in() {
    assert_eq!(
        std::thread::current().name(),
        Some("support::need::the_skip_names_the_test_it_is_in"),
        "libtest names each test's thread after the test"
    );
}
