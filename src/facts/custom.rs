//! Custom facts: a manifest's own command, run in the same probe as the built-in facts,
//! and how to read its output. Visible as `facts.custom.NAME`: a namespace of their own,
//! so that no built-in fact added later can change what a manifest's fact means (as
//! Ansible keeps its local facts under `ansible_local`).
//!
//! The probe runs each command in a subshell, reading nothing (`</dev/null`), its errors
//! dropped, and puts a `|` before every line it prints ([`super::output`]), so a command's
//! output can never end its section or forge another fact.

use serde_json::{Map, Value};

use crate::shell::{Sh, UserShell};

/// How a custom fact's output becomes its value.
#[derive(Clone, Debug)]
pub enum Parse {
    /// The text, without its final line breaks (as `$(command)` would).
    Raw,
    /// A list of its lines.
    Lines,
    /// A map of its `key=value` lines (both sides trimmed; other lines skipped).
    KeyValue,
    /// The JSON value it prints; none when it is not JSON.
    Json,
    /// Group 1 of the first match on a line (the whole match when the pattern has no
    /// group); none when no line matches.
    Regex(regex::Regex),
}

/// The names of the parse kinds, as manifests spell them.
pub const PARSE_KINDS: &[&str] = &["raw", "lines", "key_value", "json", "regex"];

impl PartialEq for Parse {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Parse::Regex(a), Parse::Regex(b)) => a.as_str() == b.as_str(),
            _ => std::mem::discriminant(self) == std::mem::discriminant(other),
        }
    }
}

/// A custom fact, checked: its name is a word (`[a-z_][a-z0-9_]*`).
#[derive(Clone, Debug, PartialEq)]
pub struct Custom {
    pub name: String,
    /// Shell code, run by `sh` on the host.
    pub command: UserShell,
    pub parse: Parse,
}

impl Custom {
    /// The probe's part that runs this fact's command: by a `sh` of its own, so a command
    /// that does not parse (or exits the shell) costs this fact alone, not the probe.
    pub fn probe(&self) -> String {
        let mut sh = Sh::of("printf '%s\\n' ");
        sh.arg(&format!("@custom {}", self.name))
            .code("\nsh -c ")
            .arg(&self.command.0)
            .code(" </dev/null 2>/dev/null | awk '{ print \"|\" $0 }'\necho @end\n");
        sh.text().to_owned()
    }

    /// The value of this fact given its command's output.
    pub fn value(&self, text: &str) -> Option<Value> {
        let text = text.trim_end_matches('\n');
        match &self.parse {
            Parse::Raw => Some(Value::from(text)),
            Parse::Lines => Some(Value::from(text.lines().collect::<Vec<_>>())),
            Parse::KeyValue => {
                let pairs = text.lines().filter_map(|line| {
                    let (key, value) = line.split_once('=')?;
                    let key = key.trim();
                    (!key.is_empty()).then(|| (key.to_owned(), Value::from(value.trim())))
                });
                Some(Value::Object(pairs.collect::<Map<_, _>>()))
            }
            Parse::Json => serde_json::from_str(text).ok(),
            Parse::Regex(regex) => text.lines().find_map(|line| {
                let captures = regex.captures(line)?;
                let found = captures.get(1).or_else(|| captures.get(0))?;
                Some(Value::from(found.as_str()))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custom(parse: Parse) -> Custom {
        Custom {
            name: "x".into(),
            command: UserShell("true".into()),
            parse,
        }
    }

    #[test]
    fn parses_each_kind() {
        let out = "a=1\n b = two \nnot a pair\n\n";
        assert_eq!(
            custom(Parse::Raw).value(out),
            Some(Value::from("a=1\n b = two \nnot a pair"))
        );
        assert_eq!(
            custom(Parse::Lines).value(out),
            Some(serde_json::json!(["a=1", " b = two ", "not a pair"]))
        );
        assert_eq!(custom(Parse::Lines).value(""), Some(serde_json::json!([])));
        assert_eq!(
            custom(Parse::KeyValue).value(out),
            Some(serde_json::json!({"a": "1", "b": "two"}))
        );
        assert_eq!(
            custom(Parse::Json).value("{\"k\": [1, 2]}\n"),
            Some(serde_json::json!({"k": [1, 2]}))
        );
        assert_eq!(custom(Parse::Json).value("nope"), None);
        let regex = |p: &str| Parse::Regex(regex::Regex::new(p).unwrap());
        let ssh = "OpenSSH_9.2p1 Debian-2+deb12u3, OpenSSL 3.0.15\n";
        assert_eq!(
            custom(regex(r"OpenSSH_([0-9.]+)")).value(ssh),
            Some(Value::from("9.2"))
        );
        assert_eq!(custom(regex(r"p[0-9]")).value(ssh), Some(Value::from("p1")));
        assert_eq!(custom(regex(r"LibreSSL")).value(ssh), None);
    }
}
