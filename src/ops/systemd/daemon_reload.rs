//! `systemd.daemon_reload`: make systemd re-read its unit files (`systemctl daemon-reload`).

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call;

pub(crate) const DEF: OpDef = OpDef::new(
    "systemd.daemon_reload",
    "Make systemd re-read changed unit files with `systemctl daemon-reload`.",
    Network::Never,
    lower,
)
.args(&[arg(
    "user_mode",
    Bool,
    "Reload the user manager (`systemctl --user`) of the user the op runs as.",
)
.default(Default::Bool(false))]);

/// Always acts (as pyinfra's does): systemd cannot cheaply tell whether any unit file
/// changed. Use it as a handler, notified by the ops that write unit files.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    Ok(Step {
        call: Some(call::daemon_reload(input.flag("user_mode"))),
        ..Step::default()
    })
}
