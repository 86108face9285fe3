//! `cargo.packages`: install or remove Rust programs with `cargo install`, like Ansible's
//! `community.general.cargo`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::ops::common::{LISTED_EXTRA_ARGS, PACKAGES_PRESENT};
use crate::runtime::call::PackageManager;
use crate::steps::packages::{self, Options, Pin};

pub(crate) const DEF: OpDef = OpDef::new(
    "cargo.packages",
    "Ensure Rust programs are installed (`cargo install`) or removed (`cargo uninstall`).",
    Network::when(
        "when `present`",
        reaches::when_present,
        "carry the packages as files (`files.sync`) and install them from there with `server.command`, or leave this op out of the bundle (`--skip-tags`)",
    ),
    lower,
)
.main_arg("packages")
.args(&[
    arg(
        "packages",
        STR_LIST,
        "Crate names, optionally with an exact version (`ripgrep`, `just@1.25.2`).",
    )
    .required(),
    PACKAGES_PRESENT,
    LISTED_EXTRA_ARGS,
])
.validate(|args, diagnostics| {
    packages::check_pins(args, PackageManager::Cargo, PIN, diagnostics);
});

/// How a version is pinned (`steps::packages::Pin`).
const PIN: Pin = Some("@");

/// One listing, `cargo install --list`, then `cargo install` of the missing ones. There is
/// no `latest`: cargo cannot say whether a newer version exists without building it. See
/// `steps::packages::listed_step`.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let options = Options {
        extra_args: input.strings("extra_args"),
        ..Options::default()
    };
    packages::listed_step(input, PackageManager::Cargo, PIN, &options)
}
