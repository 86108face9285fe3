//! `apk.packages`: install or remove Alpine packages with `apk`, like pyinfra's
//! `apk.packages` and Ansible's `apk`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::ops::common::{PACKAGES_LATEST, PACKAGES_PRESENT};
use crate::runtime::call::PackageManager;
use crate::steps::packages::{self, Options, Want};

pub(crate) const DEF: OpDef = OpDef::new(
    "apk.packages",
    "Ensure Alpine packages are installed (optionally at their latest version) or removed, with `apk`.",
    Network::PackageSources,
    lower,
)
.main_arg("packages")
.args(&[
    arg("packages", STR_LIST, "Package names, optionally constrained (`nginx`, `nginx=1.24.0-r0`, `nginx@edge`).").required(),
    PACKAGES_PRESENT,
    PACKAGES_LATEST,
    arg("update", Bool, "Run `apk update` first.").default(Default::Bool(false)),
    arg("no_cache", Bool, "Use `--no-cache`: fetch the index for this run only and keep no package cache (common in containers).").default(Default::Bool(false)),
    arg("extra_args", STR_LIST, "Extra arguments for `apk add` / `apk del`."),
]);

/// Probe with `apk info -e` (and `apk version` for `latest`). See `steps::packages`.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let options = Options {
        extra_args: input.strings("extra_args"),
        no_cache: input.flag("no_cache"),
        ..Options::default()
    };
    let want = Want::of(input);
    packages::step(input, PackageManager::Apk, &options, &want)
}
