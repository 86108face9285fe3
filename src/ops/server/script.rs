//! `server.script`: upload a local script and run it, guarded so it runs only when needed
//! (Ansible's `script`, pyinfra's `server.script`).

use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "server.script",
    summary: "Upload a local script to the host and run it, optionally guarded so it runs only when needed.",
    main_arg: Some("src"),
    args: &[
        arg(
            "src",
            LocalPath,
            "The local script; it is run directly, so it needs a `#!` line.",
        )
        .required(),
        arg(
            "args",
            STR_LIST,
            "Arguments passed to the script, one per entry.",
        ),
        arg("creates", Path, "Skip if this path exists."),
        arg("removes", Path, "Skip unless this path exists."),
        arg("unless", Shell, "Skip if this shell command succeeds."),
        arg("onlyif", Shell, "Skip unless this shell command succeeds."),
        arg("chdir", Path, "Directory to run in."),
        arg("env", STR_MAP, "Environment variables to set."),
    ],
    rules: &[Rule::GuardedBy(&["creates", "removes", "unless", "onlyif"])],
    facts: &[],
    validate: None,
    lower: None,
};
