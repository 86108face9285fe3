//! `pipx.packages`: install or remove Python applications, each in a virtualenv of its
//! own, with `pipx`, like pyinfra's `pipx.packages` and Ansible's `pipx`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::ops::common::{LISTED_EXTRA_ARGS, PACKAGES_PRESENT};
use crate::runtime::call::PackageManager;
use crate::steps::packages::{self, Options, Pin};

pub(crate) const DEF: OpDef = OpDef::new(
    "pipx.packages",
    "Ensure Python applications are installed or removed with `pipx`, each in a virtualenv of its own.",
    Network::when(
        "when `present`",
        reaches::when_present,
        "carry the packages as files (`files.sync`) and install them from there with `server.command`, or leave this op out of the bundle (`--skip-tags`)",
    ),
    lower,
)
.main_arg("packages")
.args(&[
    arg("packages", STR_LIST, "Package names, optionally with an exact version (`black`, `httpie==3.2.2`).").required(),
    PACKAGES_PRESENT,
    LISTED_EXTRA_ARGS,
])
.validate(|args, diagnostics| {
    packages::check_pins(args, PackageManager::Pipx, PIN, diagnostics);
});

/// How a version is pinned (`steps::packages::Pin`).
const PIN: Pin = Some("==");

/// One listing, `pipx list --short`, then `pipx install --force` of each missing one (one
/// spec a command, as pipx takes them). There is no `latest`: pipx cannot say whether a
/// newer version exists without installing it. See `steps::packages::listed_step`.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let options = Options {
        extra_args: input.strings("extra_args"),
        ..Options::default()
    };
    packages::listed_step(input, PackageManager::Pipx, PIN, &options)
}
