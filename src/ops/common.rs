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

/// The backup and attributes of the edit ops (`files.line`, `files.block`,
/// `files.replace`, `files.ini`; see `steps::edit`).
pub(super) const EDIT_BACKUP: ArgDef = arg(
    "backup",
    Bool,
    "Keep a timestamped copy of the file before changing it.",
)
.default(Default::Bool(false));
pub(super) const EDIT_MODE: ArgDef = arg("mode", Mode, "Mode of the file after editing.");
pub(super) const EDIT_OWNER: ArgDef = arg("owner", Account, "Owner of the file after editing.");
pub(super) const EDIT_GROUP: ArgDef = arg("group", Account, "Group of the file after editing.");

/// `latest` and `extra_args` of the ops of the language and desktop package managers
/// (`npm.packages`, `gem.packages`, ...; see `steps::packages::listed_step`).
pub(super) const LISTED_LATEST: ArgDef = arg(
    "latest",
    Bool,
    "Upgrade the packages to the newest version the manager knows of, not just install missing ones.",
)
.default(Default::Bool(false));
pub(super) const LISTED_EXTRA_ARGS: ArgDef = arg(
    "extra_args",
    STR_LIST,
    "Extra arguments for the install, upgrade and remove commands (after the manager's own, before the packages).",
);
