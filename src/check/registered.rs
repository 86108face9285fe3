//! Registered results (`register = "NAME"`): what a name may be, and where later ops may
//! read it.
//!
//! A registered result exists only on the host, while the script runs: its fields are
//! shell variables there (`bind::registered`). So it is read by `when`, `changed_when` and
//! `failed_when` (translated to shell tests) and inside shell commands (a quoted shell
//! variable), and nowhere a value is needed when the script is made: a file's content, a
//! path, a name, a user op's parameter (its value is rendered into the op's script before
//! the script runs). A name is an identifier, as it names shell variables. `changed_when`
//! and `failed_when` judge a command's own result, so they exist only on commands.

use super::OpKind;
use super::templates::{TemplateChecker, variable_span};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::{ArgType, ArgValue, OpArgs};
use crate::source::{SourceMap, Spanned};
use crate::steps::values::is_identifier;

/// A name registered by an op the checker has seen, and whether that op is a command (which
/// has `rc`, `stdout` and `stderr`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registered {
    pub name: String,
    pub command: bool,
}

/// The global arguments that are expressions, read as `when` is.
pub const EXPRESSIONS: &[&str] = &["when", "changed_when", "failed_when"];

/// Whether ops of `kind` run a command whose result has an exit status and output: the
/// command ops, and user ops (whose apply is a shell script).
pub fn is_command(kind: &OpKind) -> bool {
    match kind {
        OpKind::Builtin(def) => matches!(
            def.name,
            "server.shell" | "server.command" | "server.script"
        ),
        OpKind::User(_) => true,
    }
}

/// Checks an op's `register` name, and that `changed_when` / `failed_when` are on a
/// command; returns what it registers.
pub(super) fn check_globals(
    kind: &OpKind,
    globals: &OpArgs,
    diagnostics: &mut Diagnostics,
) -> Option<Registered> {
    for judge in ["changed_when", "failed_when"] {
        if let Some(value) = globals.get(judge).filter(|_| !is_command(kind)) {
            diagnostics.push(
                Diagnostic::new(
                    Code::UnknownArgument,
                    value.span,
                    format!("`{judge}` is for commands, and `{}` is not one", kind.name()),
                )
                .label("judges a command's exit status and output")
                .help("use it on `server.shell`, `server.command`, `server.script` or an op made with `define`"),
            );
        }
    }
    let name = globals.get("register")?;
    let ArgValue::Str(text) = &name.value else {
        return None;
    };
    if !is_identifier(text) {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                name.span,
                format!("`{text}` cannot name a registered result"),
            )
            .label("not an identifier")
            .help("a registered name is letters, digits and `_`, not starting with a digit (`sshd_version`)"),
        );
        return None;
    }
    Some(Registered {
        name: text.clone(),
        command: is_command(kind),
    })
}

/// Reports each registered name read where its value is needed when the script is made:
/// an argument that is not a shell command, or a global other than the expressions.
pub(super) fn check_uses(
    sources: &SourceMap,
    templates: &TemplateChecker,
    (kind, args, globals): (&OpKind, &OpArgs, &OpArgs),
    registered: &[Registered],
    diagnostics: &mut Diagnostics,
) {
    if registered.is_empty() {
        return;
    }
    let params = kind.params();
    let shell = |name: &str| {
        matches!(kind, OpKind::Builtin(_))
            && params.iter().any(|(param, ty, _)| {
                *param == name && matches!(ty, ArgType::Shell | ArgType::List(ArgType::Shell))
            })
    };
    let compile_time = args.iter().filter(|(name, _)| !shell(name)).chain(
        globals
            .iter()
            .filter(|(name, _)| !EXPRESSIONS.contains(name)),
    );
    for (name, value) in compile_time {
        report_uses(sources, templates, name, value, registered, diagnostics);
    }
}

fn report_uses(
    sources: &SourceMap,
    templates: &TemplateChecker,
    arg: &str,
    value: &Spanned<ArgValue>,
    registered: &[Registered],
    diagnostics: &mut Diagnostics,
) {
    let mut texts = Vec::new();
    value.value.strings(value.span, &mut texts);
    for (text, span) in texts {
        let names = templates.names(text);
        for used in registered.iter().filter(|r| names.contains(&r.name)) {
            diagnostics.push(
                Diagnostic::new(
                    Code::RuntimeValue,
                    variable_span(sources, text, span, &used.name),
                    format!(
                        "`{}` is a registered result, known only on the host as the script runs; `{arg}` needs its value when the script is made",
                        used.name
                    ),
                )
                .label("a run-time value")
                .help("read it in `when` or in a shell command (`server.shell`), or gather the value as a custom fact"),
            );
        }
    }
}
