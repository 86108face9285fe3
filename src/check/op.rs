//! Checking one op call against its signature: positional values, argument names and types,
//! required arguments, rules between arguments, and the op's own value checks.

use std::sync::Arc;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{OpCall, Value};
use crate::opdef::OpArgs;
use crate::opdef::{ArgType, OpDef, Rule};
use crate::ops::globals::{GLOBAL_ARGS, global_arg};
use crate::source::{SourceMap, Span, Spanned};

use super::globals::INHERITABLE;
use super::types::coerce;
use super::user_op::UserOp;

/// What an op call refers to.
#[derive(Clone, Debug)]
pub enum OpKind {
    Builtin(&'static OpDef),
    User(Arc<UserOp>),
}

impl PartialEq for OpKind {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (OpKind::Builtin(a), OpKind::Builtin(b)) => a.name == b.name,
            (OpKind::User(a), OpKind::User(b)) => a == b,
            _ => false,
        }
    }
}

impl OpKind {
    pub fn name(&self) -> &str {
        match self {
            OpKind::Builtin(def) => def.name,
            OpKind::User(op) => &op.name.value,
        }
    }

    /// The argument a KDL node's positional values fill, and labels show.
    pub fn main_arg(&self) -> Option<&str> {
        match self {
            OpKind::Builtin(def) => def.main_arg,
            OpKind::User(op) => op.params.first().map(|p| p.name.value.as_str()),
        }
    }

    /// The op's own parameters as (name, type, required).
    pub fn params(&self) -> Vec<(&str, ArgType, bool)> {
        match self {
            OpKind::Builtin(def) => def
                .args
                .iter()
                .map(|a| (a.name, a.ty, a.required))
                .collect(),
            OpKind::User(op) => op
                .params
                .iter()
                .map(|p| (p.name.value.as_str(), p.ty, p.required))
                .collect(),
        }
    }
}

/// Where an op call stands: in the op list, or as a handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Op,
    Handler,
}

/// The op's own arguments and its global arguments, typed: those that type-checked, even
/// when others did not (so their templates can still be checked).
pub struct CheckedArgs {
    pub args: OpArgs,
    pub globals: OpArgs,
    /// No error was found in this op's arguments.
    pub valid: bool,
}

