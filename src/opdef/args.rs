//! Validated operation arguments.
//!
//! `check` turns the raw values of a manifest into [`ArgValue`]s that already satisfy the
//! argument's [`ArgType`](super::ArgType); later stages read them through [`OpArgs`]
//! and never re-validate.

use std::collections::BTreeMap;

use crate::source::{Span, Spanned};

/// A value that passed its argument's type check. Strings may still hold templates.
#[derive(Clone, Debug, PartialEq)]
pub enum ArgValue {
    Str(String),
    Bool(bool),
    Int(i64),
    List(Vec<Spanned<ArgValue>>),
    Map(Vec<(Spanned<String>, Spanned<ArgValue>)>),
}

impl ArgValue {
    /// Every string inside the value, with where it was written.
    pub fn strings<'a>(&'a self, span: Span, out: &mut Vec<(&'a str, Span)>) {
        match self {
            ArgValue::Str(s) => out.push((s, span)),
            ArgValue::List(items) => items.iter().for_each(|i| i.value.strings(i.span, out)),
            ArgValue::Map(entries) => entries
                .iter()
                .for_each(|(_, v)| v.value.strings(v.span, out)),
            ArgValue::Bool(_) | ArgValue::Int(_) => {}
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            ArgValue::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            ArgValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            ArgValue::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Spanned<ArgValue>]> {
        match self {
            ArgValue::List(items) => Some(items),
            _ => None,
        }
    }
}

/// The arguments given to one op, by name. Ordered by name so that the same op written in
/// TOML and in KDL compares equal.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OpArgs {
    given: BTreeMap<String, Spanned<ArgValue>>,
}

impl OpArgs {
    /// Whether a string inside any argument is still a template (`{{`): a check of the
    /// values as written must then wait for the lowering, which sees them rendered.
    pub fn any_template(&self) -> bool {
        let mut strings = Vec::new();
        for (_, value) in self.iter() {
            value.value.strings(value.span, &mut strings);
        }
        strings.iter().any(|(s, _)| s.contains("{{"))
    }

    pub fn insert(&mut self, name: String, value: Spanned<ArgValue>) {
        self.given.insert(name, value);
    }

    pub fn get(&self, name: &str) -> Option<&Spanned<ArgValue>> {
        self.given.get(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.given.contains_key(name)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Spanned<ArgValue>)> {
        self.given.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(|v| v.value.as_str())
    }
}
