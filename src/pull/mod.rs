//! Pull mode: what lets a host apply its own configuration, with nothing of kiln on it and
//! no controller reaching it.
//!
//! - [`cloud_init`]: a host's script as cloud-config user-data, written and run once at
//!   first boot (`kiln emit --format cloud-init`).
//! - [`Units`]: a systemd service and timer that periodically run [`FETCH_SCRIPT`]
//!   (`kiln pull-units`), which fetches the host's bundle (from a directory, over HTTPS only
//!   with the CA given by `--ca` or the system's, or from git; `kiln bundle`: `HOST.tar`, whose
//!   `HOST/SHA256SUMS` is signed with `ssh-keygen -Y sign -n kiln-bundle`), verifies it, runs
//!   `HOST/run --report ...` and keeps the last reports.
//!
//! Invariant: every value put into a unit file goes through the unit quoting of
//! [`units`], and the fetch script takes its values as arguments only, so no value becomes
//! code in either.

mod cloud_init;
mod units;

pub use cloud_init::cloud_init;
pub use units::Units;

/// The POSIX fetch script the service runs (`kiln-pull`): its comment says its usage.
pub const FETCH_SCRIPT: &str = include_str!("kiln-pull.sh");
