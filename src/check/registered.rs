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
use super::templates::{TemplateChecker, tags, variable_span};
use super::tokens::{Token, tokens};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::{ArgType, ArgValue, OpArgs};
use crate::source::{SourceMap, Span, Spanned};
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
    (kind, args, globals, becomes): (&OpKind, &OpArgs, &OpArgs, bool),
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
    for (_, value) in args.iter().filter(|(name, _)| shell(name)) {
        let mut texts = Vec::new();
        value.value.strings(value.span, &mut texts);
        for (text, span) in texts {
            report_decided_uses(sources, (text, span, becomes), registered, diagnostics);
        }
    }
}

/// In a shell command, a registered field is inserted only as `{{ NAME.FIELD }}` alone:
/// the shell reads the variable as the command runs. Anything more (a filter, a test, a
/// condition in `{% %}`) would be decided when the script is made, over the variable's
/// name instead of its value: reported; and so is any use in an op that `becomes` another
/// user, whose shell does not get the script's variables.
fn report_decided_uses(
    sources: &SourceMap,
    (text, span, becomes): (&str, Span, bool),
    registered: &[Registered],
    diagnostics: &mut Diagnostics,
) {
    let reads = |name: &str| registered.iter().any(|r| r.name == name);
    for region in tags(text) {
        let code =
            text[region.clone()].trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace());
        let words = tokens(code);
        let word = |token: &Token| match token {
            Token::Word(range) => Some(&code[range.clone()]),
            _ => None,
        };
        let inserted = text[..region.start].ends_with("{{")
            && matches!(&words[..], [name, Token::Punct('.'), field]
                if word(name).is_some_and(reads) && word(field).is_some());
        let used = words.iter().enumerate().find_map(|(i, token)| {
            let after_dot = i > 0 && words[i - 1] == Token::Punct('.');
            word(token).filter(|w| reads(w) && !after_dot)
        });
        if let (true, true, Some(name)) = (
            inserted,
            becomes,
            used.or_else(|| words.first().and_then(word)),
        ) {
            diagnostics.push(
                Diagnostic::new(
                    Code::RuntimeValue,
                    variable_span(sources, text, span, name),
                    format!("`{name}` is a registered result, which a command run as another user does not get"),
                )
                .label("the op runs with `sudo` or `su_user`")
                .help("run the command that reads it as the script's user, or pass the value through a file the other user can read"),
            );
        }
        if let (false, Some(name)) = (inserted, used) {
            diagnostics.push(
                Diagnostic::new(
                    Code::RuntimeValue,
                    variable_span(sources, text, span, name),
                    format!("`{name}` is a registered result: a shell command inserts one field of it alone (`{{{{ {name}.stdout }}}}`), never an expression over it"),
                )
                .label("would be decided when the script is made")
                .help("test the value in the command itself (`[ {{ r.rc }} = 0 ]`), or in the op's `when`"),
            );
        }
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
    report_texts(sources, templates, arg, &texts, registered, diagnostics);
}

/// Reports each registered name read in `texts`, the text of `arg`, whose value is needed
/// when the script is made; whether there was one.
pub(super) fn report_texts(
    sources: &SourceMap,
    templates: &TemplateChecker,
    arg: &str,
    texts: &[(&str, Span)],
    registered: &[Registered],
    diagnostics: &mut Diagnostics,
) -> bool {
    let mut found = false;
    for &(text, span) in texts {
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
            found = true;
        }
    }
    found
}

/// `register` on an op that loops: each item would have a result of its own, which
/// Ansible gathers in a list (`NAME.results`); kiln keeps one result per name, so it
/// refuses rather than keep only the last item's.
pub(super) fn refuse_in_loop(globals: &OpArgs, diagnostics: &mut Diagnostics) {
    if let Some(name) = globals.get("register") {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidLoop,
                name.span,
                "`register` on an op that loops: each item would have a result of its own",
            )
            .label("one result per name; a loop has one per item")
            .help(
                "register a command outside the loop, or loop over the items in the command itself",
            ),
        );
    }
}
