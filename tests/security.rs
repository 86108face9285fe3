//! Issue 10, "safe on a hostile host", attacked for real: the guarantees of
//! `docs/security.md`, each shown by running the attack it answers.
//!
//! - `races`: another user plants links (and a FIFO) at the names kiln's scripts write to,
//!   in `$TMPDIR`, `/tmp` and beside destinations, as `nobody`, against the real scripts
//!   `kiln emit` makes, under every shell of the matrix. Root must never run the attacker's
//!   code, never write or `chmod` through a planted link, and a dry run (`--check`) must
//!   write nothing outside its own private space.
//! - `readers`: another user watches the directory a private file (mode 0600) is written
//!   into, opening everything that appears there; it must never read a byte of it.
//! - `argv`: scripts run under `strace`; a become password, a download's headers, a user's
//!   password hash and a secret file's content must never be in a command's arguments
//!   (which `ps` shows every user) nor in a file left behind.
//! - `regressions`: the whole class cannot come back: no script mentions a fixed name in
//!   `/tmp` or a `$$`-based one, every function of the runtime library is defined once, and
//!   a leftover `.kiln*` file never stops a run.
//!
//! The attacks run in a private mount namespace (`host`), as `nobody` through `setpriv`,
//! so they need root, util-linux (`unshare`, `nsenter`, `setpriv`) and `strace`; CI has
//! them (`.ci/run`). Without them a test fails when `CI` is set, and is skipped (saying
//! why) otherwise. Each attack test prints the kernel's link and FIFO protections: with
//! `fs.protected_symlinks = 1` the kernel itself refuses to let root follow another user's
//! link in a sticky directory, so those attacks are skipped, loudly, rather than passing
//! thanks to the kernel instead of kiln.

#[path = "security/argv.rs"]
mod argv;
#[path = "security/attacker.rs"]
mod attacker;
mod common;
#[path = "security/host.rs"]
mod host;
#[path = "support/http.rs"]
mod http;
#[path = "security/races.rs"]
mod races;
#[path = "security/readers.rs"]
mod readers;
#[path = "security/regressions.rs"]
mod regressions;
mod support;

/// The attacker's program (see `attacker`): this binary, run again by a test as `nobody`.
/// Run by hand, it does nothing.
#[test]
#[ignore = "the attacker process's entry point, run by the attack tests"]
fn attacker() {
    attacker::run();
}

/// The kernel's protections against planted links, FIFOs and files, as the tests found
/// them.
pub struct Kernel {
    protected_symlinks: bool,
}

impl Kernel {
    /// Reads the settings and prints them in the test's output.
    pub fn read() -> Kernel {
        let setting = |name: &str| {
            std::fs::read_to_string(format!("/proc/sys/fs/{name}"))
                .map(|v| v.trim().to_owned())
                .unwrap_or_else(|_| "unknown".into())
        };
        let symlinks = setting("protected_symlinks");
        eprintln!(
            "kernel: fs.protected_symlinks = {symlinks}, fs.protected_fifos = {}, \
             fs.protected_regular = {}",
            setting("protected_fifos"),
            setting("protected_regular")
        );
        Kernel {
            protected_symlinks: symlinks != "0",
        }
    }

    /// Whether root following a link another user planted in a sticky world-writable
    /// directory is refused by the kernel (so an attack there shows nothing of kiln's);
    /// says so, loudly, when it is. (The attacks use links, not FIFOs or files planted
    /// directly, so `protected_fifos` and `protected_regular` do not hide them: they are
    /// printed for the record.)
    pub fn hides_sticky_links(&self, what: &str) -> bool {
        if self.protected_symlinks {
            eprintln!(
                "SKIPPED: {what}: fs.protected_symlinks = 1 makes the kernel refuse the \
                 planted link, so this attack would pass whatever kiln does"
            );
        }
        self.protected_symlinks
    }
}

/// Whether everything the attack tests need is here; if not, says what is missing and
/// fails under CI (`CI` set), or skips.
#[expect(unsafe_code, reason = "geteuid(2)")]
pub fn prerequisites(tools: &[&str]) -> bool {
    let mut missing: Vec<String> = tools
        .iter()
        .filter(|tool| !on_path(tool))
        .map(|tool| tool.to_string())
        .collect();
    if !support::SHELLS.iter().all(|shell| on_path(shell[0])) {
        missing.push("a shell of the matrix (dash, bash, busybox, mksh, yash)".into());
    }
    // SAFETY: geteuid(2) cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        missing.push("root (namespaces, setpriv, a root-owned victim)".into());
    }
    if missing.is_empty() {
        return true;
    }
    let why = format!("missing: {}", missing.join(", "));
    assert!(
        std::env::var_os("CI").is_none(),
        "{why} (.ci/run installs them)"
    );
    eprintln!("SKIPPED: {why}");
    false
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

/// The tools every attack test needs.
pub const ATTACK_TOOLS: &[&str] = &["unshare", "nsenter", "setpriv"];

/// `kiln emit` of `manifest` (TOML, with `files` beside it) for `@local`: the script.
pub fn emit(manifest: &str, files: &[(&str, &str)]) -> String {
    let mut test = common::Test::new().file("main.toml", manifest);
    for (name, content) in files {
        test = test.file(name, content);
    }
    let output = test.args(["emit", "main.toml", "-i", "@local"]).run();
    output.assert_status(0);
    output.stdout
}