/// Checks `call`'s arguments against `kind`, reporting every problem, not just the first.
pub fn check_args(
    sources: &SourceMap,
    kind: &OpKind,
    call: &OpCall,
    role: Role,
    diagnostics: &mut Diagnostics,
) -> CheckedArgs {
    let before = diagnostics.count(crate::diagnostic::Severity::Error);
    let params = kind.params();
    let mut checked = CheckedArgs {
        args: OpArgs::default(),
        globals: OpArgs::default(),
        valid: false,
    };
    let mut seen: Vec<&Spanned<String>> = Vec::new();
    // Arguments an unknown argument is probably a typo of: not reported missing as well.
    let mut misspelt: Vec<&str> = Vec::new();

    let positional_key;
    let mut named: Vec<(&Spanned<String>, Spanned<Value>)> = Vec::new();
    if let Some(first) = call.positional.first() {
        match kind.main_arg() {
            Some(main) => {
                let span = first.span.subspan(0..0);
                let whole = Span::new(
                    span.file,
                    first.span.range().start
                        ..call
                            .positional
                            .last()
                            .map_or(first.span, |l| l.span)
                            .range()
                            .end,
                );
                // The values themselves stand for the key, e.g. in "given twice".
                positional_key = Spanned::new(main.to_owned(), whole);
                let takes_list = kind
                    .params()
                    .iter()
                    .any(|(name, ty, _)| *name == main && matches!(ty, ArgType::List(_)));
                let value = if call.positional.len() == 1 {
                    first.clone()
                } else if takes_list {
                    Spanned::new(Value::List(call.positional.clone()), whole)
                } else {
                    let extra = &call.positional[1];
                    diagnostics.push(
                        Diagnostic::new(
                            Code::UnknownArgument,
                            extra.span,
                            format!("`{}` takes one positional value, its `{main}`", kind.name()),
                        )
                        .label("one value too many")
                        .help("name the other arguments: `key=value`"),
                    );
                    first.clone()
                };
                named.push((&positional_key, value));
            }
            None => diagnostics.push(
                Diagnostic::new(
                    Code::UnknownArgument,
                    first.span,
                    format!("`{}` takes no positional value", kind.name()),
                )
                .label("unnamed value")
                .help("name the argument: `key=value`"),
            ),
        }
    }
    named.extend(call.args.iter().map(|(k, v)| (k, v.clone())));

    for (key, value) in named {
        if let Some(previous) = seen.iter().find(|k| k.value == key.value) {
            diagnostics.push(
                Diagnostic::new(
                    Code::DuplicateId,
                    key.span,
                    format!("`{}` is given twice", key.value),
                )
                .label("given again here")
                .with_label(previous.span, "first given here")
                .help("keep one of them"),
            );
            continue;
        }
        seen.push(key);
        if let Some(&(name, ty, _)) = params.iter().find(|(name, _, _)| *name == key.value) {
            if let Some(typed) = coerce(sources, &ty, value, diagnostics) {
                checked.args.insert(name.to_owned(), typed);
            }
        } else if let Some(global) = global_arg(&key.value) {
            if let Some(typed) = coerce_global(sources, global, value, diagnostics) {
                checked.globals.insert(global.name.to_owned(), typed);
            }
        } else {
            let candidates = params
                .iter()
                .map(|(n, _, _)| *n)
                .chain(GLOBAL_ARGS.iter().map(|a| a.name));
            let diagnostic = Diagnostic::new(
                Code::UnknownArgument,
                key.span,
                format!("`{}` has no argument `{}`", kind.name(), key.value),
            )
            .label("unknown argument");
            // Without a likely typo, say what the op does take.
            let own: Vec<String> = params.iter().map(|(n, _, _)| format!("`{n}`")).collect();
            let takes = if own.is_empty() {
                format!("`{}` takes only the global arguments", kind.name())
            } else {
                format!(
                    "`{}` takes {} and the global arguments",
                    kind.name(),
                    own.join(", ")
                )
            };
            let suggestion = crate::diagnostic::did_you_mean(&key.value, candidates);
            misspelt.extend(suggestion);
            diagnostics.push(match suggestion {
                Some(best) => diagnostic.help(format!("did you mean `{best}`?")),
                None => diagnostic.help(format!(
                    "{takes} (`when`, `notify`, `sudo`, ...; see `kiln schema`)"
                )),
            });
        }
    }

    let given = |name: &str| seen.iter().any(|k| k.value == name);
    let kdl = crate::syntax::Format::of(&sources.file(call.kind.span.file).path)
        == Some(crate::syntax::Format::Kdl);
    for (name, _, required) in &params {
        if *required && !given(name) && !misspelt.contains(name) {
            let positional = kind.main_arg() == Some(*name);
            let how = match (kdl, positional) {
                (true, true) => format!(
                    "give it as the first value, `{} \"...\"`, or as `{name}=\"...\"`",
                    kind.name()
                ),
                (true, false) => format!("add `{name}=...`"),
                (false, _) => format!("add `{name} = ...`"),
            };
            diagnostics.push(
                Diagnostic::new(
                    Code::MissingArgument,
                    call.kind.span,
                    format!("`{}` needs `{name}`", kind.name()),
                )
                .label(format!("`{name}` is missing"))
                .help(how),
            );
        }
    }
    if let OpKind::Builtin(def) = kind {
        check_rules(def, call, role, &seen, &checked.args, diagnostics);
    }
    let errors = |diagnostics: &Diagnostics| diagnostics.count(crate::diagnostic::Severity::Error);
    if errors(diagnostics) == before
        && let OpKind::Builtin(def) = kind
        && let Some(validate) = def.validate
    {
        validate(&checked.args, diagnostics);
    }
    checked.valid = errors(diagnostics) == before;
    checked
}

