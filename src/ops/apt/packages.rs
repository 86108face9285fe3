//! `apt.packages`: install or remove Debian packages with `apt-get`, like pyinfra's
//! `apt.packages` and Ansible's `apt`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::ops::common::{PACKAGES_LATEST, PACKAGES_PRESENT};
use crate::runtime::call::PackageManager;
use crate::steps::packages::{self, Options, Want};
use crate::steps::values::seconds;

pub(crate) const DEF: OpDef = OpDef::new(
    "apt.packages",
    "Ensure Debian/Ubuntu packages are installed (optionally at their latest version) or removed, with `apt-get`.",
    Network::PackageSources,
    lower,
)
.main_arg("packages")
.args(&[
    arg(
        "packages",
        STR_LIST,
        "Package names, optionally pinned (`nginx=1.24.0-1`).",
    )
    .required(),
    PACKAGES_PRESENT,
    PACKAGES_LATEST,
    arg("update", Bool, "Run `apt-get update` first.").default(Default::Bool(false)),
    arg(
        "cache_time",
        Duration,
        "Update the package lists only if they are older than this (implies `update`).",
    ),
    arg(
        "no_recommends",
        Bool,
        "Do not install recommended packages (`--no-install-recommends`).",
    )
    .default(Default::Bool(false)),
    arg(
        "extra_args",
        STR_LIST,
        "Extra arguments for `apt-get install` / `apt-get remove`.",
    ),
]);

/// Probe with `dpkg-query` (and `apt-cache policy` for `latest`); install, upgrade or
/// remove only the packages that are not as wanted. See `steps::packages`.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let cache_time = seconds(input, "cache_time");
    let options = Options {
        extra_args: input.strings("extra_args"),
        no_recommends: input.flag("no_recommends"),
        cache_time,
        ..Options::default()
    };
    let want = Want {
        packages: input.strings("packages"),
        present: input.flag("present"),
        latest: input.flag("latest"),
        update: input.flag("update") || cache_time > 0,
    };
    packages::step(input, PackageManager::Apt, &options, &want)
}
