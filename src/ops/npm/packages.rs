//! `npm.packages`: install or remove Node.js packages with `npm`, globally or in a
//! directory, like pyinfra's `npm.packages` and Ansible's `npm`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::ops::common::{LISTED_EXTRA_ARGS, LISTED_LATEST, PACKAGES_PRESENT};
use crate::runtime::call::PackageManager;
use crate::steps::packages::{self, Options, Pin};

pub(crate) const DEF: OpDef = OpDef::new(
    "npm.packages",
    "Ensure Node.js packages are installed (optionally at their latest version) or removed with `npm`, globally or in a directory.",
    Network::when(
        "when `present`",
        reaches::when_present,
        "carry the packages as files (`files.sync`) and install them from there with `server.command`, or leave this op out of the bundle (`--skip-tags`)",
    ),
    lower,
)
.main_arg("packages")
.args(&[
    arg("packages", STR_LIST, "Package names, optionally with an exact version (`typescript`, `@angular/cli@17.3.0`).").required(),
    PACKAGES_PRESENT,
    LISTED_LATEST,
    arg("directory", Path, "The project directory whose `node_modules` holds the packages (`npm --prefix`); without it, the global packages (`npm --global`)."),
    LISTED_EXTRA_ARGS,
])
.validate(|args, diagnostics| {
    packages::check_pins(args, PackageManager::Npm, PIN, diagnostics);
});

/// How a version is pinned (`steps::packages::Pin`).
const PIN: Pin = Some("@");

/// One listing, `npm ls --json --depth=0` (`npm outdated` for `latest`), then `npm
/// install` of the missing ones. See `steps::packages::listed_step`.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let options = Options {
        extra_args: input.strings("extra_args"),
        dir: input
            .args
            .str("directory")
            .map_or("", |d| d.trim_end_matches('/')),
        ..Options::default()
    };
    packages::listed_step(input, PackageManager::Npm, PIN, &options)
}
