//! `package.packages`: install or remove packages with whichever package manager the host
//! uses, like Ansible's `package`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::ops::common::{PACKAGES_LATEST, PACKAGES_PRESENT};
use crate::runtime::call::PackageManager;
use crate::steps::packages::{self, Options, Want};

pub(crate) const DEF: OpDef = OpDef::new(
    "package.packages",
    "Ensure packages are installed (optionally at their latest version) or removed, with the host's own package manager.",
    Network::PackageSources,
    lower,
)
.main_arg("packages")
.args(&[
    arg(
        "packages",
        STR_LIST,
        "Package names (as the host's package manager calls them).",
    )
    .required(),
    PACKAGES_PRESENT,
    PACKAGES_LATEST,
    arg(
        "update",
        Bool,
        "Refresh the package manager's metadata first.",
    )
    .default(Default::Bool(false)),
]);

/// Dispatches on the host, at run time, to the first package manager found (the same
/// detection as the fact `pkg.manager`), with that manager's own probe and commands. See
/// `steps::packages`.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let want = Want::of(input);
    packages::step(input, PackageManager::Auto, &Options::default(), &want)
}
