//! `git.config`: Set or unset a git configuration key, system-wide, for a user or in a repository.

use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};

pub(crate) const DEF: OpDef = OpDef::new(
    "git.config",
    "Set or unset a git configuration key, system-wide, for a user or in a repository.",
    lower,
);

/// Not written yet: refuses, so a script never carries an op that does nothing. Build the
/// probe, act and diff from `crate::steps` (CONTRIBUTING.md, "Adding an operation").
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    Err(Diagnostic::new(
        Code::Unsupported,
        input.origin,
        format!("`{}` cannot be run yet", input.def.name),
    )
    .label("checked, but it has no shell lowering")
    .help("this operation is validated by `kiln check`; running it is not implemented yet"))
}
