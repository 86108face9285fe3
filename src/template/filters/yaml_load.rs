//! `from_yaml`, as Ansible reads YAML (PyYAML's safe loader): YAML 1.1's implicit types, so
//! an unquoted `yes` is true, `0755` is 493 and `~` is none. `saphyr-parser` reads the
//! syntax and says how each scalar was written; the types are PyYAML's resolvers'
//! (`resolves_to_string` of the writer holds the patterns). Merge keys (`<<`), infinities
//! and several documents are refused.

use std::collections::HashMap;

use minijinja::value::Value;
use minijinja::{Environment, Error};
use saphyr_parser::{Event, Parser, ScalarStyle};
use serde_json::{Map, Number, Value as Json};

use super::invalid;

pub(super) fn add(env: &mut Environment<'static>) {
    env.add_filter("from_yaml", |text: String| -> Result<Value, Error> {
        Ok(Value::from(minijinja::value::Serde(&load(&text)?)))
    });
}

fn syntax(error: impl std::fmt::Display) -> Error {
    invalid(format!("from_yaml: {error}"))
}

/// The one document of `text` (none when there is none).
fn load(text: &str) -> Result<Json, Error> {
    let mut reader = Reader {
        events: Parser::new_from_str(text),
        anchors: HashMap::new(),
    };
    let mut document = None;
    loop {
        match reader.next()? {
            Event::StreamEnd => return Ok(document.unwrap_or(Json::Null)),
            Event::DocumentStart(_) if document.is_some() => {
                return Err(invalid("from_yaml: the text holds more than one document"));
            }
            Event::DocumentStart(_) => {
                let first = reader.next()?;
                document = Some(reader.node(first)?);
            }
            _ => {}
        }
    }
}

struct Reader<'a> {
    events: Parser<'a, saphyr_parser::StrInput<'a>>,
    anchors: HashMap<usize, Json>,
}

impl<'a> Reader<'a> {
    fn next(&mut self) -> Result<Event<'a>, Error> {
        match self.events.next_event() {
            Some(Ok((event, _))) => Ok(event),
            Some(Err(error)) => Err(syntax(error)),
            None => Ok(Event::StreamEnd),
        }
    }

    /// The node that starts with `event`.
    fn node(&mut self, event: Event<'a>) -> Result<Json, Error> {
        let (value, anchor) = match event {
            Event::Alias(id) => {
                return self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| syntax("an unknown alias"));
            }
            Event::Scalar(text, style, anchor, tag) => {
                // `!!int` is the core schema's `int`; another tag keeps its handle.
                let tag = tag.map(|tag| {
                    if tag.is_yaml_core_schema() {
                        tag.suffix.clone()
                    } else {
                        format!("{}{}", tag.handle, tag.suffix)
                    }
                });
                (scalar(&text, style, tag.as_deref())?, anchor)
            }
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                loop {
                    match self.next()? {
                        Event::SequenceEnd => break,
                        event => items.push(self.node(event)?),
                    }
                }
                (Json::Array(items), anchor)
            }
            Event::MappingStart(anchor, _) => {
                let mut map = Map::new();
                loop {
                    let key = match self.next()? {
                        Event::MappingEnd => break,
                        Event::Scalar(text, ScalarStyle::Plain, _, None) if text == "<<" => {
                            return Err(invalid("from_yaml: merge keys (`<<`) are not supported"));
                        }
                        event => match self.node(event)? {
                            Json::String(key) => key,
                            Json::Array(_) | Json::Object(_) => {
                                return Err(invalid("from_yaml: a key must be a scalar"));
                            }
                            other => other.to_string(),
                        },
                    };
                    let event = self.next()?;
                    map.insert(key, self.node(event)?);
                }
                (Json::Object(map), anchor)
            }
            other => return Err(syntax(format!("unexpected {other:?}"))),
        };
        if anchor != 0 {
            self.anchors.insert(anchor, value.clone());
        }
        Ok(value)
    }
}

