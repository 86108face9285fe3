//! `server.command`: run one program with arguments, without a shell, guarded so it runs
//! only when needed (Ansible's `command`).

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::ops::common::{CHDIR, CREATES, ENV, ONLYIF, REMOVES, UNLESS};
use crate::runtime::call::Commands;
use crate::steps::command;

pub(crate) const DEF: OpDef = OpDef::new(
    "server.command",
    "Run a program with arguments directly (no shell, so no quoting, globbing or pipes), optionally guarded so it runs only when needed.",
    Network::Never,
    lower,
)
.main_arg("argv")
.args(&[
    arg("argv", STR_LIST, "The program and its arguments, one per entry; each entry is passed as exactly one argument.").required(),
    CREATES,
    REMOVES,
    UNLESS,
    ONLYIF,
    CHDIR,
    ENV,
])
.rules(&[Rule::GuardedBy(&["creates", "removes", "unless", "onlyif", "changed_when"])]);

/// The program and its arguments as quoted words: no shell interprets them.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    command::run(input, &Commands::Program(&input.strings("argv")))
}
