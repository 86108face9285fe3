//! How a template's text is read: its delimiters and what happens to the white space around
//! its tags.
//!
//! kiln reads every template as Ansible does: `trim_blocks` on (the newline after a block tag
//! is dropped), `lstrip_blocks` off, and the final newlines kept as Ansible keeps them
//! ([`keep_final_newlines`]). Ansible's template module and its templating of inline
//! strings (ansible-core 2.19) share these settings, so one default serves string arguments
//! and template files alike. A template file may change them for
//! itself with Ansible's override header, a first line `#jinja2: trim_blocks: False,
//! lstrip_blocks: True` (its values Python literals; the line is not output), and
//! `files.template` with its arguments of the same names; the header wins, as in Ansible.
//!
//! Every setting of Ansible's header is one of minijinja's, except `newline_sequence`, of
//! which only `'\n'` (the default) is accepted: minijinja does not rewrite line endings.

use minijinja::syntax::SyntaxConfig;

/// The first characters of a template file that start its override header.
pub(crate) const HEADER: &str = "#jinja2:";

/// The boolean settings, by their Ansible names.
pub(crate) const FLAGS: &[&str] = &["trim_blocks", "lstrip_blocks", "keep_trailing_newline"];

/// The text settings, by their Ansible names.
pub(crate) const STRINGS: &[&str] = &[
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "newline_sequence",
];

/// One setting's value: a flag or a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Setting {
    Flag(bool),
    Text(String),
}

/// The reading of one template: Ansible's defaults, then its overrides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Syntax {
    flags: [bool; 3],
    /// Indexed like [`STRINGS`]; `None` is minijinja's default (no line prefixes).
    strings: [Option<String>; 9],
}

impl Default for Syntax {
    fn default() -> Self {
        Syntax {
            // Jinja2's `keep_trailing_newline` stays off, as in Ansible, which restores the
            // template's final newlines after rendering instead: see `keep_final_newlines`.
            flags: [true, false, false],
            strings: Default::default(),
        }
    }
}

impl Syntax {
    /// Sets `key` to `value`, or says why it cannot be.
    pub(crate) fn set(&mut self, key: &str, value: Setting) -> Result<(), String> {
        match value {
            Setting::Flag(on) => {
                let at = FLAGS.iter().position(|k| *k == key).ok_or_else(|| {
                    format!("`{key}` is not a flag: the flags are {}", FLAGS.join(", "))
                })?;
                self.flags[at] = on;
            }
            Setting::Text(text) => {
                let at = STRINGS.iter().position(|k| *k == key).ok_or_else(|| {
                    format!(
                        "`{key}` takes no text: the text settings are {}",
                        STRINGS.join(", ")
                    )
                })?;
                if key == "newline_sequence" && text != "\n" {
                    return Err(
                        "only `newline_sequence: '\\n'` is supported: kiln writes line endings as the template has them"
                            .to_owned(),
                    );
                }
                self.strings[at] = Some(text);
            }
        }
        Ok(())
    }

    /// The text setting `key`, when set.
    fn text(&self, key: &str) -> Option<&str> {
        let at = STRINGS.iter().position(|k| *k == key)?;
        self.strings[at].as_deref()
    }

    /// The minijinja syntax for these settings.
    pub(crate) fn config(&self) -> Result<SyntaxConfig, minijinja::Error> {
        let text = |key: &str, default: &'static str| self.text(key).unwrap_or(default).to_owned();
        let mut builder = SyntaxConfig::builder();
        builder
            .block_delimiters(
                text("block_start_string", "{%"),
                text("block_end_string", "%}"),
            )
            .variable_delimiters(
                text("variable_start_string", "{{"),
                text("variable_end_string", "}}"),
            )
            .comment_delimiters(
                text("comment_start_string", "{#"),
                text("comment_end_string", "#}"),
            )
            .trim_blocks(self.flags[0])
            .lstrip_blocks(self.flags[1])
            .keep_trailing_newline(self.flags[2]);
        if let Some(prefix) = self.text("line_statement_prefix") {
            builder.line_statement_prefix(prefix.to_owned());
        }
        if let Some(prefix) = self.text("line_comment_prefix") {
            builder.line_comment_prefix(prefix.to_owned());
        }
        builder.build()
    }
}

/// `rendered` ending in at least as many newlines as `source` does: Ansible renders with
/// Jinja2's `keep_trailing_newline` off (the source's last newline is dropped, and
/// `trim_blocks` may drop more) and then appends the newlines the result lacks.
pub(crate) fn keep_final_newlines(source: &str, mut rendered: String) -> String {
    let count = |text: &str| text.len() - text.trim_end_matches('\n').len();
    let missing = count(source).saturating_sub(count(&rendered));
    rendered.push_str(&"\n".repeat(missing));
    rendered
}

