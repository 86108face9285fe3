//! `brew.packages`: install or remove Homebrew formulae (or casks), like pyinfra's
//! `brew.packages` and Ansible's `homebrew`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::ops::common::{PACKAGES_LATEST, PACKAGES_PRESENT};
use crate::runtime::call::PackageManager;
use crate::steps::packages::{self, Options, Want};

pub(crate) const DEF: OpDef = OpDef::new(
    "brew.packages",
    "Ensure Homebrew formulae or casks are installed (optionally at their latest version) or removed.",
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
        "Formula (or cask) names, optionally with their tap (`user/tap/name`).",
    )
    .required(),
    PACKAGES_PRESENT,
    PACKAGES_LATEST,
    arg("update", Bool, "Run `brew update` first.").default(Default::Bool(false)),
    arg(
        "cask",
        Bool,
        "The packages are casks (`brew install --cask`).",
    )
    .default(Default::Bool(false)),
    arg(
        "extra_args",
        STR_LIST,
        "Extra arguments for `brew install` / `brew uninstall`.",
    ),
]);

/// Probe with `brew list --versions` (and `brew outdated` for `latest`). See
/// `steps::packages`.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let options = Options {
        extra_args: input.strings("extra_args"),
        cask: input.flag("cask"),
        ..Options::default()
    };
    let want = Want::of(input);
    packages::step(input, PackageManager::Brew, &options, &want)
}
