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
//!   `/tmp` or a `$$`-based one, and a leftover `.kiln*` file never stops a run (that every
//!   runtime function is defined once is `tests/runtime.rs`'s).
//!
//! The attacks run in a private mount namespace (`host`), as `nobody` through `setpriv`,
//! so they need root, util-linux (`unshare`, `nsenter`, `setpriv`) and `strace`; CI has
//! them (`.ci/run`). Without them a test is skipped, saying why, or fails when `CI` is set
//! (`support::need`). Each attack test prints the kernel's link and FIFO protections: with
//! `fs.protected_symlinks = 1` the kernel itself refuses to let root follow another user's
//! link in a sticky directory, so those attacks are skipped, loudly, rather than passing
//! thanks to the kernel instead of kiln.

mod argv;
mod attacker;
mod host;
mod races;
mod readers;
mod regressions;

use crate::support::kiln::Test;

/// The attacker's program (see `attacker`): this binary, run again by a test as `nobody`.
/// Run by hand, it does nothing.
#[test]
#[ignore = "the attacker process's entry point, run by the attack tests"]
fn attacker() {
    attacker::run();
}

/// The kernel's protections against planted links, FIFOs and files, as the tests found
/// them.
pub(crate) struct Kernel {
    protected_symlinks: bool,
}

impl Kernel {
    /// Reads the settings and prints them in the test's output.
    pub(crate) fn read() -> Kernel {
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
    pub(crate) fn hides_sticky_links(&self, what: &str) -> bool {
        if self.protected_symlinks {
            eprintln!(
                "SKIPPED: {what}: fs.protected_symlinks = 1 makes the kernel refuse the \
                 planted link, so this attack would pass whatever kiln does"
            );
        }
        self.protected_symlinks
    }
}

/// `kiln emit` of `manifest` (TOML, with `files` beside it) for `@local`: the script.
pub(crate) fn emit(manifest: &str, files: &[(&str, &str)]) -> String {
    let mut test = Test::new().file("main.toml", manifest);
    for (name, content) in files {
        test = test.file(name, content);
    }
    let output = test.args(["emit", "main.toml", "-i", "@local"]).run();
    output.assert_status(0);
    output.stdout
}
