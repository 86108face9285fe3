//! Arguments every operation (and every `include`) accepts, next to its own.

use crate::opdef::prelude::*;

/// The global arguments. `serial` is a count or a percentage, so it is a string (an integer
/// is accepted too) checked by `check::globals`; the rest are ordinary typed arguments.
pub(crate) const GLOBAL_ARGS: &[ArgDef] = &[
    arg(
        "id",
        Str,
        "A unique id for the op, shown in plans and reports (default: `<file>:<line>`).",
    ),
    arg(
        "name",
        Str,
        "A human description shown in plans and reports.",
    ),
    arg("sudo", Bool, "Run the op with sudo.").default(Default::Bool(false)),
    arg(
        "sudo_user",
        Account,
        "Run the op as this user through sudo (implies `sudo`).",
    ),
    arg("su_user", Account, "Run the op as this user through `su`."),
    arg(
        "when",
        Str,
        "A minijinja expression over variables and facts; the op is skipped unless it is true.",
    ),
    arg(
        "register",
        Str,
        "Keep the op's result on the host under this name (an identifier): later ops read `NAME.changed`, `NAME.failed`, `NAME.skipped`, and for commands `NAME.rc`, `NAME.stdout`, `NAME.stderr`, in `when` and in shell commands.",
    ),
    arg(
        "changed_when",
        Str,
        "For a command: an expression over its registered result that decides whether it changed something (`false`: it never does, and runs in check mode too).",
    ),
    arg(
        "failed_when",
        Str,
        "For a command: an expression over its registered result that decides whether it failed, instead of its exit status.",
    ),
    arg(
        "tags",
        STR_LIST,
        "Tags to select ops with `--tags` / `--skip-tags`.",
    ),
    arg(
        "notify",
        STR_LIST,
        "Handlers to run (once, at the end) if this op changed something.",
    ),
    arg(
        "ignore_errors",
        Bool,
        "Carry on with the next op if this one fails.",
    )
    .default(Default::Bool(false)),
    arg(
        "sensitive",
        Bool,
        "Never show what the op writes or prints (Ansible's `no_log`): its text arguments (contents, commands, patterns, URLs) are masked in scripts and reports, where paths, modes and owners stay shown; its diff only says `content differs, hidden`; its output is hidden.",
    )
    .default(Default::Bool(false)),
    arg("retries", COUNT, "Retry a failing op this many times.").default(Default::Int(0)),
    arg("retry_delay", Duration, "Wait this long between retries.").default(Default::Str("5s")),
    arg(
        "run_once",
        Bool,
        "Run on one host only: the first host of the run, in inventory order, that the op's `hosts`/`groups` let it run on (database migrations); the other hosts' scripts skip it.",
    )
    .default(Default::Bool(false)),
    arg("hosts", STR_LIST, "Run only on these inventory hosts."),
    arg(
        "groups",
        STR_LIST,
        "Run only on hosts in these inventory groups.",
    ),
    arg(
        "serial",
        Str,
        "Apply to this many hosts at a time (a number, or a percentage such as `\"25%\"`), for rolling changes: a live run goes batch by batch with the smallest `serial` of its ops (`--serial` overrides).",
    ),
];

pub(crate) fn global_arg(name: &str) -> Option<&'static ArgDef> {
    GLOBAL_ARGS.iter().find(|a| a.name == name)
}