/// A scalar's value: a quoted or block scalar is text; a plain one is typed by YAML 1.1's
/// rules; a tag (`!!str`, `!!int`, ...) decides for itself.
fn scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Result<Json, Error> {
    match tag {
        None if style != ScalarStyle::Plain => Ok(Json::String(text.to_owned())),
        None => Ok(implicit(text)?.unwrap_or_else(|| Json::String(text.to_owned()))),
        Some("str") => Ok(Json::String(text.to_owned())),
        Some(kind @ ("int" | "float" | "bool" | "null")) => implicit(text)?
            .filter(|value| matches_tag(value, kind))
            .ok_or_else(|| invalid(format!("from_yaml: `{text}` is not a !!{kind}"))),
        Some(other) => Err(invalid(format!(
            "from_yaml: the tag !!{other} is not supported"
        ))),
    }
}

fn matches_tag(value: &Json, kind: &str) -> bool {
    match value {
        Json::Null => kind == "null",
        Json::Bool(_) => kind == "bool",
        Json::Number(n) if n.is_f64() => kind == "float",
        Json::Number(_) => kind == "int" || kind == "float",
        _ => false,
    }
}

/// The value of a plain scalar that is not text (none when it is text).
fn implicit(text: &str) -> Result<Option<Json>, Error> {
    Ok(Some(match text {
        "" | "~" | "null" | "Null" | "NULL" => Json::Null,
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Json::Bool(true),
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Json::Bool(false)
        }
        _ if super::yaml::resolves_to_string(text) => return Ok(None),
        _ => match number(text) {
            Some(number) => Json::Number(number),
            None if ["inf", "nan"]
                .iter()
                .any(|end| text.to_lowercase().ends_with(end)) =>
            {
                return Err(invalid(format!(
                    "from_yaml: `{text}` (infinity or not a number) has no JSON value"
                )));
            }
            // A timestamp: PyYAML's date, which prints as written for a date.
            None => Json::String(text.to_owned()),
        },
    }))
}

/// An int (binary, octal, decimal, hex, base 60) or float, as YAML 1.1 writes them.
fn number(text: &str) -> Option<Number> {
    let clean: String = text.chars().filter(|c| *c != '_').collect();
    let (negative, digits) = match clean.as_bytes().first()? {
        b'-' => (true, &clean[1..]),
        b'+' => (false, &clean[1..]),
        _ => (false, clean.as_str()),
    };
    let sign: i32 = if negative { -1 } else { 1 };
    let float = digits.contains('.') || (digits.contains(['e', 'E']) && !digits.starts_with("0x"));
    if float && !digits.contains(':') {
        return Number::from_f64(digits.parse::<f64>().ok()? * f64::from(sign));
    }
    let int = |radix| i64::from_str_radix(digits.get(2..)?, radix).ok();
    let value = if let Some(parts) = digits.contains(':').then(|| digits.split(':')) {
        let mut total = 0.0;
        for part in parts {
            total = total * 60.0 + part.parse::<f64>().ok()?;
        }
        return if float {
            Number::from_f64(total * f64::from(sign))
        } else {
            Some(Number::from(i64::from(sign) * total as i64))
        };
    } else if digits.starts_with("0b") {
        int(2)?
    } else if digits.starts_with("0x") {
        int(16)?
    } else if digits.len() > 1 && digits.starts_with('0') {
        i64::from_str_radix(&digits[1..], 8).ok()?
    } else {
        digits.parse().ok()?
    };
    Some(Number::from(i64::from(sign) * value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_pyyaml_reads_it() {
        let text = "a: yes\nb: '0755'\nc: 0755\nd: [1_000, 0x1f, 1:20, 1.5, ~]\ne: &x {k: v}\nf: *x\ng: !!str 12\nh: \"on\"\n";
        assert_eq!(
            load(text).unwrap(),
            serde_json::json!({
                "a": true, "b": "0755", "c": 493, "d": [1000, 31, 80, 1.5, null],
                "e": {"k": "v"}, "f": {"k": "v"}, "g": "12", "h": "on"
            })
        );
        assert_eq!(load("").unwrap(), Json::Null);
        assert!(load("a: 1\n---\nb: 2\n").is_err());
        assert!(load("<<: {a: 1}\n").is_err());
        assert!(load("a: [").is_err());
    }
}
