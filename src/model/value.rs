//! Format-neutral values, as read from TOML or KDL, before any op's schema is applied.

use crate::source::{Span, Spanned};

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    List(Vec<Spanned<Value>>),
    Table(Table),
}

impl Value {
    /// Every string inside the value, with where it was written.
    pub fn strings<'a>(&'a self, span: Span, out: &mut Vec<(&'a str, Span)>) {
        match self {
            Value::Str(s) => out.push((s, span)),
            Value::List(items) => items.iter().for_each(|i| i.value.strings(i.span, out)),
            Value::Table(entries) => entries
                .iter()
                .for_each(|(_, v)| v.value.strings(v.span, out)),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => {}
        }
    }

    /// What the value is, for "expected X, found Y" messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Bool(_) => "a boolean",
            Value::List(_) => "a list",
            Value::Table(_) => "a table",
        }
    }
}

/// An ordered table; keys keep their spans so "unknown key" can point at the key itself.
pub type Table = Vec<(Spanned<String>, Spanned<Value>)>;

/// A JSON value as a [`Value`], every part spanned with `span` (JSON from a program or the
/// command line has no finer positions). `Err` if it contains `null`, which kiln has no
/// value for.
pub fn from_json(json: serde_json::Value, span: Span) -> Result<Spanned<Value>, NullValue> {
    let value = match json {
        serde_json::Value::String(s) => Value::Str(s),
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::Array(items) => Value::List(
            items
                .into_iter()
                .map(|item| from_json(item, span))
                .collect::<Result<_, _>>()?,
        ),
        serde_json::Value::Object(map) => Value::Table(
            map.into_iter()
                .map(|(k, v)| Ok((Spanned::new(k, span), from_json(v, span)?)))
                .collect::<Result<_, _>>()?,
        ),
        serde_json::Value::Null => return Err(NullValue),
    };
    Ok(Spanned::new(value, span))
}

/// JSON `null` where a value was expected.
#[derive(Debug)]
pub struct NullValue;

/// A value as JSON, for reports and for the template engine.
pub fn to_json(value: &Value) -> serde_json::Value {
    match value {
        Value::Str(s) => serde_json::Value::from(s.as_str()),
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Float(f) => serde_json::Value::from(*f),
        Value::Bool(b) => serde_json::Value::from(*b),
        Value::List(items) => items.iter().map(|i| to_json(&i.value)).collect(),
        Value::Table(entries) => entries
            .iter()
            .map(|(k, v)| (k.value.clone(), to_json(&v.value)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
    }
}
