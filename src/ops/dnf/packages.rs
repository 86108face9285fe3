//! `dnf.packages`: install or remove RPM packages with `dnf`, like pyinfra's `dnf.packages`
//! and Ansible's `dnf`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::ops::common::{PACKAGES_LATEST, PACKAGES_PRESENT};
use crate::runtime::call::PackageManager;
use crate::steps::packages;

pub(crate) const DEF: OpDef = OpDef::new(
    "dnf.packages",
    "Ensure RPM packages are installed (optionally at their latest version) or removed, with `dnf`.",
    Network::PackageSources,
    lower,
)
.main_arg("packages")
.args(&[
    arg(
        "packages",
        STR_LIST,
        "Package names or specs (`nginx`, `nginx-1.24.0`, `@development-tools`).",
    )
    .required(),
    PACKAGES_PRESENT,
    PACKAGES_LATEST,
    arg(
        "update",
        Bool,
        "Refresh the repository metadata first (`dnf makecache`).",
    )
    .default(Default::Bool(false)),
    arg(
        "enablerepo",
        STR_LIST,
        "Repositories to enable for this transaction (`--enablerepo`).",
    ),
    arg(
        "disablerepo",
        STR_LIST,
        "Repositories to disable for this transaction (`--disablerepo`).",
    ),
    arg(
        "extra_args",
        STR_LIST,
        "Extra arguments for `dnf install` / `dnf remove`.",
    ),
]);

/// Probe with `rpm -q` (and `dnf check-update` for `latest`). See `steps::packages`.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    packages::rpm_repo_step(input, PackageManager::Dnf)
}
