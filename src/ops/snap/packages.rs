//! `snap.packages`: install or remove snaps, like pyinfra's `snap.package` and Ansible's
//! `snap`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::ops::common::{LISTED_EXTRA_ARGS, LISTED_LATEST, PACKAGES_PRESENT};
use crate::runtime::call::PackageManager;
use crate::steps::packages::{self, Options, Pin};

pub(crate) const DEF: OpDef = OpDef::new(
    "snap.packages",
    "Ensure snaps are installed (optionally refreshed to their latest revision) or removed.",
    Network::when(
        "when `present`",
        reaches::when_present,
        "carry the packages as files (`files.sync`) and install them from there with `server.command`, or leave this op out of the bundle (`--skip-tags`)",
    ),
    lower,
)
.main_arg("packages")
.args(&[
    arg("packages", STR_LIST, "Snap names (`core22`, `lxd`).").required(),
    PACKAGES_PRESENT,
    LISTED_LATEST,
    arg("classic", Bool, "Install with classic confinement (`--classic`).").default(Default::Bool(false)),
    arg("channel", Str, "The channel to install from (`--channel`, e.g. `latest/stable`, `5.0/edge`); an installed snap is left on its channel."),
    LISTED_EXTRA_ARGS,
])
.validate(|args, diagnostics| {
    packages::check_pins(args, PackageManager::Snap, PIN, diagnostics);
});

/// How a version is pinned (`steps::packages::Pin`).
const PIN: Pin = None;

/// One listing, `snap list` (`snap refresh --list` for `latest`), then `snap install` of
/// each missing one. See `steps::packages::listed_step`.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let options = Options {
        extra_args: input.strings("extra_args"),
        classic: input.flag("classic"),
        channel: input.str("channel"),
        ..Options::default()
    };
    packages::listed_step(input, PackageManager::Snap, PIN, &options)
}
