//! `regex_replace`, `regex_search`, `regex_findall` and `regex_escape`, as Ansible's (Python's
//! `re.sub`, `re.search`, `re.findall`, `re.escape`), in kiln's one regex dialect
//! ([`crate::regex`]): a pattern it refuses elsewhere is refused here too, with its reason.

use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error};

use super::invalid;
use crate::regex::{Matcher, Piece, Replacement};

pub(super) fn add(env: &mut Environment<'static>) {
    env.add_filter("regex_replace", regex_replace);
    env.add_filter("regex_search", regex_search);
    env.add_filter("regex_findall", regex_findall);
    env.add_filter("regex_escape", |text: String| escape(&text));
}

/// The pattern, checked and compiled, with Ansible's `ignorecase` and `multiline` options.
fn compile(pattern: &str, kwargs: &Kwargs) -> Result<Matcher, Error> {
    let ignorecase = kwargs.get::<Option<bool>>("ignorecase")?.unwrap_or(false);
    let multiline = kwargs.get::<Option<bool>>("multiline")?.unwrap_or(false);
    crate::regex::compile(pattern, ignorecase, multiline).map_err(|refusal| {
        invalid(format!(
            "regular expression `{pattern}`: {} ({}; {})",
            refusal.message, refusal.label, refusal.help
        ))
    })
}

/// The matches `re.finditer` finds: as the `regex` crate's, except that an empty match
/// right after a non-empty one counts (Python 3.7 on). After an empty match the search
/// goes on one character later; within kiln's dialect no pattern could match otherwise
/// there (it refuses lazy repetition and empty alternatives, which would prefer it).
fn python_matches<'t>(compiled: &regex::Regex, text: &'t str) -> Vec<regex::Captures<'t>> {
    let mut found = Vec::new();
    let mut at = 0;
    while at <= text.len() {
        let Some(captures) = compiled.captures_at(text, at) else {
            break;
        };
        let whole = captures.get(0).expect("group 0 is the match");
        at = if whole.is_empty() {
            whole.end() + text[whole.end()..].chars().next().map_or(1, char::len_utf8)
        } else {
            whole.end()
        };
        found.push(captures);
    }
    found
}

/// `re.sub(pattern, replacement, value, count)`: `\1`, `\g<1>`, `\g<name>` insert groups.
fn regex_replace(
    value: String,
    pattern: String,
    replacement: Option<String>,
    kwargs: Kwargs,
) -> Result<String, Error> {
    let matcher = compile(&pattern, &kwargs)?;
    let count = kwargs.get::<Option<usize>>("count")?.unwrap_or(0);
    let mandatory = kwargs.get::<Option<usize>>("mandatory_count")?.unwrap_or(0);
    kwargs.assert_all_used()?;
    let replacement =
        Replacement::parse(replacement.as_deref().unwrap_or_default(), &matcher.regex).map_err(
            |refusal| {
                invalid(format!(
                    "replacement: {} ({})",
                    refusal.message, refusal.help
                ))
            },
        )?;
    let mut out = String::with_capacity(value.len());
    let mut last = 0;
    let mut made = 0;
    for captures in python_matches(&matcher.compiled, &value) {
        if count != 0 && made == count {
            break;
        }
        let whole = captures.get(0).expect("group 0 is the match");
        out.push_str(&value[last..whole.start()]);
        for piece in &replacement.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Group(index) => {
                    let group = captures.get(*index as usize);
                    out.push_str(group.map_or("", |m| m.as_str()));
                }
            }
        }
        last = whole.end();
        made += 1;
    }
    out.push_str(&value[last..]);
    if mandatory != 0 && mandatory != made {
        return Err(invalid(format!(
            "regex_replace: `{pattern}` should match {mandatory} times, but matches {made} times"
        )));
    }
    Ok(out)
}

/// `re.search`: the match, or the groups named by `'\\1'` / `'\\g<name>'` arguments as a
/// list; none when nothing matches.
fn regex_search(
    value: String,
    pattern: String,
    groups: &[Value],
    kwargs: Kwargs,
) -> Result<Value, Error> {
    let matcher = compile(&pattern, &kwargs)?;
    kwargs.assert_all_used()?;
    let indices = groups
        .iter()
        .map(|group| {
            let group = group.to_string();
            let index = match group.strip_prefix("\\g<").and_then(|g| g.strip_suffix('>')) {
                Some(name) => name
                    .parse()
                    .ok()
                    .or_else(|| matcher.regex.group_named(name)),
                None => group.strip_prefix('\\').and_then(|n| n.parse().ok()),
            };
            index
                .filter(|i| *i <= matcher.regex.groups())
                .ok_or_else(|| invalid(format!("regex_search: no group `{group}` in `{pattern}`")))
        })
        .collect::<Result<Vec<u32>, Error>>()?;
    let Some(captures) = matcher.compiled.captures(&value) else {
        return Ok(Value::from(()));
    };
    let text = |i: u32| {
        captures
            .get(i as usize)
            .map(|m| Value::from(m.as_str()))
            .unwrap_or_default()
    };
    if indices.is_empty() {
        return Ok(text(0));
    }
    Ok(Value::from(
        indices.into_iter().map(text).collect::<Vec<_>>(),
    ))
}

/// `re.findall`: each match; with one group, that group of each; with more, a list of the
/// groups of each.
fn regex_findall(value: String, pattern: String, kwargs: Kwargs) -> Result<Value, Error> {
    let matcher = compile(&pattern, &kwargs)?;
    kwargs.assert_all_used()?;
    let groups = matcher.regex.groups() as usize;
    let text = |m: Option<regex::Match<'_>>| Value::from(m.map_or("", |m| m.as_str()));
    let found =
        python_matches(&matcher.compiled, &value)
            .into_iter()
            .map(|captures| match groups {
                0 => text(captures.get(0)),
                1 => text(captures.get(1)),
                _ => Value::from(
                    (1..=groups)
                        .map(|i| text(captures.get(i)))
                        .collect::<Vec<_>>(),
                ),
            });
    Ok(Value::from(found.collect::<Vec<_>>()))
}

/// `re.escape`: each character that is special in a pattern with a backslash before it.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "()[]{}?*+-|^$\\.&~# \t\n\r\u{b}\u{c}".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, text: &str) -> Vec<String> {
        let compiled = regex::Regex::new(pattern).unwrap();
        python_matches(&compiled, text)
            .iter()
            .map(|c| c[0].to_owned())
            .collect()
    }

    #[test]
    fn empty_matches_as_python_finds_them() {
        // Python: re.findall('x*', 'abxd') == ['', '', 'x', '', '']
        assert_eq!(matches("x*", "abxd"), ["", "", "x", "", ""]);
        assert_eq!(matches(r"\d*", "é1"), ["", "1", ""]);
        assert_eq!(escape("a.b c"), r"a\.b\ c");
    }
}
