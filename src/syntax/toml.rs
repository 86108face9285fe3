//! TOML front end: text to a spanned [`Value`] tree, reporting every syntax error.

use toml::de::{DeTable, DeValue};

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::Value;
use crate::source::{FileId, Span, Spanned};

/// Parses `text` into a table. On syntax errors, reports them all and returns `None`.
pub(crate) fn parse(
    file: FileId,
    text: &str,
    diagnostics: &mut Diagnostics,
) -> Option<Spanned<Value>> {
    let (root, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        let mut errors: Vec<(std::ops::Range<usize>, String)> = errors
            .iter()
            .map(|e| (e.span().unwrap_or(0..0), e.message().trim().to_owned()))
            .collect();
        // An unclosed array or inline table swallows the rest of the file, and the parser
        // reports every line of it: show one error, at the bracket that is not closed.
        let mut openers = Vec::new();
        for (range, message) in &errors {
            let bracket = if message.starts_with("unclosed array") {
                '['
            } else if message.starts_with("unclosed inline table") {
                '{'
            } else {
                continue;
            };
            if let Some(at) = open_brackets(text, range.start)
                .into_iter()
                .rev()
                .find(|&at| text[at..].starts_with(bracket))
            {
                openers.push((at, range.start));
            }
        }
        errors.retain(|(range, _)| {
            !openers
                .iter()
                .any(|&(open, end)| range.start > open && range.start < end)
        });
        for (range, message) in errors {
            let opener = openers
                .iter()
                .find(|&&(_, end)| end == range.start)
                .map(|&(open, _)| open);
            diagnostics.push(syntax_error(file, text, range, &message, opener));
        }
        return None;
    }
    let span = Span::new(file, 0..text.len());
    Some(Spanned::new(
        convert_table(file, root.get_ref(), diagnostics),
        span,
    ))
}

/// One error of the TOML parser as a diagnostic, with kiln's advice for common mistakes.
/// `opener` is where the array or inline table that an "unclosed" error is about begins.
fn syntax_error(
    file: FileId,
    text: &str,
    range: std::ops::Range<usize>,
    message: &str,
    opener: Option<usize>,
) -> Diagnostic {
    if let Some(open) = opener {
        let bracket = &text[open..open + 1];
        let close = if bracket == "[" { "]" } else { "}" };
        return Diagnostic::new(
            Code::Syntax,
            Span::new(file, open..open + 1),
            format!("invalid TOML: {message}"),
        )
        .label(format!("this `{bracket}` is never closed"))
        .help(format!(
            "add `{close}` after the last element; everything after this point was read as part of it"
        ));
    }
    let mut diagnostic = Diagnostic::new(
        Code::Syntax,
        Span::new(file, range.clone()),
        format!("invalid TOML: {message}"),
    )
    .label("here");
    if message.contains("escape") {
        // Typically a regex or a Windows path in a basic string.
        diagnostic = diagnostic.help(
            "`\\` starts an escape in a \"basic\" string: write `\\\\` for a backslash, or use a 'literal string' in single quotes, where `\\` is plain",
        );
    } else if message.starts_with("invalid basic string")
        || message.starts_with("invalid literal string")
    {
        diagnostic = diagnostic
            .label("the string is not closed on its line")
            .help("close it with its quote; a string over several lines is written between `\"\"\"` (or `'''`)");
    } else if message.starts_with("unclosed table") || message.starts_with("unclosed array table") {
        diagnostic = diagnostic.help(
            "a table header is `[name]`, or `[[name]]` for an entry of a list such as `[[op]]`",
        );
    } else if message.starts_with("unexpected key or value") {
        diagnostic = diagnostic.help("each `key = value` goes on a line of its own");
    } else if message == "duplicate key" {
        diagnostic = diagnostic.label("defined again here");
        if let Some(first) = first_definition(text, range) {
            diagnostic = diagnostic.with_label(Span::new(file, first), "first defined here");
        }
        diagnostic = diagnostic.help("a key may appear only once in a table; keep one of them");
    }
    diagnostic
}

/// The offsets of the `[` and `{` of the arrays and inline tables still open at `end`,
/// outermost first. Strings, comments and table headers are skipped.
fn open_brackets(text: &str, end: usize) -> Vec<usize> {
    let bytes = text.as_bytes();
    let end = end.min(bytes.len());
    let mut open = Vec::new();
    let mut line_start = true;
    let mut i = 0;
    while i < end {
        let b = bytes[i];
        match b {
            b'"' | b'\'' => {
                let triple = bytes[i..].starts_with(&[b; 3]);
                let quote = &bytes[i..i + if triple { 3 } else { 1 }];
                i += quote.len();
                while i < end && !bytes[i..].starts_with(quote) {
                    if !triple && bytes[i] == b'\n' {
                        break;
                    }
                    i += if b == b'"' && bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += quote.len();
                line_start = false;
                continue;
            }
            b'#' => {
                while i < end && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'\n' => line_start = true,
            b' ' | b'\t' | b'\r' => {}
            b'[' if line_start && open.is_empty() => {
                // A table header: `[name]` or `[[name]]`.
                while i < end && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'[' | b'{' => {
                open.push(i);
                line_start = false;
            }
            b']' | b'}' => {
                open.pop();
                line_start = false;
            }
            _ => line_start = false,
        }
        i += 1;
    }
    open
}

/// Where the key repeated at `duplicate` was first written: an earlier `[header]` with the
/// same name, or an earlier `key = ...` line of the same table.
fn first_definition(
    text: &str,
    duplicate: std::ops::Range<usize>,
) -> Option<std::ops::Range<usize>> {
    let key = text.get(duplicate.clone())?;
    let line_start = text
        .get(..duplicate.start)?
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let before = text.get(line_start..duplicate.start)?.trim();
    let header = before == "[" || before == "[[";
    if !header && !before.is_empty() {
        return None;
    }
    let mut next = line_start;
    for line in text[..line_start.checked_sub(1)?].split('\n').rev() {
        let offset = next - 1 - line.len();
        next = offset;
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if header {
            let Some(name) = trimmed
                .trim_end()
                .strip_prefix('[')
                .and_then(|t| t.strip_suffix(']'))
            else {
                continue;
            };
            if name.trim() == key {
                let at = offset + indent + 1 + (name.len() - name.trim_start().len());
                return Some(at..at + key.len());
            }
            continue;
        }
        if trimmed.starts_with('[') {
            // The start of this table: the key is not defined before it.
            return None;
        }
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            let at = offset + indent;
            return Some(at..at + key.len());
        }
    }
    None
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
