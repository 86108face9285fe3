//! `flatpak.packages`: install or remove Flatpak applications, like pyinfra's
//! `flatpak.packages` and Ansible's `community.general.flatpak`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::ops::common::{LISTED_EXTRA_ARGS, LISTED_LATEST, PACKAGES_PRESENT};
use crate::runtime::call::PackageManager;
use crate::steps::packages::{self, Options, Pin};

pub(crate) const DEF: OpDef = OpDef::new(
    "flatpak.packages",
    "Ensure Flatpak applications are installed (optionally updated to their latest version) or removed.",
    Network::when(
        "when `present`",
        reaches::when_present,
        "carry the packages as files (`files.sync`) and install them from there with `server.command`, or leave this op out of the bundle (`--skip-tags`)",
    ),
    lower,
)
.main_arg("packages")
.args(&[
    arg("packages", STR_LIST, "Application ids (`org.videolan.VLC`).").required(),
    PACKAGES_PRESENT,
    LISTED_LATEST,
    arg("remote", Str, "The remote to install from.").default(Default::Str("flathub")),
    LISTED_EXTRA_ARGS,
])
.validate(|args, diagnostics| {
    packages::check_pins(args, PackageManager::Flatpak, PIN, diagnostics);
});

/// How a version is pinned (`steps::packages::Pin`).
const PIN: Pin = None;

/// One listing, `flatpak list --app --columns=application,version` (`flatpak remote-ls
/// --updates` for `latest`), then one `flatpak install` of the missing ones. See
/// `steps::packages::listed_step`.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let options = Options {
        extra_args: input.strings("extra_args"),
        remote: input.str("remote"),
        ..Options::default()
    };
    packages::listed_step(input, PackageManager::Flatpak, PIN, &options)
}
