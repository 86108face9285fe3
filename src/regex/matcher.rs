//! kiln's dialect run on the controller, for the template filters (`regex_replace`,
//! `regex_search`, `regex_findall`): a pattern [`Regex::parse`] accepts, compiled for the
//! `regex` crate with the dialect's meaning.
//!
//! The `regex` crate reads Python's syntax as `regex-syntax` does (which is how [`parse`]
//! reads it), and finds Python's leftmost-first match, so only what the dialect defines
//! otherwise is rewritten: `\d`, `\w`, `\s`, `\b` (and their negations) are ASCII, as
//! with `re.ASCII`, and `\Z` is the end of the text.
//!
//! [`parse`]: super::parse

use super::{Refusal, Regex};

/// A checked pattern and its matcher.
pub struct Matcher {
    pub regex: Regex,
    pub compiled: regex::Regex,
}

/// Checks `pattern` as every regex argument of kiln is checked, then compiles it;
/// `multiline` makes `^` and `$` match at each line (Python's `re.M`).
pub fn compile(pattern: &str, ignore_case: bool, multiline: bool) -> Result<Matcher, Refusal> {
    let regex = Regex::parse(pattern, ignore_case)?;
    let compiled = regex::RegexBuilder::new(&ascii_classes(pattern))
        .case_insensitive(ignore_case)
        .multi_line(multiline)
        .build()
        .map_err(|error| {
            Refusal::new(
                0..pattern.len(),
                "this pattern cannot be compiled",
                "here",
                &error.to_string(),
            )
        })?;
    Ok(Matcher { regex, compiled })
}

/// `pattern` with the escapes whose meaning is ASCII in the dialect written out.
fn ascii_classes(pattern: &str) -> String {
    const WORD: &str = "0-9A-Za-z_";
    const SPACE: &str = "\\t\\n\\x0B\\x0C\\r ";
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(next) = chars.next() else {
                    out.push(c);
                    break;
                };
                let (set, negated) = match next {
                    'd' | 'D' => ("0-9", next == 'D'),
                    'w' | 'W' => (WORD, next == 'W'),
                    's' | 'S' => (SPACE, next == 'S'),
                    'b' | 'B' if !in_class => {
                        out.push_str(if next == 'b' {
                            "(?-u:\\b)"
                        } else {
                            "(?-u:\\B)"
                        });
                        continue;
                    }
                    'Z' if !in_class => {
                        out.push_str("\\z");
                        continue;
                    }
                    _ => {
                        out.push(c);
                        out.push(next);
                        continue;
                    }
                };
                // A bracket expression nests inside another in the `regex` crate.
                out.push_str(if negated { "[^" } else { "[" });
                out.push_str(set);
                out.push(']');
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                // `]` first (after an optional `^`) is a member, not the end.
                let rest = chars.as_str();
                let skip = usize::from(rest.starts_with('^'));
                if rest[skip..].starts_with(']') {
                    out.push_str(&rest[..=skip]);
                    chars = rest[skip + 1..].chars();
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_escapes_are_written_out() {
        assert_eq!(ascii_classes(r"\d+\Z"), r"[0-9]+\z");
        assert_eq!(ascii_classes(r"[\w.]\b"), r"[[0-9A-Za-z_].](?-u:\b)");
        assert_eq!(ascii_classes(r"[]\S]"), r"[][^\t\n\x0B\x0C\r ]]");
        let matcher = compile(r"\bport\s*=\s*(\d+)", false, false).unwrap();
        let found = matcher
            .compiled
            .captures("port = ٣8080")
            .map(|c| c[1].to_owned());
        assert_eq!(found, None, "an Arabic-Indic digit is no `\\d`");
        assert!(compile("a(?=b)", false, false).is_err());
    }
}