/// A template file's override header, read: its settings, and the text after it.
#[derive(Debug)]
pub(crate) struct Header<'a> {
    pub settings: Vec<(String, Setting)>,
    pub body: &'a str,
}

/// Splits `source` into its override header (none when it does not start with [`HEADER`])
/// and the template after it, as Ansible reads it: `key: value` pairs separated by `,`,
/// each value a Python literal (`True`, `False`, a quoted string).
pub(crate) fn header(source: &str) -> Result<Header<'_>, String> {
    let Some(rest) = source.strip_prefix(HEADER) else {
        return Ok(Header {
            settings: Vec::new(),
            body: source,
        });
    };
    let eol = rest
        .find('\n')
        .ok_or_else(|| format!("the `{HEADER}` line must end with a newline"))?;
    let mut settings = Vec::new();
    for pair in rest[..eol].split(',') {
        let (key, value) = pair
            .split_once(':')
            .ok_or_else(|| format!("`{}` is not `key: value`", pair.trim()))?;
        let key = key.trim();
        if !FLAGS.contains(&key) && !STRINGS.contains(&key) {
            let best = crate::diagnostic::did_you_mean(key, FLAGS.iter().chain(STRINGS).copied());
            return Err(match best {
                Some(best) => format!("unknown setting `{key}`: did you mean `{best}`?"),
                None => format!("unknown setting `{key}`"),
            });
        }
        settings.push((key.to_owned(), python_literal(value.trim())?));
    }
    Ok(Header {
        settings,
        body: &rest[eol + 1..],
    })
}

/// `True`, `False`, or a quoted string with Python's common escapes.
fn python_literal(text: &str) -> Result<Setting, String> {
    match text {
        "True" => return Ok(Setting::Flag(true)),
        "False" => return Ok(Setting::Flag(false)),
        _ => {}
    }
    let quote = text.chars().next().filter(|c| *c == '\'' || *c == '"');
    let inner = quote
        .and_then(|q| text[1..].strip_suffix(q))
        .ok_or_else(|| format!("`{text}` is not `True`, `False` or a quoted string"))?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next() {
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some(other @ ('\\' | '\'' | '"')) => other,
            _ => {
                return Err(format!(
                    "`{text}`: only \\n, \\r, \\t, \\\\ and quotes are escapes here"
                ));
            }
        });
    }
    Ok(Setting::Text(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_read_as_ansible_reads_them() {
        let read =
            header("#jinja2: trim_blocks: False, variable_start_string: '[['\nbody\n").unwrap();
        assert_eq!(read.body, "body\n");
        assert_eq!(
            read.settings,
            vec![
                ("trim_blocks".to_owned(), Setting::Flag(false)),
                (
                    "variable_start_string".to_owned(),
                    Setting::Text("[[".into())
                ),
            ]
        );
        assert!(header("no header {{ x }}").unwrap().settings.is_empty());
        for bad in [
            "#jinja2: trim_blocks False\n",
            "#jinja2: trim_block: False\n",
            "#jinja2: trim_blocks: no\n",
            "#jinja2: trim_blocks: True",
        ] {
            assert!(header(bad).is_err(), "{bad}");
        }
        assert!(
            header("#jinja2: trim_block: False\n")
                .unwrap_err()
                .contains("did you mean `trim_blocks`")
        );
    }

    #[test]
    fn final_newlines_as_ansible_keeps_them() {
        assert_eq!(keep_final_newlines("a\n\n", "a".to_owned()), "a\n\n");
        assert_eq!(keep_final_newlines("{{ x }}\n", "v\n".to_owned()), "v\n");
        assert_eq!(keep_final_newlines("a", "b\n".to_owned()), "b\n");
    }

    #[test]
    fn settings_are_checked() {
        let mut syntax = Syntax::default();
        assert!(syntax.set("lstrip_blocks", Setting::Flag(true)).is_ok());
        assert!(
            syntax
                .set("newline_sequence", Setting::Text("\r\n".into()))
                .is_err()
        );
        assert!(
            syntax
                .set("newline_sequence", Setting::Text("\n".into()))
                .is_ok()
        );
        assert!(
            syntax
                .set("trim_blocks", Setting::Text("x".into()))
                .is_err()
        );
        assert!(
            syntax
                .set("block_start_string", Setting::Text("<%".into()))
                .is_ok()
        );
        assert!(syntax.config().is_ok());
    }
}
