//! `files.sync`: make a directory on the host mirror a local directory, like pyinfra's
//! `files.sync` and Ansible's `synchronize`.

use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "files.sync",
    summary: "Copy a local directory tree to the host, uploading only files that differ.",
    main_arg: Some("dest"),
    args: &[
        arg("src", LocalPath, "The local directory to copy.").required(),
        arg("dest", Path, "The directory on the host to copy into.").required(),
        arg(
            "delete",
            Bool,
            "Remove files under `dest` that are not in `src` (and not excluded).",
        )
        .default(Default::Bool(false)),
        arg(
            "exclude",
            STR_LIST,
            "Glob patterns (matched against paths relative to `src`) of files to skip.",
        ),
        arg("mode", Mode, "Mode of the copied files."),
        arg(
            "dir_mode",
            Mode,
            "Mode of the copied directories, `dest` included.",
        ),
        arg(
            "owner",
            Account,
            "Owner of the copied files and directories.",
        ),
        arg(
            "group",
            Account,
            "Group of the copied files and directories.",
        ),
    ],
    rules: &[],
    facts: &[],
    validate: None,
    lower: None,
};
