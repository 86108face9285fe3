//! Checking one op call against its signature: positional values, argument names and types,
//! required arguments, rules between arguments, and the op's own value checks.

use std::sync::Arc;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{OpCall, Value};
use crate::opdef::OpArgs;
use crate::opdef::{ArgType, OpDef};
use crate::ops::globals::{GLOBAL_ARGS, global_arg};
use crate::source::{SourceMap, Span, Spanned};

use super::globals::INHERITABLE;
use super::rules::Role;
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

    /// The argument naming a template file the op renders (`OpDef::template_file`).
    pub fn template_file(&self) -> Option<&'static str> {
        match self {
            OpKind::Builtin(def) => def.template_file,
            OpKind::User(_) => None,
        }
    }

    /// The argument a KDL node's positional values fill, and labels show.
    pub fn main_arg(&self) -> Option<&str> {
        match self {
            OpKind::Builtin(def) => def.main_arg,
            OpKind::User(op) => op.params.first().map(|p| p.name.value.as_str()),
        }
    }

    /// The help for an argument the op does not take but its Ansible or pyinfra
    /// counterpart does (`OpDef::hints`).
    fn hint(&self, arg: &str) -> Option<&'static str> {
        match self {
            OpKind::Builtin(def) => def.hints.iter().find(|(a, _)| *a == arg).map(|(_, h)| *h),
            OpKind::User(_) => None,
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

/// The op's own arguments and its global arguments, typed: those that type-checked, even
/// when others did not (so their templates can still be checked).
pub struct CheckedArgs {
    pub args: OpArgs,
    pub globals: OpArgs,
    /// The loop arguments as written (`super::loops`).
    pub loop_args: crate::model::Table,
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
    let mut checked = CheckedArgs {
        args: OpArgs::default(),
        globals: OpArgs::default(),
        loop_args: Vec::new(),
        valid: false,
    };
    let positional = positional(kind, call, diagnostics);
    let named = positional
        .iter()
        .map(|(key, value)| (key, value.clone()))
        .chain(call.args.iter().map(|(k, v)| (k, v.clone())));
    let given = check_named(sources, kind, named, &mut checked, diagnostics);
    check_required(sources, kind, call, &given, diagnostics);
    if let OpKind::Builtin(def) = kind {
        super::rules::check_rules(def, call, role, &given.seen, &checked.args, diagnostics);
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

/// The positional values as the argument they fill (`main_arg`), keyed by the span of the
/// values themselves (so "given twice" points at them); `None`, reported, when the op
/// takes none.
fn positional(
    kind: &OpKind,
    call: &OpCall,
    diagnostics: &mut Diagnostics,
) -> Option<(Spanned<String>, Spanned<Value>)> {
    let first = call.positional.first()?;
    let Some(main) = kind.main_arg() else {
        diagnostics.push(
            Diagnostic::new(
                Code::UnknownArgument,
                first.span,
                format!("`{}` takes no positional value", kind.name()),
            )
            .label("unnamed value")
            .help("name the argument: `key=value`"),
        );
        return None;
    };
    let last = call.positional.last().map_or(first.span, |l| l.span);
    let whole = Span::new(first.span.file, first.span.range().start..last.range().end);
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
    Some((Spanned::new(main.to_owned(), whole), value))
}

/// The argument names an op call gave, and the unknown ones' likely intended names.
struct Given<'a> {
    seen: Vec<&'a Spanned<String>>,
    /// Arguments an unknown argument is probably a typo of: not reported missing as well.
    misspelt: Vec<&'a str>,
}

/// Types each named argument into `checked` (the op's own, or a global one), reporting
/// arguments given twice and unknown ones.
fn check_named<'a>(
    sources: &SourceMap,
    kind: &'a OpKind,
    named: impl Iterator<Item = (&'a Spanned<String>, Spanned<Value>)>,
    checked: &mut CheckedArgs,
    diagnostics: &mut Diagnostics,
) -> Given<'a> {
    let params = kind.params();
    let mut given = Given {
        seen: Vec::new(),
        misspelt: Vec::new(),
    };
    for (key, value) in named {
        if let Some(previous) = given.seen.iter().find(|k| k.value == key.value) {
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
        given.seen.push(key);
        if let Some(&(name, ty, _)) = params.iter().find(|(name, _, _)| *name == key.value) {
            if let Some(typed) = coerce(sources, &ty, value, diagnostics) {
                checked.args.insert(name.to_owned(), typed);
            }
        } else if super::loops::is_loop_arg(&key.value) {
            checked.loop_args.push((key.clone(), value));
        } else if let Some(global) = global_arg(&key.value) {
            if let Some(typed) = coerce_global(sources, global, value, diagnostics) {
                checked.globals.insert(global.name.to_owned(), typed);
            }
        } else {
            given
                .misspelt
                .extend(unknown_argument(kind, &params, key, diagnostics));
        }
    }
    given
}

/// Reports an argument `kind` does not take, with the argument it is likely a typo of
/// (returned), else what the op does take.
fn unknown_argument<'a>(
    kind: &OpKind,
    params: &[(&'a str, ArgType, bool)],
    key: &Spanned<String>,
    diagnostics: &mut Diagnostics,
) -> Option<&'a str> {
    let candidates = params
        .iter()
        .map(|(n, _, _)| *n)
        .chain(GLOBAL_ARGS.iter().map(|a| a.name))
        .chain(super::loops::LOOP_ARGS.iter().copied());
    let diagnostic = Diagnostic::new(
        Code::UnknownArgument,
        key.span,
        format!("`{}` has no argument `{}`", kind.name(), key.value),
    )
    .label("unknown argument");
    if let Some(help) = kind.hint(&key.value) {
        diagnostics.push(diagnostic.help(help));
        return None;
    }
    let has = |arg: &str| params.iter().any(|(n, _, _)| *n == arg);
    if key.value == "state" && has("present") {
        // Ansible's `state: present|absent` (and `latest`) is spelt with kiln's booleans.
        let latest = if has("latest") {
            ", and `latest = true` for `state: latest`"
        } else {
            ""
        };
        diagnostics.push(diagnostic.help(format!(
            "kiln says `present = false` where Ansible says `state: absent` (`present = true`, the default, for `state: present`){latest}"
        )));
        return None;
    }
    let suggestion = crate::diagnostic::did_you_mean(&key.value, candidates);
    diagnostics.push(match suggestion {
        Some(best) => diagnostic.help(format!("did you mean `{best}`?")),
        None => {
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
            diagnostic.help(format!(
                "{takes} (`when`, `notify`, `sudo`, ...; see `kiln schema`)"
            ))
        }
    });
    suggestion
}

/// Reports each required argument that was not given (nor misspelt), saying how to give
/// it in the manifest's own syntax.
fn check_required(
    sources: &SourceMap,
    kind: &OpKind,
    call: &OpCall,
    given: &Given,
    diagnostics: &mut Diagnostics,
) {
    let kdl = crate::syntax::Format::of(&sources.file(call.kind.span.file).path)
        == Some(crate::syntax::Format::Kdl);
    for (name, _, required) in kind.params() {
        if !required || given.seen.iter().any(|k| k.value == name) || given.misspelt.contains(&name)
        {
            continue;
        }
        let positional = kind.main_arg() == Some(name);
        let how = match (kdl, positional) {
            (true, true) => format!(
                "give it as the first value, `{} \"...\"`, or as `{name}=\"...\"`",
                kind.name()
            ),
            (true, false) => format!("add `{name}=...`"),
            (false, _) => format!("add `{name} = ...`"),
        };
        // Ansible names the object an op manages `name`, which in kiln is the op's
        // description: say so to whoever wrote it for the object.
        let how = if positional && given.seen.iter().any(|k| k.value == "name") {
            format!("{how}: `name` is every op's description in kiln, not the {name} it manages")
        } else {
            how
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
            None => {
                let takes: Vec<&str> = INHERITABLE
                    .iter()
                    .chain(super::loops::LOOP_ARGS)
                    .copied()
                    .collect();
                diagnostics.push(
                    Diagnostic::new(
                        Code::UnknownArgument,
                        key.span,
                        format!("an include has no argument `{}`", key.value),
                    )
                    .label("not allowed on an include")
                    .help(format!(
                        "an include takes `vars`, `secrets` and {}",
                        crate::diagnostic::quoted_list(&takes)
                    )),
                );
            }
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
