//! `files.directory`: ensure a directory exists (or not), with its mode and ownership, like
//! pyinfra's `files.directory` and Ansible's `file` with `state: directory`.

use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "files.directory",
    summary: "Ensure a directory exists (with its parents) or is absent, with the given mode and ownership.",
    main_arg: Some("path"),
    args: &[
        arg("path", Path, "The directory to manage.").required(),
        arg(
            "present",
            Bool,
            "Whether the directory should exist; when false it is removed with everything in it.",
        )
        .default(Default::Bool(true)),
        arg(
            "recursive",
            Bool,
            "Apply `mode`, `owner` and `group` to everything inside the directory as well.",
        )
        .default(Default::Bool(false)),
        arg("mode", Mode, "Mode of the directory."),
        arg("owner", Account, "Owner of the directory."),
        arg("group", Account, "Group of the directory."),
    ],
    rules: &[],
    facts: &[],
    validate: None,
};
