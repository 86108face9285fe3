//! `gem.packages`: install or remove Ruby gems with `gem`, like pyinfra's `gem.packages`
//! and Ansible's `gem`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::ops::common::{LISTED_EXTRA_ARGS, LISTED_LATEST, PACKAGES_PRESENT};
use crate::runtime::call::PackageManager;
use crate::steps::packages::{self, Options, Pin};

pub(crate) const DEF: OpDef = OpDef::new(
    "gem.packages",
    "Ensure Ruby gems are installed (optionally at their latest version) or removed with `gem`.",
    Network::when(
        "when `present`",
        reaches::when_present,
        "carry the packages as files (`files.sync`) and install them from there with `server.command`, or leave this op out of the bundle (`--skip-tags`)",
    ),
    lower,
)
.main_arg("packages")
.args(&[
    arg("packages", STR_LIST, "Gem names, optionally with an exact version (`rake`, `rails:7.1.3`).").required(),
    PACKAGES_PRESENT,
    LISTED_LATEST,
    arg("user_install", Bool, "Install into the user's gem directory (`--user-install`), for a user who cannot write the system's (run the op as that user with `sudo_user` or `su_user`).").default(Default::Bool(false)),
    LISTED_EXTRA_ARGS,
])
.hints(&[(
    "version",
    "the version goes with the gem's name, as `gem install` takes it: `rails:7.1.3`",
)])
.validate(|args, diagnostics| {
    packages::check_pins(args, PackageManager::Gem, PIN, diagnostics);
});

/// How a version is pinned (`steps::packages::Pin`).
const PIN: Pin = Some(":");

/// One listing, `gem list --local` (`gem outdated` for `latest`), then `gem install` of the
/// missing ones; a removal removes every version. See `steps::packages::listed_step`.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let options = Options {
        extra_args: input.strings("extra_args"),
        user_install: input.flag("user_install"),
        ..Options::default()
    };
    packages::listed_step(input, PackageManager::Gem, PIN, &options)
}
