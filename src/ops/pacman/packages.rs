//! `pacman.packages`: install or remove Arch Linux packages with `pacman`, like pyinfra's
//! `pacman.packages` and Ansible's `pacman`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::ops::common::{PACKAGES_LATEST, PACKAGES_PRESENT};
use crate::runtime::call::PackageManager;
use crate::steps::packages::{self, Options, Want};

pub(crate) const DEF: OpDef = OpDef::new(
    "pacman.packages",
    "Ensure Arch Linux packages are installed (optionally at their latest version) or removed, with `pacman`.",
    Network::PackageSources,
    lower,
)
.main_arg("packages")
.args(&[
    arg("packages", STR_LIST, "Package or group names.").required(),
    PACKAGES_PRESENT,
    PACKAGES_LATEST,
    arg("update", Bool, "Refresh the package databases first (`pacman -Sy`); Arch does not support partial upgrades, so combine with `latest` or a full upgrade.").default(Default::Bool(false)),
    arg("extra_args", STR_LIST, "Extra arguments for `pacman -S` / `pacman -R`."),
]);

/// Probe with `pacman -Q` (and `pacman -Qu` for `latest`). See `steps::packages`.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let options = Options {
        extra_args: input.strings("extra_args"),
        ..Options::default()
    };
    let want = Want::of(input);
    packages::step(input, PackageManager::Pacman, &options, &want)
}