fn check_rules(
    def: &OpDef,
    call: &OpCall,
    role: Role,
    seen: &[&Spanned<String>],
    args: &OpArgs,
    diagnostics: &mut Diagnostics,
) {
    let find = |name: &str| seen.iter().find(|k| k.value == name).map(|k| k.span);
    let errors_before = diagnostics.count(crate::diagnostic::Severity::Error);
    for rule in def.rules {
        match *rule {
            Rule::Conflicts(a, b) => {
                if let (Some(first), Some(second)) = (find(a), find(b)) {
                    let (earlier, later, later_name, earlier_name) = if first.start <= second.start
                    {
                        (first, second, b, a)
                    } else {
                        (second, first, a, b)
                    };
                    diagnostics.push(
                        Diagnostic::new(
                            Code::ConflictingArguments,
                            later,
                            format!("`{a}` and `{b}` cannot both be given"),
                        )
                        .label(format!("`{later_name}` conflicts with `{earlier_name}`"))
                        .with_label(earlier, format!("`{earlier_name}` given here"))
                        .help(format!("remove `{a}` or `{b}`")),
                    );
                }
            }
            Rule::AnyOf(names) | Rule::OneOf(names) => {
                let present: Vec<Span> = names.iter().filter_map(|n| find(n)).collect();
                let list = crate::diagnostic::quoted_list(names);
                if present.is_empty() {
                    diagnostics.push(
                        Diagnostic::new(
                            Code::MissingArgument,
                            call.kind.span,
                            format!("`{}` needs one of {list}", def.name),
                        )
                        .label("none given")
                        .help(format!("add {list}")),
                    );
                } else if matches!(rule, Rule::OneOf(_)) && present.len() > 1 {
                    let mut diagnostic = Diagnostic::new(
                        Code::ConflictingArguments,
                        present[1],
                        format!("only one of {list} may be given"),
                    )
                    .label("second one");
                    diagnostic = diagnostic
                        .with_label(present[0], "first one")
                        .help("keep exactly one");
                    diagnostics.push(diagnostic);
                }
            }
            Rule::Requires(a, b) => {
                if let (Some(at), None) = (find(a), find(b)) {
                    diagnostics.push(
                        Diagnostic::new(Code::MissingArgument, at, format!("`{a}` needs `{b}`"))
                            .label(format!("`{a}` given without `{b}`"))
                            .help(format!("add `{b}` or remove `{a}`")),
                    );
                }
            }
            // Only when the rules before it found nothing: a missing `line` is already the
            // missing half of `AnyOf(["line", "regexp"])`.
            Rule::RequiredIf(flag, names) => {
                let earlier = diagnostics.count(crate::diagnostic::Severity::Error) > errors_before;
                if !earlier && args.flag(def, flag) && names.iter().all(|n| find(n).is_none()) {
                    let list = crate::diagnostic::quoted_list(names);
                    let why = match find(flag) {
                        Some(_) => format!("`{flag}` is true here"),
                        None => format!("`{flag}` is true by default"),
                    };
                    diagnostics.push(
                        Diagnostic::new(
                            Code::MissingArgument,
                            call.kind.span,
                            format!("`{}` needs {list} when `{flag}` is true", def.name),
                        )
                        .label(why)
                        .help(format!("add {list}, or set `{flag} = false`")),
                    );
                }
            }
            // A handler runs only when notified: that is its guard.
            Rule::GuardedBy(_) if role == Role::Handler => {}
            Rule::GuardedBy(guards) => {
                if guards.iter().all(|g| find(g).is_none()) {
                    diagnostics.push(
                        Diagnostic::new(
                            Code::UnguardedCommand,
                            call.kind.span,
                            "this command runs on every apply",
                        )
                        .label("no guard")
                        .help(format!(
                            "add {} so a second apply changes nothing",
                            crate::diagnostic::quoted_list(guards)
                        )),
                    );
                }
            }
        }
    }
}

/// Checks the global arguments of an `include`: only the inheritable ones are allowed.
pub fn check_include_args(
    sources: &SourceMap,
    args: &crate::model::Table,
    diagnostics: &mut Diagnostics,
) -> OpArgs {
    let mut typed = OpArgs::default();
    for (key, value) in args {
        match global_arg(&key.value).filter(|g| INHERITABLE.contains(&g.name)) {
            Some(global) => {
                if let Some(v) = coerce_global(sources, global, value.clone(), diagnostics) {
                    typed.insert(global.name.to_owned(), v);
                }
            }
            None => diagnostics.push(
                Diagnostic::new(
                    Code::UnknownArgument,
                    key.span,
                    format!("an include has no argument `{}`", key.value),
                )
                .label("not allowed on an include")
                .help(format!(
                    "an include takes `vars`, `secrets` and {}",
                    crate::diagnostic::quoted_list(INHERITABLE)
                )),
            ),
        }
    }
    typed
}

/// Global arguments decide how the script runs an op, so they are known at compile time:
/// a template is allowed only where the global is itself a string (`name`, `when`, ...).
fn coerce_global(
    sources: &SourceMap,
    global: &crate::opdef::ArgDef,
    value: Spanned<Value>,
    diagnostics: &mut Diagnostics,
) -> Option<Spanned<crate::opdef::ArgValue>> {
    let typed = coerce(sources, &global.ty, value, diagnostics)?;
    let templated = matches!(typed.value, crate::opdef::ArgValue::Str(_))
        && !matches!(global.ty, ArgType::Str | ArgType::Account);
    if templated {
        diagnostics.push(
            Diagnostic::new(
                Code::WrongType,
                typed.span,
                format!("`{}` cannot be a template", global.name),
            )
            .label(format!("expected {}", global.ty.describe()))
            .help("global arguments are fixed when the manifest is compiled; use `when` to vary per host"),
        );
        return None;
    }
    Some(typed)
}
