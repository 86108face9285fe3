//! The passwords kiln reads from its environment, for runs without a terminal (where `-k`
//! and `-K` cannot ask): `KILN_SSH_PASSWORD` and `KILN_BECOME_PASSWORD`.
//!
//! Both are taken out of the environment as the program starts, while it has one thread.
//! Every process kiln starts inherits its environment: the shells of local, chroot and
//! container runs (so every command of every op, readable in `/proc/PID/environ`),
//! inventory programs, the local fact probe. Taken out at the root, a password reaches
//! none of them, whichever code starts them, now or later.

use std::sync::OnceLock;

/// The SSH login password.
pub(super) const SSH: &str = "KILN_SSH_PASSWORD";
/// The become password (sudo's or su's).
pub(super) const BECOME: &str = "KILN_BECOME_PASSWORD";

static TAKEN: OnceLock<Vec<(&'static str, String)>> = OnceLock::new();

/// Takes both passwords out of the process environment, keeping their values for
/// [`from_environment`]. `main` calls it first, before any thread exists.
#[expect(unsafe_code, reason = "std::env::remove_var before any thread")]
pub(super) fn take_from_environment() {
    let taken = [SSH, BECOME]
        .into_iter()
        .filter_map(|name| {
            let value = std::env::var(name).ok();
            // SAFETY: called at the start of `main`, before any other thread exists, so
            // nothing reads or writes the environment at the same time.
            unsafe { std::env::remove_var(name) };
            value.map(|value| (name, value))
        })
        .collect();
    let _ = TAKEN.set(taken);
}

/// The value the environment variable `name` had when kiln started.
pub(super) fn from_environment(name: &str) -> Option<String> {
    let taken = TAKEN.get()?;
    taken
        .iter()
        .find(|(taken, _)| *taken == name)
        .map(|(_, value)| value.clone())
}
