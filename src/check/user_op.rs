//! User-defined operations (`define`): parameters, a probe and an apply command, written in
//! a manifest instead of Rust.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{Define, Param};
use crate::opdef::ArgType;
use crate::opdef::ArgValue;
use crate::source::{SourceMap, Spanned};

use super::types::coerce;

/// Parameter type names a `define` may use.
const PARAM_TYPES: &[(&str, ArgType)] = &[
    ("string", ArgType::Str),
    ("bool", ArgType::Bool),
    (
        "int",
        ArgType::Int {
            min: i64::MIN,
            max: i64::MAX,
        },
    ),
    ("path", ArgType::Path),
    ("mode", ArgType::Mode),
    ("duration", ArgType::Duration),
    ("url", ArgType::Url),
    ("list", ArgType::List(&ArgType::Str)),
    ("map", ArgType::Map(&ArgType::Str)),
];

#[derive(Clone, Debug, PartialEq)]
pub struct UserOp {
    pub name: Spanned<String>,
    pub summary: Option<Spanned<String>>,
    pub params: Vec<UserParam>,
    pub probe: Option<Spanned<String>>,
    pub apply: Spanned<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct UserParam {
    pub name: Spanned<String>,
    pub ty: ArgType,
    pub required: bool,
    pub default: Option<Spanned<ArgValue>>,
}

/// Checks a `define` and turns it into a [`UserOp`]. The probe and apply templates are
/// checked by the caller, which knows the variables in scope.
pub fn user_op(
    sources: &SourceMap,
    define: &Define,
    diagnostics: &mut Diagnostics,
) -> Option<UserOp> {
    let name = &define.name;
    if !valid_name(name, diagnostics) {
        return None;
    }
    let params = define
        .params
        .iter()
        .map(|param| user_param(sources, param, diagnostics))
        .collect();
    if define.probe.is_none() {
        diagnostics.push(
            Diagnostic::new(
                Code::UnguardedCommand,
                name.span,
                format!("`{}` has no probe, so it runs on every apply", name.value),
            )
            .label("no `probe`")
            .help("add `probe`: a command that succeeds when the desired state already holds"),
        );
    }
    Some(UserOp {
        name: name.clone(),
        summary: define.summary.clone(),
        params,
        probe: define.probe.clone(),
        apply: define.apply.clone(),
    })
}

/// Whether `name` is `module.op` and not a built-in op's; reports it if not.
fn valid_name(name: &Spanned<String>, diagnostics: &mut Diagnostics) -> bool {
    if !name.value.contains('.') || name.value.starts_with('.') || name.value.ends_with('.') {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                name.span,
                format!("`{}` is not a `module.op` name", name.value),
            )
            .label("needs a module prefix")
            .help(format!(
                "name it like `site.{}`",
                name.value.trim_matches('.')
            )),
        );
        return false;
    }
    if crate::ops::lookup(&name.value).is_some() {
        diagnostics.push(
            Diagnostic::new(
                Code::DuplicateId,
                name.span,
                format!("`{}` is a built-in op", name.value),
            )
            .label("would hide the built-in")
            .help("choose another module name for your own ops, e.g. `site.`"),
        );
        return false;
    }
    true
}

/// One parameter of a `define`: its type, and its default checked against it.
fn user_param(sources: &SourceMap, param: &Param, diagnostics: &mut Diagnostics) -> UserParam {
    let ty = param
        .ty
        .as_ref()
        .map_or(ArgType::Str, |ty| param_type(ty, diagnostics));
    // A default of the wrong type is reported and dropped; the op itself stays usable.
    let default = param
        .default
        .as_ref()
        .and_then(|value| coerce(sources, &ty, value.clone(), diagnostics));
    if param.required && default.is_some() {
        diagnostics.push(
            Diagnostic::new(
                Code::ConflictingArguments,
                param.name.span,
                "a required parameter cannot have a default",
            )
            .label("required, with a default")
            .help("drop `required`, or drop the default"),
        );
    }
    UserParam {
        name: param.name.clone(),
        ty,
        // A parameter with a default is never missing (the conflict is reported above).
        required: param.required && default.is_none(),
        default,
    }
}

/// The type a parameter's type name stands for. An unknown name is reported, and the
/// parameter kept as a string, so calls of the op are not reported for using it.
fn param_type(ty: &Spanned<String>, diagnostics: &mut Diagnostics) -> ArgType {
    if let Some((_, t)) = PARAM_TYPES.iter().find(|(n, _)| *n == ty.value) {
        return *t;
    }
    let names = PARAM_TYPES.iter().map(|(n, _)| *n);
    let diagnostic = Diagnostic::new(
        Code::InvalidValue,
        ty.span,
        format!("unknown parameter type `{}`", ty.value),
    )
    .label("not a type");
    let help = crate::diagnostic::quoted_list(&names.clone().collect::<Vec<_>>());
    diagnostics.push(match crate::diagnostic::did_you_mean(&ty.value, names) {
        Some(best) => diagnostic.help(format!("did you mean `{best}`?")),
        None => diagnostic.help(format!("types are {help}")),
    });
    ArgType::Str
}
