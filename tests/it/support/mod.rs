//! Everything the tests share, one concept per module:
//!
//! - `kiln`: the [`kiln::Test`] builder, which runs the real binary in a temporary directory;
//! - `need`: what a test needs of the machine (root, podman, ...), and skipping without it;
//! - `properties`: the settings of the property tests (where their regressions are kept);
//! - `shells`: the shells every emitted script must run under, a script emitted and run under
//!   each, and a script's summary line;
//! - `tree`: trees of files to set up a sandbox and compare it with what is expected;
//! - `background`: commands an op leaves running, for the tests of a run's end;
//! - `fakes`: stand-ins on `PATH` for tools that cannot run here, and applying with them;
//! - `debian`: a debootstrapped Debian root to run scripts in with `chroot`;
//! - `http`: a loopback HTTP server for downloads;
//! - `https`: a throwaway certificate authority and a loopback HTTPS server it signed;
//! - `netns`: a network namespace of the test's own, for what must not touch this machine's;
//! - `snoop`: another user reading every file it can while a test works;
//! - `sshd`: a private OpenSSH server on loopback.

pub(crate) mod background;
pub(crate) mod debian;
pub(crate) mod fakes;
pub(crate) mod http;
pub(crate) mod https;
pub(crate) mod kiln;
pub(crate) mod need;
pub(crate) mod netns;
pub(crate) mod properties;
pub(crate) mod shells;
pub(crate) mod snoop;
pub(crate) mod sshd;
pub(crate) mod tree;
