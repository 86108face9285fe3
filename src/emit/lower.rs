//! Lowering: one bound op becomes one guarded [`Step`] of shell.
//!
//! Each built-in op's lowering is a function next to its definition
//! (`src/ops/<module>/<op>.rs`, `OpDef::lower`); user-defined ops lower here. A step's
//! probe runs on the host right before its act, so a script never acts on stale facts.

use crate::bind::BoundOp;
use crate::check::OpKind;
use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::{LowerInput, Step};
use crate::shell::Sh;
use crate::source::SourceMap;

/// Lowers `op`, or explains why it cannot be.
pub(super) fn lower(sources: &SourceMap, op: &BoundOp) -> Result<Step, Diagnostic> {
    let base_dir = sources.dir_of(op.op.origin.file);
    match &op.op.kind {
        OpKind::Builtin(def) => (def.lower)(&LowerInput {
            def,
            args: &op.args,
            base_dir,
            origin: op.op.origin,
            context: &op.context,
        }),
        OpKind::User(_) => {
            let Some(scripts) = &op.user_scripts else {
                return Err(Diagnostic::new(
                    Code::Unsupported,
                    op.op.origin,
                    "this op was not bound",
                )
                .label("here"));
            };
            let mut probe = Sh::new();
            match &scripts.probe {
                Some(p) => probe.user(p),
                None => probe.code("false"),
            };
            let mut act = Sh::new();
            act.user(&scripts.apply);
            let mut diff = Sh::new();
            diff.code("printf '%s\\n' ").arg(&scripts.apply.0);
            Ok(Step {
                probe,
                act,
                diff,
                verify: scripts.probe.is_some(),
                ..Step::default()
            })
        }
    }
}
