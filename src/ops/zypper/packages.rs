//! `zypper.packages`: install or remove openSUSE/SLES packages with `zypper`, like pyinfra's
//! `zypper.packages` and Ansible's `zypper`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::ops::common::{PACKAGES_LATEST, PACKAGES_PRESENT};
use crate::runtime::call::PackageManager;
use crate::steps::packages::{self, Options, Want};

pub(crate) const DEF: OpDef = OpDef::new(
    "zypper.packages",
    "Ensure openSUSE/SLES packages are installed (optionally at their latest version) or removed, with `zypper`.",
    Network::PackageSources,
    lower,
)
.main_arg("packages")
.args(&[
    arg(
        "packages",
        STR_LIST,
        "Package names, optionally constrained (`nginx`, `nginx>=1.24`).",
    )
    .required(),
    PACKAGES_PRESENT,
    PACKAGES_LATEST,
    arg(
        "update",
        Bool,
        "Refresh the repositories first (`zypper refresh`).",
    )
    .default(Default::Bool(false)),
    arg(
        "extra_args",
        STR_LIST,
        "Extra arguments for `zypper install` / `zypper remove`.",
    ),
]);

/// Probe with `rpm -q` (and `zypper list-updates` for `latest`). See `steps::packages`.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let options = Options {
        extra_args: input.strings("extra_args"),
        ..Options::default()
    };
    let want = Want::of(input);
    packages::step(input, PackageManager::Zypper, &options, &want)
}
