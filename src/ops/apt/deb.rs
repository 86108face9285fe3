//! `apt.deb`: install a `.deb` file with its dependencies, like Ansible's `apt` with `deb`
//! and pyinfra's `apt.deb`.
//!
//! The package is installed when it is not installed at the file's version: the host reads
//! the file's `Package` and `Version` (`dpkg-deb -f`) and asks dpkg (`dpkg-query -W`), so
//! the manifest never repeats what the file says. A `src` file on the controller travels
//! in the script (as `files.put`'s does), so it suits small packages; a large one is better
//! given as a `url`, downloaded on the host once per run and checked against `sha256`
//! before dpkg reads it (a download without a digest is refused: it would run the
//! maintainer scripts of whatever the server sends, as root). `apt-get install` installs
//! the file, its missing dependencies from the host's sources, and a downgrade too: the
//! version asked for is the file's.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call;
use crate::steps::packages;

pub(crate) const DEF: OpDef = OpDef::new(
    "apt.deb",
    "Ensure the package in a `.deb` file (from the controller or a URL) is installed at the file's version, with its dependencies.",
    Network::when(
        "with `url`",
        reaches::with_url,
        "give the `.deb` as `src`: the script carries it",
    ),
    lower,
)
.main_arg("src")
.args(&[
    arg("src", LocalPath, "The `.deb` on the controller, relative to the manifest."),
    arg("url", Url, "Download the `.deb` on the host from this URL (needs `sha256`)."),
    arg("sha256", Sha256, "The SHA-256 the download must have."),
])
.rules(&[
    Rule::OneOf(&["src", "url"]),
    Rule::Requires("url", "sha256"),
]);

/// One call of `k_apt_deb`: probe, act and diff each read the file's fields on the host.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    packages::package_file_step(input, call::apt_deb)
}
