//! `server.shell`: run commands through `sh -c`, guarded so they run only when needed.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::ops::common::{CHDIR, CREATES, ENV, ONLYIF, REMOVES, UNLESS};
use crate::runtime::call::Commands;
use crate::steps::command;

pub(crate) const DEF: OpDef = OpDef::new(
    "server.shell",
    "Run shell commands (through `sh -c`), optionally guarded so they run only when needed.",
    Network::Never,
    lower,
)
.main_arg("commands")
.args(&[
    arg(
        "commands",
        List(&Shell),
        "Shell commands, run in order; the op fails at the first that fails.",
    )
    .required(),
    CREATES,
    REMOVES,
    UNLESS,
    ONLYIF,
    CHDIR,
    ENV,
])
.rules(&[Rule::GuardedBy(&[
    "creates",
    "removes",
    "unless",
    "onlyif",
    "changed_when",
])]);

/// Each command runs in its own `sh -c`; see `steps::command` for guards.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    command::run(input, &Commands::Shell(&input.strings("commands")))
}
