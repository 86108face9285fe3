//! The `version` test (`x is version('9.0', '>=')`, also spelt `version_compare`), as
//! Ansible compares: `LooseVersion` by default (numbers and words in order, numbers as
//! numbers: `9.10 > 9.9`), `StrictVersion` with `strict=true` (`N.N[.N][aN|bN]`, anything
//! else an error).

use std::cmp::Ordering;

use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error};

use super::invalid;

pub(super) fn add(env: &mut Environment<'static>) {
    env.add_test("version", version);
    env.add_test("version_compare", version);
}

fn version(
    value: Value,
    other: Value,
    operator: Option<String>,
    kwargs: Kwargs,
) -> Result<bool, Error> {
    let strict = kwargs.get::<Option<bool>>("strict")?.unwrap_or(false);
    let kind = kwargs.get::<Option<String>>("version_type")?;
    kwargs.assert_all_used()?;
    let strict = match kind.as_deref() {
        None => strict,
        Some("loose") => false,
        Some("strict") => true,
        Some(other) => {
            return Err(invalid(format!(
                "version: version_type `{other}` is not supported: loose or strict"
            )));
        }
    };
    let (a, b) = (value.to_string(), other.to_string());
    let order = if strict {
        strict_cmp(&a, &b)?
    } else {
        loose_cmp(&a, &b)?
    };
    let operator = operator.unwrap_or_else(|| "eq".to_owned());
    Ok(match operator.as_str() {
        "==" | "=" | "eq" => order == Ordering::Equal,
        "!=" | "<>" | "ne" => order != Ordering::Equal,
        "<" | "lt" => order == Ordering::Less,
        "<=" | "le" => order != Ordering::Greater,
        ">" | "gt" => order == Ordering::Greater,
        ">=" | "ge" => order != Ordering::Less,
        other => return Err(invalid(format!("version: invalid operator `{other}`"))),
    })
}

/// One part of a `LooseVersion`.
#[derive(Debug, PartialEq, Eq)]
enum Part {
    Number(u128),
    Word(String),
}

/// `LooseVersion`'s parts: runs of digits (numbers), runs of `a-z`, and whatever lies
/// between (words); dots separate.
fn loose_parts(version: &str) -> Vec<Part> {
    let class = |c: char| match c {
        '0'..='9' => 0,
        'a'..='z' => 1,
        '.' => 2,
        _ => 3,
    };
    let mut parts = Vec::new();
    let mut chars = version.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let kind = class(c);
        let mut end = start + c.len_utf8();
        while let Some(&(i, d)) = chars.peek() {
            // Digits and letters are runs; a dot is one separator.
            if kind == 2 || class(d) != kind {
                break;
            }
            end = i + d.len_utf8();
            chars.next();
        }
        let text = &version[start..end];
        match kind {
            2 => {}
            0 => parts.push(
                text.parse()
                    .map_or_else(|_| Part::Word(text.to_owned()), Part::Number),
            ),
            _ => parts.push(Part::Word(text.to_owned())),
        }
    }
    parts
}

fn loose_cmp(a: &str, b: &str) -> Result<Ordering, Error> {
    let (a, b) = (loose_parts(a), loose_parts(b));
    for (x, y) in a.iter().zip(&b) {
        let order = match (x, y) {
            (Part::Number(x), Part::Number(y)) => x.cmp(y),
            (Part::Word(x), Part::Word(y)) => x.cmp(y),
            _ => {
                return Err(invalid(
                    "version: a number and a word cannot be compared (Python's LooseVersion fails too)",
                ));
            }
        };
        if order != Ordering::Equal {
            return Ok(order);
        }
    }
    Ok(a.len().cmp(&b.len()))
}

/// A `StrictVersion`: (major, minor, patch), and its pre-release (`a1` before `b1` before
/// none).
type StrictVersion = ([u64; 3], Option<(char, u64)>);

fn strict_parts(version: &str) -> Result<StrictVersion, Error> {
    let bad = || {
        invalid(format!(
            "version: invalid version number `{version}` for strict comparison"
        ))
    };
    let (release, pre) = match version.find(['a', 'b']) {
        Some(at) => {
            let (tag, number) = version[at..].split_at(1);
            let number = number
                .parse()
                .ok()
                .filter(|_| number.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(bad)?;
            (
                &version[..at],
                Some((tag.chars().next().ok_or_else(bad)?, number)),
            )
        }
        None => (version, None),
    };
    let numbers: Vec<&str> = release.split('.').collect();
    if !(2..=3).contains(&numbers.len()) {
        return Err(bad());
    }
    let mut parts = [0; 3];
    for (slot, text) in parts.iter_mut().zip(numbers) {
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        *slot = text.parse().map_err(|_| bad())?;
    }
    Ok((parts, pre))
}

fn strict_cmp(a: &str, b: &str) -> Result<Ordering, Error> {
    let ((a, a_pre), (b, b_pre)) = (strict_parts(a)?, strict_parts(b)?);
    Ok(a.cmp(&b).then_with(|| match (a_pre, b_pre) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => x.cmp(&y),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loose_versions() {
        assert_eq!(loose_cmp("9.10", "9.9").unwrap(), Ordering::Greater);
        assert_eq!(loose_cmp("8.4p1", "8.4").unwrap(), Ordering::Greater);
        assert_eq!(loose_cmp("1.0", "1.0").unwrap(), Ordering::Equal);
        assert_eq!(loose_cmp("1.0", "1.0.0").unwrap(), Ordering::Less);
        assert_eq!(
            loose_parts("1.0RC-2"),
            vec![
                Part::Number(1),
                Part::Number(0),
                Part::Word("RC-".into()),
                Part::Number(2)
            ]
        );
        assert!(loose_cmp("1.a", "1.1").is_err());
    }

    #[test]
    fn strict_versions() {
        assert_eq!(strict_cmp("1.2", "1.2.0").unwrap(), Ordering::Equal);
        assert_eq!(strict_cmp("1.2a1", "1.2").unwrap(), Ordering::Less);
        assert_eq!(strict_cmp("1.2a2", "1.2b1").unwrap(), Ordering::Less);
        assert!(strict_cmp("1", "1.0").is_err());
        assert!(strict_cmp("1.2.3.4", "1.0").is_err());
    }
}
