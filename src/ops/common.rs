//! Argument definitions several ops share word for word, so their docs cannot drift.

use crate::opdef::prelude::*;

/// `present` of every package op.
pub(super) const PACKAGES_PRESENT: ArgDef =
    arg("present", Bool, "Whether the packages should be installed.").default(Default::Bool(true));

/// `latest` of every package op.
pub(super) const PACKAGES_LATEST: ArgDef = arg(
    "latest",
    Bool,
    "Upgrade the packages to the newest available version, not just install missing ones. With `update`, the package lists are refreshed before deciding (not under `--check`); a refresh alone is not a change.",
)
.default(Default::Bool(false));

/// The guards, directory and environment of the command ops (see `steps::command`).
pub(super) const CREATES: ArgDef = arg("creates", Path, "Skip if this path exists.");
pub(super) const REMOVES: ArgDef = arg("removes", Path, "Skip unless this path exists.");
pub(super) const UNLESS: ArgDef = arg("unless", Shell, "Skip if this shell command succeeds.");
pub(super) const ONLYIF: ArgDef = arg("onlyif", Shell, "Skip unless this shell command succeeds.");
pub(super) const CHDIR: ArgDef = arg("chdir", Path, "Directory to run in.");
pub(super) const ENV: ArgDef = arg("env", STR_MAP, "Environment variables to set.");
