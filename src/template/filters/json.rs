//! `to_json`, `to_nice_json` and `from_json`, as Python's `json` writes and reads (which is
//! what Ansible calls): `, ` and `: ` between items, non-ASCII characters as `\uXXXX`;
//! `to_nice_json` indents by 4 and sorts keys, with `,` at line ends.

use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error};
use serde_json::Value as Json;

use super::data::json;
use super::invalid;

pub(super) fn add(env: &mut Environment<'static>) {
    env.add_filter("to_json", |value: Value, kwargs: Kwargs| {
        let indent = kwargs.get::<Option<usize>>("indent")?;
        let sort_keys = kwargs.get::<Option<bool>>("sort_keys")?.unwrap_or(false);
        kwargs.assert_all_used()?;
        dumps(&value, indent, sort_keys)
    });
    env.add_filter("to_nice_json", |value: Value, kwargs: Kwargs| {
        let indent = kwargs.get::<Option<usize>>("indent")?.unwrap_or(4);
        let sort_keys = kwargs.get::<Option<bool>>("sort_keys")?.unwrap_or(true);
        kwargs.assert_all_used()?;
        dumps(&value, Some(indent), sort_keys)
    });
    env.add_filter("from_json", |text: String| -> Result<Value, Error> {
        let parsed: Json =
            serde_json::from_str(&text).map_err(|error| invalid(format!("from_json: {error}")))?;
        Ok(Value::from(minijinja::value::Serde(&parsed)))
    });
}

/// `json.dumps(value, indent=indent, sort_keys=sort_keys)`; with an indent, items end in
/// `,` without a space (Ansible passes `separators=(',', ': ')`, Python's default then).
fn dumps(value: &Value, indent: Option<usize>, sort_keys: bool) -> Result<String, Error> {
    let mut out = String::new();
    write(&json(value)?, indent, sort_keys, 0, &mut out);
    Ok(out)
}

fn write(value: &Json, indent: Option<usize>, sort_keys: bool, depth: usize, out: &mut String) {
    let (open, close, items): (char, char, Vec<(Option<&str>, &Json)>) = match value {
        Json::Array(items) => ('[', ']', items.iter().map(|v| (None, v)).collect()),
        Json::Object(map) => {
            let mut entries: Vec<(Option<&str>, &Json)> =
                map.iter().map(|(k, v)| (Some(k.as_str()), v)).collect();
            if sort_keys {
                entries.sort_by(|a, b| a.0.cmp(&b.0));
            }
            ('{', '}', entries)
        }
        Json::String(text) => return string(text, out),
        // Numbers, booleans and null are written as Python writes them.
        other => return out.push_str(&other.to_string()),
    };
    out.push(open);
    if items.is_empty() {
        out.push(close);
        return;
    }
    let newline = |depth: usize, out: &mut String| {
        if let Some(width) = indent {
            out.push('\n');
            out.push_str(&" ".repeat(width * depth));
        }
    };
    for (i, (key, item)) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(if indent.is_some() { "," } else { ", " });
        }
        newline(depth + 1, out);
        if let Some(key) = key {
            string(key, out);
            out.push_str(": ");
        }
        write(item, indent, sort_keys, depth + 1, out);
    }
    newline(depth, out);
    out.push(close);
}

/// A JSON string as Python writes it with `ensure_ascii`.
fn string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_python_writes_it() {
        let value = Value::from(minijinja::value::Serde(
            &serde_json::json!({"b": [1, "é\n"], "a": {}, "c": true}),
        ));
        assert_eq!(
            dumps(&value, None, false).unwrap(),
            r#"{"b": [1, "\u00e9\n"], "a": {}, "c": true}"#
        );
        assert_eq!(
            dumps(&value, Some(4), true).unwrap(),
            "{\n    \"a\": {},\n    \"b\": [\n        1,\n        \"\\u00e9\\n\"\n    ],\n    \"c\": true\n}"
        );
    }
}
