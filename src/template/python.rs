//! Values written into a template file as Python writes them, since Ansible's template
//! module renders with Python's Jinja2: `True`, `False`, `None`, and lists and maps as
//! Python's `repr` (`['a', 1]`, `{'k': 'v'}`). String arguments keep minijinja's
//! spelling (`true`), which is what kiln's commands and `when` translations rely on.

use minijinja::value::{Value, ValueKind};

/// The formatter of template files: Python's spelling of each value.
pub(crate) fn formatter(
    out: &mut minijinja::Output<'_>,
    state: &mut minijinja::State<'_, '_>,
    value: &Value,
) -> Result<(), minijinja::Error> {
    match value.kind() {
        ValueKind::Bool | ValueKind::None | ValueKind::Seq | ValueKind::Map => {
            out.write_str(&repr(value))?;
            Ok(())
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// Python's `repr` of `value` (its `str` at the top level for a string).
fn repr(value: &Value) -> String {
    match value.kind() {
        ValueKind::Bool if value.is_true() => "True".to_owned(),
        ValueKind::Bool => "False".to_owned(),
        ValueKind::None | ValueKind::Undefined => "None".to_owned(),
        ValueKind::String => string_repr(value.as_str().unwrap_or_default()),
        ValueKind::Seq | ValueKind::Iterable => {
            let items: Vec<String> = value
                .try_iter()
                .into_iter()
                .flatten()
                .map(|v| repr(&v))
                .collect();
            format!("[{}]", items.join(", "))
        }
        ValueKind::Map => {
            let items: Vec<String> = value
                .try_iter()
                .into_iter()
                .flatten()
                .map(|key| {
                    let item = value.get_item(&key).unwrap_or_default();
                    format!("{}: {}", repr(&key), repr(&item))
                })
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        _ => value.to_string(),
    }
}

/// A string as Python's `repr` writes it: single quotes, or double quotes when it holds a
/// single quote and no double one; backslash escapes for the rest.
fn string_repr(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_python_repr() {
        let value = Value::from(minijinja::value::Serde(
            serde_json::json!({"a": [1, "it's", true, null], "b": "x\ny"}),
        ));
        assert_eq!(
            repr(&value),
            r#"{'a': [1, "it's", True, None], 'b': 'x\ny'}"#
        );
        assert_eq!(string_repr("a'b\"c"), r#"'a\'b"c'"#);
    }
}
