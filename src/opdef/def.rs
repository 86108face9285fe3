//! The shape of an operation definition.
//!
//! An operation type is declared once, as a `const OpDef`, in `src/ops/<module>/<op>.rs`.
//! Argument validation (`check`), the JSON Schema (`schema`) and the reference docs
//! (`docs/ops.md`) are all derived from that one value, so they cannot drift apart.

use crate::diagnostic::{Diagnostics, quoted_list};

use super::args::{ArgValue, OpArgs};
use super::network::Network;
use super::step::LowerFn;

/// What kind of value an argument takes. Strings are minijinja templates unless the type
/// says otherwise; validation of a templated value is deferred to bind time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgType {
    /// Any string (a template).
    Str,
    /// Shell code the user writes as shell (a command, a guard). A template whose values
    /// are inserted shell-quoted; `{{ x | safe }}` inserts a value as code.
    Shell,
    /// `true` / `false`.
    Bool,
    /// A whole number within the inclusive bounds.
    Int { min: i64, max: i64 },
    /// A file mode: octal (`"0644"`, `"755"`) or symbolic (`"u=rw,g=r,o="`). Integers are
    /// refused because `644` and `0o644` mean different things to different readers.
    Mode,
    /// An absolute path on the target host.
    Path,
    /// A path on the machine running kiln, relative to the manifest that names it.
    LocalPath,
    /// A duration: `"30s"`, `"5m"`, `"1h30m"`, `"2d"`, or a whole number of seconds.
    Duration,
    /// One of a fixed set of words.
    Enum(&'static [&'static str]),
    /// A list of values of one type; a single value is accepted as a one-element list.
    List(&'static ArgType),
    /// A table of string keys to values of one type (environment variables, options).
    Map(&'static ArgType),
    /// An `http://`, `https://` or `ftp://` URL.
    Url,
    /// A 64-digit hex SHA-256 digest.
    Sha256,
    /// A regular expression (POSIX ERE as understood by `grep -E` / `sed -E`).
    Regex,
    /// A user or group name (or numeric id).
    Account,
    /// A password hashed by crypt(3) (`$6$...`), or an account marker (`!`, `*`); never a
    /// plain-text password (see `check::password_hash`).
    PasswordHash,
}

impl ArgType {
    /// The name users see in diagnostics and docs.
    pub fn describe(&self) -> String {
        match self {
            ArgType::Str => "string".into(),
            ArgType::Shell => "shell command".into(),
            ArgType::Bool => "boolean".into(),
            ArgType::Int { .. } => "integer".into(),
            ArgType::Mode => "file mode".into(),
            ArgType::Path => "absolute path".into(),
            ArgType::LocalPath => "local path".into(),
            ArgType::Duration => "duration".into(),
            ArgType::Enum(words) => format!("one of {}", quoted_list(words)),
            ArgType::List(inner) => format!("list of {}", inner.describe()),
            ArgType::Map(inner) => format!("table of {}", inner.describe()),
            ArgType::Url => "URL".into(),
            ArgType::Sha256 => "SHA-256 hex digest".into(),
            ArgType::Regex => "regular expression".into(),
            ArgType::Account => "user or group name".into(),
            ArgType::PasswordHash => "crypt(3) password hash".into(),
        }
    }
}

/// A default value, shown in docs and the schema and used when the argument is omitted.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Default {
    Bool(bool),
    Int(i64),
    Str(&'static str),
}

impl From<Default> for ArgValue {
    fn from(value: Default) -> Self {
        match value {
            Default::Bool(b) => ArgValue::Bool(b),
            Default::Int(i) => ArgValue::Int(i),
            Default::Str(s) => ArgValue::Str(s.to_owned()),
        }
    }
}

/// Reading arguments with their definition's defaults (here rather than in `args`, which
/// knows only values, so the two files do not need each other).
impl OpArgs {
    /// A boolean argument, falling back to the op's declared default, then `false`.
    pub fn flag(&self, def: &OpDef, name: &str) -> bool {
        match self.get(name) {
            Some(v) => v.value.as_bool().unwrap_or(false),
            None => matches!(
                def.arg(name).and_then(|a| a.default),
                Some(Default::Bool(true))
            ),
        }
    }
}

/// One argument of an operation.
#[derive(Clone, Copy, Debug)]
pub struct ArgDef {
    pub name: &'static str,
    pub ty: ArgType,
    pub required: bool,
    pub default: Option<Default>,
    pub doc: &'static str,
    /// The value is sensitive (a password hash, an auth header): shown as `***` in scripts'
    /// comments, plans and reports.
    pub secret: bool,
}

impl ArgDef {
    /// An optional argument with no default.
    pub const fn new(name: &'static str, ty: ArgType, doc: &'static str) -> Self {
        ArgDef {
            name,
            ty,
            required: false,
            default: None,
            doc,
            secret: false,
        }
    }

    pub const fn required(self) -> Self {
        ArgDef {
            required: true,
            ..self
        }
    }

    pub const fn secret(self) -> Self {
        ArgDef {
            secret: true,
            ..self
        }
    }

    pub const fn default(self, value: Default) -> Self {
        ArgDef {
            default: Some(value),
            ..self
        }
    }
}

/// A constraint between arguments, checked after each argument's own type.
#[derive(Clone, Copy, Debug)]
pub enum Rule {
    /// These two may not both be given.
    Conflicts(&'static str, &'static str),
    /// At least one of these must be given.
    AnyOf(&'static [&'static str]),
    /// Exactly one of these must be given.
    OneOf(&'static [&'static str]),
    /// If the first is given, the second must be too.
    Requires(&'static str, &'static str),
    /// When the boolean `flag` is true (given, or by default), one of `args` must be given:
    /// `RequiredIf("present", &["line", "regexp"])`. Checked only if the rules listed
    /// before it found nothing.
    RequiredIf(&'static str, &'static [&'static str]),
    /// A warning (lint `unguarded-command`): the op runs every time unless one of these guards
    /// is given, so it is not idempotent.
    GuardedBy(&'static [&'static str]),
}

