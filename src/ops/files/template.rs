//! `files.template`: render a local minijinja template and write the result to the host, like
//! pyinfra's `files.template` and Ansible's `template`.

use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "files.template",
    summary: "Render a local minijinja template with the manifest's variables and facts, and write it to the host.",
    main_arg: Some("dest"),
    args: &[
        arg("src", LocalPath, "The local template file.").required(),
        arg("dest", Path, "The file to write on the host.").required(),
        arg("mode", Mode, "Mode of the file."),
        arg("owner", Account, "Owner of the file."),
        arg("group", Account, "Group of the file."),
        arg(
            "backup",
            Bool,
            "Keep a timestamped copy of the previous file before replacing it.",
        )
        .default(Default::Bool(false)),
        arg(
            "vars",
            STR_MAP,
            "Extra variables for this template only, on top of the manifest's variables.",
        ),
    ],
    rules: &[],
    facts: &[],
    validate: None,
    lower: None,
};
