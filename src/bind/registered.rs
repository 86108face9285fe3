//! Registered results on the host (`register = "NAME"`): which names an op sees, what their
//! fields are, and how a condition or a command reads them.
//!
//! A result is kept by the step of the op that registered it, in shell variables named
//! after that op's index (`k_register_3_stdout`, `runtime::call::registered`), never after
//! the name: a name is never written into shell, and a value never into the script. An op
//! sees the names registered by the ops before it (a name registered twice is the later
//! op's, as Ansible overwrites it; a handler sees every op's and the earlier handlers');
//! its `changed_when` and `failed_when` see its own too. Conditions read them through the
//! `when` translator ([`HostValue`]); a shell command through `{{ NAME.FIELD }}`, which
//! renders to the variable, double-quoted ([`shell_context`]).

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crate::check::{Compiled, TypedOp, registered::is_command};
use crate::facts::{FactType, fact_type};
use crate::runtime::call::{self, Index};
use crate::shell::Sh;

/// An op that registers a result: its index in the script, and whether it is a command.
#[derive(Clone, Copy, Debug)]
pub struct Registration {
    pub index: Index,
    pub command: bool,
}

/// The fields of a result: name, type (a boolean is the integer 0 or 1, which minijinja
/// compares equal to `false` and `true`), and whether only a command's result has it.
const FIELDS: &[(&str, FactType, bool)] = &[
    ("changed", FactType::Int, false),
    ("failed", FactType::Int, false),
    ("skipped", FactType::Int, false),
    ("rc", FactType::Int, true),
    ("stdout", FactType::Str, true),
    ("stderr", FactType::Str, true),
];

/// A value only the host knows: a gathered fact, or a field of a registered result.
#[derive(Clone, Debug)]
pub enum HostValue {
    Fact(String),
    Registered {
        name: String,
        field: &'static str,
        at: Registration,
    },
}

impl HostValue {
    /// The value as one word.
    pub fn word(&self) -> Sh {
        match self {
            HostValue::Fact(path) => call::fact(path),
            HostValue::Registered { field, at, .. } => call::registered(at.index, field),
        }
    }

    /// The test that the host has the value, when it may not: a fact not every host has; a
    /// command's exit status or output, which a skipped command has not.
    pub fn need(&self) -> Option<Sh> {
        match self {
            HostValue::Fact(path) => fact_type(path)
                .is_some_and(|(_, always)| !always)
                .then(|| call::fact_need(path)),
            HostValue::Registered { field, at, .. } => FIELDS
                .iter()
                .any(|(name, _, output)| name == field && *output)
                .then(|| call::registered_ran(at.index)),
        }
    }
}

impl fmt::Display for HostValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostValue::Fact(path) => write!(f, "facts.{path}"),
            HostValue::Registered { name, field, .. } => write!(f, "{name}.{field}"),
        }
    }
}

/// `NAME.FIELD` of the result registered at `at`, and its type.
pub fn field(name: &str, field: &str, at: Registration) -> Result<(HostValue, FactType), String> {
    let found = FIELDS.iter().find(|(f, _, _)| *f == field);
    match found {
        Some((field, ty, output)) if at.command || !output => Ok((
            HostValue::Registered {
                name: name.to_owned(),
                field,
                at,
            },
            *ty,
        )),
        Some(_) => Err(format!(
            "`{name}.{field}` exists only for commands: `{name}` is registered by an op that is not one"
        )),
        None => Err(format!(
            "`{name}.{field}` is not a field of a registered result (changed, failed, skipped; for commands rc, stdout, stderr)"
        )),
    }
}

/// `NAME is TEST` (Ansible's tests of a result): the field it reads, and whether the test
/// is its negation (`succeeded` is `not failed`).
pub fn test(name: &str, test: &str, at: Registration) -> Result<(HostValue, bool), String> {
    let (read, negate) = match test {
        "changed" | "change" => ("changed", false),
        "failed" | "failure" => ("failed", false),
        "succeeded" | "success" => ("failed", true),
        "skipped" | "skip" => ("skipped", false),
        _ => {
            return Err(format!(
                "`{name} is {test}` is not supported: the tests of a registered result are changed, failed, succeeded and skipped"
            ));
        }
    };
    Ok((field(name, read, at)?.0, negate))
}

/// Which ops register which names, to tell each op the names it sees.
pub struct Registrations<'c> {
    /// Each op's and handler's place (ops first), by address.
    places: HashMap<*const TypedOp, usize>,
    /// The ops that register a result, in order: place, name, registration.
    registers: Vec<(usize, &'c str, Registration)>,
}

impl<'c> Registrations<'c> {
    pub fn new(compiled: &'c Compiled) -> Self {
        let ops = compiled.ops.iter().enumerate();
        let ops = ops.map(|(i, op)| (Index::Op(i + 1), op));
        let handlers = compiled.handlers.iter().enumerate();
        let handlers = handlers.map(|(i, op)| (Index::Handler(i + 1), op));
        let registers: Vec<_> = ops
            .chain(handlers)
            .enumerate()
            .filter_map(|(place, (index, op))| {
                let name = op.globals.register.as_ref()?;
                let command = is_command(&op.kind);
                Some((place, name.value.as_str(), Registration { index, command }))
            })
            .collect();
        // Only a manifest that registers needs to know where each op is.
        let places = if registers.is_empty() {
            HashMap::new()
        } else {
            compiled
                .ops
                .iter()
                .chain(&compiled.handlers)
                .enumerate()
                .map(|(place, op)| (std::ptr::from_ref(op), place))
                .collect()
        };
        Registrations { places, registers }
    }

    /// The names `op` sees (with `own`, its own result too), each the latest registration.
    pub fn visible(&self, op: &TypedOp, own: bool) -> HashMap<String, Registration> {
        let Some(&place) = self.places.get(&std::ptr::from_ref(op)) else {
            return HashMap::new();
        };
        self.registers
            .iter()
            .filter(|(at, _, _)| *at < place || (own && *at == place))
            .map(|(_, name, registration)| ((*name).to_owned(), *registration))
            .collect()
    }
}

/// The names `visible` as a shell command's template sees them: each field the variable
/// that holds it, double-quoted and marked safe, so the shell environment writes it as it
/// is (`"${k_register_3_stdout-}"`): the shell expands it where the command runs.
pub fn shell_context(visible: &HashMap<String, Registration>) -> minijinja::Value {
    let results: BTreeMap<&str, minijinja::Value> = visible
        .iter()
        .map(|(name, at)| {
            let fields: BTreeMap<&str, minijinja::Value> = FIELDS
                .iter()
                .filter(|(_, _, output)| at.command || !output)
                .map(|(field, _, _)| {
                    let word = call::registered(at.index, field);
                    (
                        *field,
                        minijinja::Value::from_safe_string(word.text().to_owned()),
                    )
                })
                .collect();
            (name.as_str(), minijinja::Value::from(fields))
        })
        .collect();
    minijinja::Value::from(results)
}