/// An operation type, built with [`OpDef::new`] and the builder methods below, so a
/// definition writes only what its op has: no main argument, arguments, rules, facts or
/// value checks unless it says so.
#[derive(Debug)]
pub struct OpDef {
    /// `module.op`.
    pub name: &'static str,
    /// One line, shown in `docs/ops.md` and the schema's description.
    pub summary: &'static str,
    /// The argument a KDL node's positional values fill (`apt.packages "nginx" "curl"`).
    pub main_arg: Option<&'static str>,
    pub args: &'static [ArgDef],
    pub rules: &'static [Rule],
    /// Host facts the op's lowering reads from the gathered facts (dotted names, e.g.
    /// `os.family`): a live run gathers a host's facts before making its script when an op
    /// declares some (`project::needs_facts`). An op that decides on the host as its step
    /// runs (which package manager, which init system: `k_pkg_manager`, `k_init_system`)
    /// reads no gathered fact and declares none; no built-in op reads one today.
    pub facts: &'static [&'static str],
    /// The local-path argument naming a template file the lowering renders with the op's
    /// context (`files.template`'s `src`): binding reads it to decide whether the result is
    /// secret, the project whether it reads facts.
    pub template_file: Option<&'static str>,
    /// Checks that depend on argument values and not only their types (a `line` that
    /// contains a newline can never converge). Runs only when every argument type-checked.
    pub validate: Option<ValidateFn>,
    /// Arguments the op does not take that a user coming from Ansible or pyinfra writes,
    /// each with the help that says how kiln spells it (`("tag", "the tag is part of
    /// `image`...")`): `kiln check` gives that help rather than a guess at a typo.
    pub hints: &'static [(&'static str, &'static str)],
    /// Whether its script, with the arguments as bound, reaches the network from the host:
    /// every op decides (`kiln bundle` refuses those that do).
    pub network: Network,
    /// The shell lowering.
    pub lower: LowerFn,
}

/// A check of argument values beyond their types (see [`OpDef::validate`]).
pub(crate) type ValidateFn = fn(&OpArgs, &mut Diagnostics);

impl OpDef {
    /// An op with what every op has: its name (`module.op`), its one-line summary, whether
    /// its script reaches the network, and its lowering.
    pub const fn new(
        name: &'static str,
        summary: &'static str,
        network: Network,
        lower: LowerFn,
    ) -> Self {
        OpDef {
            name,
            summary,
            main_arg: None,
            args: &[],
            rules: &[],
            facts: &[],
            template_file: None,
            validate: None,
            hints: &[],
            network,
            lower,
        }
    }

    pub const fn main_arg(self, name: &'static str) -> Self {
        OpDef {
            main_arg: Some(name),
            ..self
        }
    }

    pub const fn args(self, args: &'static [ArgDef]) -> Self {
        OpDef { args, ..self }
    }

    pub const fn rules(self, rules: &'static [Rule]) -> Self {
        OpDef { rules, ..self }
    }

    pub const fn facts(self, facts: &'static [&'static str]) -> Self {
        OpDef { facts, ..self }
    }

    pub const fn template_file(self, arg: &'static str) -> Self {
        OpDef {
            template_file: Some(arg),
            ..self
        }
    }

    pub const fn validate(self, validate: ValidateFn) -> Self {
        OpDef {
            validate: Some(validate),
            ..self
        }
    }

    pub const fn hints(self, hints: &'static [(&'static str, &'static str)]) -> Self {
        OpDef { hints, ..self }
    }

    pub fn module(&self) -> &'static str {
        self.name.split_once('.').map_or(self.name, |(m, _)| m)
    }

    pub fn arg(&self, name: &str) -> Option<&'static ArgDef> {
        self.args.iter().find(|a| a.name == name)
    }
}

/// Shorthands for the catalog, so an op definition reads like a table.
pub(crate) mod prelude {
    pub(crate) use super::super::network::{Network, reaches};
    pub(crate) use super::{ArgDef, ArgType, Default, OpDef, Rule};
    pub(crate) use ArgType::*;

    pub(crate) const STR_LIST: ArgType = ArgType::List(&ArgType::Str);
    pub(crate) const STR_MAP: ArgType = ArgType::Map(&ArgType::Str);
    pub(crate) const PORT: ArgType = ArgType::Int { min: 1, max: 65535 };
    pub(crate) const COUNT: ArgType = ArgType::Int {
        min: 0,
        max: i64::MAX,
    };

    pub(crate) const fn arg(name: &'static str, ty: ArgType, doc: &'static str) -> ArgDef {
        ArgDef::new(name, ty, doc)
    }
}

/// Seconds in `"30s"`, `"5m"`, `"1h30m"`, `"2d"`, or a bare number of seconds.
pub(crate) fn parse_duration(s: &str) -> Option<i64> {
    if let Ok(n) = s.parse::<i64>() {
        return (n >= 0).then_some(n);
    }
    let mut total: i64 = 0;
    let mut digits = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            _ => return None,
        };
        let n: i64 = digits.parse().ok()?;
        total = total.checked_add(n.checked_mul(unit)?)?;
        digits.clear();
    }
    (digits.is_empty() && !s.is_empty()).then_some(total)
}
