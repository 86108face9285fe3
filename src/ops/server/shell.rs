//! `server.shell`: run commands through `sh -c`, guarded so they run only when needed.

use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "server.shell",
    summary: "Run shell commands (through `sh -c`), optionally guarded so they run only when needed.",
    main_arg: Some("commands"),
    args: &[
        arg(
            "commands",
            STR_LIST,
            "Shell commands, run in order; the op fails at the first that fails.",
        )
        .required(),
        arg("creates", Path, "Skip if this path exists."),
        arg("removes", Path, "Skip unless this path exists."),
        arg("unless", Str, "Skip if this shell command succeeds."),
        arg("onlyif", Str, "Skip unless this shell command succeeds."),
        arg("chdir", Path, "Directory to run in."),
        arg("env", STR_MAP, "Environment variables to set."),
    ],
    rules: &[Rule::GuardedBy(&["creates", "removes", "unless", "onlyif"])],
    facts: &[],
    validate: None,
};
