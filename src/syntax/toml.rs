//! TOML front end: text to a spanned [`Value`] tree, reporting every syntax error.

use toml::de::{DeTable, DeValue};

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::Value;
use crate::source::{FileId, Span, Spanned};

/// Parses `text` into a table. On syntax errors, reports them all and returns `None`.
pub fn parse(file: FileId, text: &str, diagnostics: &mut Diagnostics) -> Option<Spanned<Value>> {
    let (root, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        for error in errors {
            let range = error.span().unwrap_or(0..0);
            let message = error.message().trim().to_owned();
            diagnostics.push(
                Diagnostic::new(
                    Code::Syntax,
                    Span::new(file, range),
                    format!("invalid TOML: {message}"),
                )
                .label("here"),
            );
        }
        return None;
    }
    let span = Span::new(file, 0..text.len());
    Some(Spanned::new(
        convert_table(file, root.get_ref(), diagnostics),
        span,
    ))
}

fn convert_table(file: FileId, table: &DeTable<'_>, diagnostics: &mut Diagnostics) -> Value {
    Value::Table(
        table
            .iter()
            .map(|(key, value)| {
                let key = Spanned::new(key.get_ref().to_string(), Span::new(file, key.span()));
                (key, convert(file, value, diagnostics))
            })
            .collect(),
    )
}

fn convert(
    file: FileId,
    value: &toml::Spanned<DeValue<'_>>,
    diagnostics: &mut Diagnostics,
) -> Spanned<Value> {
    let span = Span::new(file, value.span());
    let converted = match value.get_ref() {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => {
            let digits = i.as_str().replace('_', "");
            match i64::from_str_radix(&digits, i.radix()) {
                Ok(n) => Value::Int(n),
                Err(_) => {
                    diagnostics.push(
                        Diagnostic::new(Code::InvalidValue, span, "integer out of range")
                            .label("does not fit in 64 bits"),
                    );
                    Value::Int(0)
                }
            }
        }
        DeValue::Float(f) => Value::Float(f.as_str().replace('_', "").parse().unwrap_or(f64::NAN)),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(_) => {
            diagnostics.push(
                Diagnostic::new(Code::WrongType, span, "dates and times are not supported")
                    .label("a TOML date-time")
                    .help("quote it to use it as a string"),
            );
            Value::Str(String::new())
        }
        DeValue::Array(items) => Value::List(
            items
                .iter()
                .map(|item| convert(file, item, diagnostics))
                .collect(),
        ),
        DeValue::Table(table) => convert_table(file, table, diagnostics),
    };
    Spanned::new(converted, span)
}
