//! `systemd.daemon_reload`: make systemd re-read its unit files (`systemctl daemon-reload`).

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};

pub const DEF: OpDef = OpDef::new(
    "systemd.daemon_reload",
    "Make systemd re-read changed unit files with `systemctl daemon-reload`.",
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
    let mut step = Step::default();
    step.probe.code("false");
    if input.flag("user_mode") {
        step.act.code(
            "XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/run/user/$(id -u)}; export XDG_RUNTIME_DIR\nsystemctl --user daemon-reload",
        );
        step.diff
            .code("printf 'would run: systemctl --user daemon-reload\\n'");
    } else {
        step.act.code("systemctl daemon-reload");
        step.diff
            .code("printf 'would run: systemctl daemon-reload\\n'");
    }
    Ok(step)
}
