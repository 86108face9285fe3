//! `pip.packages`: install or remove Python packages with `pip`, system-wide or in a
//! virtualenv, like pyinfra's `pip.packages` and Ansible's `pip`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::ops::common::PACKAGES_PRESENT;
use crate::runtime::call::PackageManager;
use crate::steps::packages::{self, Options, Want};

pub(crate) const DEF: OpDef = OpDef::new(
    "pip.packages",
    "Ensure Python packages are installed (optionally at their latest version) or removed with `pip`, optionally in a virtualenv.",
    Network::when(
        "when `present`",
        reaches::when_present,
        "carry the packages as files (`files.sync`) and install them from there with `server.command`, or leave this op out of the bundle (`--skip-tags`)",
    ),
    lower,
)
.main_arg("packages")
.args(&[
    arg("packages", STR_LIST, "Requirement specifiers (`requests`, `django==5.0`, `flask>=3`)."),
    PACKAGES_PRESENT,
    arg("latest", Bool, "Upgrade the packages to the newest available version (`--upgrade`), not just install missing ones.").default(Default::Bool(false)),
    arg("virtualenv", Path, "A virtualenv to install into, created (with `python3 -m venv`) if missing; its own `pip` is used."),
    arg("pip", Str, "The pip command to use when no `virtualenv` is given.").default(Default::Str("pip3")),
    arg("requirements", Path, "A requirements file on the host to install (`-r`)."),
    arg("extra_args", STR_LIST, "Extra arguments for `pip install` / `pip uninstall`."),
])
.rules(&[
    Rule::AnyOf(&["packages", "requirements"]),
    Rule::Conflicts("pip", "virtualenv"),
]);

/// Probe with `pip show` (and `pip list --outdated` for `latest`), like the system package
/// managers (`steps::packages`). `k_pip` is the virtualenv's pip (the virtualenv is made
/// with `python3 -m venv` if missing), else `pip`. A requirements file is up to date when
/// `pip install --dry-run -r` would install nothing (pip 22.2 or later; an older pip
/// installs on every run).
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let virtualenv = input
        .args
        .str("virtualenv")
        .map_or("", |v| v.trim_end_matches('/'));
    let options = Options {
        extra_args: input.strings("extra_args"),
        pip: if virtualenv.is_empty() {
            input.str("pip")
        } else {
            ""
        },
        virtualenv,
        requirements: input.args.str("requirements").unwrap_or_default(),
        ..Options::default()
    };
    let want = Want {
        packages: input.strings("packages"),
        present: input.flag("present"),
        latest: input.flag("latest"),
        update: false,
    };
    packages::step(input, PackageManager::Pip, &options, &want)
}
