//! Lowering: one bound op becomes one guarded [`Step`] of shell.
//!
//! Each built-in op's lowering is a function next to its definition
//! (`src/ops/<module>/<op>.rs`, `OpDef::lower`); user-defined ops lower here. A step's
//! probe runs on the host right before its act, so a script never acts on stale facts.

pub mod attrs;
pub mod command;
pub mod content;
pub mod edit;
pub mod filter;
pub mod packages;
pub mod services;
pub mod values;

use std::path::Path;

use crate::bind::BoundOp;
use crate::check::OpKind;
use crate::diagnostic::{Code, Diagnostic};
use crate::ops::args::OpArgs;
use crate::ops::def::OpDef;
use crate::shell::Sh;
use crate::source::{SourceMap, Span};

/// A guarded step.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Step {
    /// Exits 0 when the desired state already holds.
    pub probe: Sh,
    /// Makes it hold.
    pub act: Sh,
    /// Prints what the act would change (a unified diff, the commands), for check mode
    /// and plans. May be empty.
    pub diff: Sh,
    /// Whether the probe must hold after the act (else the op "did not converge"). False
    /// for commands, whose guard need not be what the command changes.
    pub verify: bool,
    /// Shell that prints the op's payload (a file's content). When present, probe, act and
    /// diff read it on standard input, so it is written into the script once and crosses
    /// a `sudo` boundary as a stream.
    pub data: Sh,
}

/// What a lowering function sees.
pub struct LowerInput<'a> {
    pub def: &'static OpDef,
    /// Rendered arguments.
    pub args: &'a OpArgs,
    /// The directory of the manifest the op was written in (local paths are relative to it).
    pub base_dir: &'a Path,
    /// The op as written, for diagnostics about it as a whole.
    pub origin: Span,
    /// The template context the op's arguments were rendered with on this host (variables,
    /// `facts`, `host`), for ops that render a template file (`files.template`).
    pub context: &'a minijinja::Value,
}

impl LowerInput<'_> {
    /// A string argument, or its declared default, or `""`.
    pub fn str(&self, name: &str) -> &str {
        self.args
            .str(name)
            .unwrap_or_else(|| match self.def.arg(name).and_then(|a| a.default) {
                Some(crate::ops::def::Default::Str(s)) => s,
                _ => "",
            })
    }

    pub fn flag(&self, name: &str) -> bool {
        self.args.flag(self.def, name)
    }

    /// A list argument's strings (a missing one is empty).
    pub fn strings(&self, name: &str) -> Vec<&str> {
        self.args
            .get(name)
            .and_then(|v| v.value.as_list())
            .unwrap_or_default()
            .iter()
            .filter_map(|i| i.value.as_str())
            .collect()
    }

    pub fn span(&self, name: &str) -> Span {
        self.args.get(name).map_or(self.origin, |v| v.span)
    }
}

/// A lowering function.
pub type LowerFn = fn(&LowerInput) -> Result<Step, Diagnostic>;

/// Lowers `op`, or explains why it cannot be.
pub fn lower(sources: &SourceMap, op: &BoundOp) -> Result<Step, Diagnostic> {
    let base_dir = sources
        .file(op.op.origin.file)
        .path
        .parent()
        .unwrap_or(Path::new("."))
        .to_path_buf();
    match &op.op.kind {
        OpKind::Builtin(def) => match def.lower {
            Some(lower) => lower(&LowerInput {
                def,
                args: &op.args,
                base_dir: &base_dir,
                origin: op.op.origin,
                context: &op.context,
            }),
            None => Err(Diagnostic::new(
                Code::Unsupported,
                op.op.origin,
                format!("`{}` cannot be run yet", def.name),
            )
            .label("checked, but it has no shell lowering")
            .help(
                "this operation is validated by `kiln check`; running it is not implemented yet",
            )),
        },
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
                data: Sh::new(),
            })
        }
    }
}
