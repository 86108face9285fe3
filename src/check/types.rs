//! Checking one raw value against an [`ArgType`], producing a typed [`ArgValue`].

use crate::diagnostic::quoted_list;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::Value;
use crate::opdef::ArgValue;
use crate::opdef::{ArgType, parse_duration};
use crate::source::{SourceMap, Span, Spanned};

use crate::template::{is_template, is_whole_expression};

/// Checks `value` against `ty`. Reports and returns `None` when it does not fit.
pub fn coerce(
    sources: &SourceMap,
    ty: &ArgType,
    value: Spanned<Value>,
    diagnostics: &mut Diagnostics,
) -> Option<Spanned<ArgValue>> {
    let span = value.span;
    let typed = match (ty, value.value) {
        // A template where a number or boolean is expected (`uid = "{{ app_uid }}"`) is
        // checked once rendered, at bind time, against the same type.
        (ArgType::Bool | ArgType::Int { .. } | ArgType::Duration, Value::Str(s))
            if is_template(&s) =>
        {
            ArgValue::Str(s)
        }
        // One whole `{{ expression }}` where a list or map is expected (`packages =
        // "{{ sys_packages }}"`) keeps its value's type: checked once rendered, at bind time.
        (ArgType::List(_) | ArgType::Map(_), Value::Str(s)) if is_whole_expression(&s) => {
            ArgValue::Str(s)
        }
        (ArgType::List(inner), Value::List(items)) => ArgValue::List(
            items
                .into_iter()
                .map(|item| coerce(sources, inner, item, diagnostics))
                .collect::<Option<Vec<_>>>()?,
        ),
        (
            ArgType::List(inner),
            scalar @ (Value::Str(_) | Value::Int(_) | Value::Bool(_) | Value::Float(_)),
        ) => ArgValue::List(vec![coerce(
            sources,
            inner,
            Spanned::new(scalar, span),
            diagnostics,
        )?]),
        // An empty KDL block (`env { }`) reads as an empty list.
        (ArgType::Map(_), Value::List(items)) if items.is_empty() => ArgValue::Map(Vec::new()),
        (ArgType::Map(inner), Value::Table(entries)) => ArgValue::Map(
            entries
                .into_iter()
                .map(|(key, item)| Some((key, coerce(sources, inner, item, diagnostics)?)))
                .collect::<Option<Vec<_>>>()?,
        ),
        (ArgType::Bool, Value::Bool(b)) => ArgValue::Bool(b),
        (ArgType::Bool, Value::Str(s)) if ["true", "false", "yes", "no"].contains(&s.as_str()) => {
            quoted_boolean(&s, span, diagnostics);
            return None;
        }
        (ArgType::Int { min, max }, Value::Int(n)) => {
            ArgValue::Int(in_range(n, (*min, *max), span, diagnostics)?)
        }
        (ArgType::Mode, Value::Int(n)) => {
            integer_mode(sources, n, span, diagnostics);
            return None;
        }
        (ArgType::Duration, Value::Int(n)) => ArgValue::Int(seconds(n, span, diagnostics)?),
        (ArgType::Duration, Value::Str(s)) => ArgValue::Int(duration(&s, span, diagnostics)?),
        (ArgType::Str | ArgType::Shell | ArgType::Account, Value::Int(n)) => {
            ArgValue::Str(n.to_string())
        }
        (ty, Value::Str(s)) if scalar_string(ty) => {
            let valid = is_template(&s)
                || match ty {
                    ArgType::Regex => valid_regex(Some(sources), &s, span, diagnostics),
                    _ => valid_string(ty, &s, span, diagnostics),
                };
            if !valid {
                return None;
            }
            ArgValue::Str(s)
        }
        (ty, other) => {
            wrong_type(ty, &other, span, diagnostics);
            return None;
        }
    };
    Some(Spanned::new(typed, span))
}

/// `"true"` where a boolean is expected.
fn quoted_boolean(s: &str, span: Span, diagnostics: &mut Diagnostics) {
    diagnostics.push(
        Diagnostic::new(Code::WrongType, span, "expected a boolean, found a string")
            .label("a quoted word is a string")
            .help(format!(
                "write `{}` without quotes",
                s == "true" || s == "yes"
            )),
    );
}

/// `n`, if it lies within the inclusive bounds.
fn in_range(
    n: i64,
    (min, max): (i64, i64),
    span: Span,
    diagnostics: &mut Diagnostics,
) -> Option<i64> {
    if (min..=max).contains(&n) {
        return Some(n);
    }
    let range = if max == i64::MAX {
        format!("at least {min}")
    } else {
        format!("between {min} and {max}")
    };
    diagnostics.push(
        Diagnostic::new(Code::InvalidValue, span, format!("{n} is out of range"))
            .label(format!("must be {range}")),
    );
    None
}

/// An integer where a file mode is expected: `0644` or `0o644`, said back as a string.
fn integer_mode(sources: &SourceMap, n: i64, span: Span, diagnostics: &mut Diagnostics) {
    let literal = sources.text(span);
    let suggestion = if literal.starts_with("0o") {
        format!("0{n:o}")
    } else {
        format!("0{n}")
    };
    diagnostics.push(
        Diagnostic::new(Code::InvalidMode, span, "a file mode must be a string")
            .label("an integer mode is ambiguous (octal or decimal?)")
            .help(format!("write `\"{suggestion}\"`")),
    );
}

/// A whole number of seconds, which cannot be negative.
fn seconds(n: i64, span: Span, diagnostics: &mut Diagnostics) -> Option<i64> {
    if n >= 0 {
        return Some(n);
    }
    diagnostics.push(
        Diagnostic::new(
            Code::InvalidDuration,
            span,
            format!("{n} is not a duration"),
        )
        .label("a duration cannot be negative")
        .help("write a whole number of seconds, or e.g. \"30s\", \"5m\", \"1h30m\""),
    );
    None
}

/// The seconds in a duration string (`"1h30m"`).
fn duration(s: &str, span: Span, diagnostics: &mut Diagnostics) -> Option<i64> {
    let seconds = parse_duration(s);
    if seconds.is_none() {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidDuration,
                span,
                format!("`{s}` is not a duration"),
            )
            .label("expected e.g. \"30s\", \"5m\", \"1h30m\"")
            .help(match spelled_out_duration(s) {
                Some(short) => format!("write `\"{short}\"`"),
                None => "units are s, m, h and d; a bare integer is seconds".into(),
            }),
        );
    }
    seconds
}

/// A value of the wrong kind, with a hint for the usual mistakes.
fn wrong_type(ty: &ArgType, other: &Value, span: Span, diagnostics: &mut Diagnostics) {
    let expected = ty.describe();
    let mut diagnostic = Diagnostic::new(
        Code::WrongType,
        span,
        format!("expected {expected}, found {}", other.kind()),
    )
    .label(format!("this should be {expected}"));
    if scalar_string(ty) && matches!(other, Value::Int(_) | Value::Float(_) | Value::Bool(_)) {
        diagnostic = diagnostic.help("quote the value to make it a string");
    } else if matches!(other, Value::List(_)) && !matches!(ty, ArgType::Map(_)) {
        diagnostic = diagnostic.help("give a single value, not a list");
    } else if matches!(other, Value::Table(_)) && matches!(ty, ArgType::List(_)) {
        diagnostic = diagnostic.help(
            "a list is `[\"a\", \"b\"]` in TOML, and in KDL the values after the name: `name \"a\" \"b\"`",
        );
    }
    diagnostics.push(diagnostic);
}

fn scalar_string(ty: &ArgType) -> bool {
    !matches!(
        ty,
        ArgType::Bool
            | ArgType::Int { .. }
            | ArgType::List(_)
            | ArgType::Map(_)
            | ArgType::Duration
    )
}

/// Checks a literal (non-template) string against its type.
pub fn valid_string(
    ty: &ArgType,
    s: &str,
    span: crate::source::Span,
    diagnostics: &mut Diagnostics,
) -> bool {
    if matches!(ty, ArgType::Regex) {
        return valid_regex(None, s, span, diagnostics);
    }
    // (code, message, label, help)
    let problem: Option<(Code, String, String, String)> = match ty {
        ArgType::Mode if !valid_mode(s) => Some(match ls_mode(s) {
            Some(octal) => (
                Code::InvalidMode,
                format!("`{s}` is not a file mode"),
                "`ls -l` notation".into(),
                format!("write `\"{octal}\"`"),
            ),
            None => (
                Code::InvalidMode,
                format!("`{s}` is not a file mode"),
                "neither octal nor symbolic".into(),
                "use octal (\"0644\") or symbolic (\"u=rw,g=r,o=\") notation".into(),
            ),
        }),
        ArgType::Path if s.contains('\0') => Some((Code::InvalidPath, "path contains a NUL byte".into(), "NUL byte in this path".into(), "remove it".into())),
        ArgType::Path if !s.starts_with('/') => Some((
            Code::InvalidPath,
            format!("`{s}` is not an absolute path"),
            "relative path".into(),
            "paths on the host start with `/`; relative paths would depend on the working directory".into(),
        )),
        ArgType::LocalPath if s.is_empty() => Some((Code::InvalidPath, "empty path".into(), "empty".into(), "name a file next to the manifest".into())),
        ArgType::Enum(words) if !words.contains(&s) => Some((
            Code::InvalidValue,
            format!("`{s}` is not allowed here"),
            "not one of the accepted values".into(),
            match crate::diagnostic::did_you_mean(s, words.iter().copied()) {
                Some(best) => format!("did you mean `{best}`?"),
                None => format!("expected {}", quoted_list(words)),
            },
        )),
        ArgType::Url if !valid_url(s) => Some((
            Code::InvalidValue,
            format!("`{s}` is not a URL"),
            "not a URL kiln can download".into(),
            "expected http://, https:// or ftp:// followed by a host".into(),
        )),
        ArgType::Sha256 if !(s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())) => Some((
            Code::InvalidValue,
            "not a SHA-256 digest".into(),
            match s.chars().count() {
                32 if s.bytes().all(|b| b.is_ascii_hexdigit()) => "32 hex digits: an MD5 digest?".into(),
                40 if s.bytes().all(|b| b.is_ascii_hexdigit()) => "40 hex digits: a SHA-1 digest?".into(),
                n => format!("{n} characters"),
            },
            "a SHA-256 digest is 64 hexadecimal digits (`sha256sum FILE` prints it)".into(),
        )),
        ArgType::PasswordHash => super::password_hash::problem(s).map(|why| (
            Code::InvalidValue,
            "a password must be given hashed, never in plain text".into(),
            why,
            "hash it first: `openssl passwd -6` or `mkpasswd -m sha-512` print a `$6$...` hash to give here; `!` locks the account".into(),
        )),
        ArgType::Account if s.is_empty() || s.contains([':', ' ', '\n', '/']) => Some((
            Code::InvalidValue,
            format!("`{s}` is not a user or group name"),
            "not a valid name".into(),
            "names may not be empty or contain `:`, `/` or spaces".into(),
        )),
        _ => None,
    };
    match problem {
        Some((code, message, label, help)) => {
            diagnostics.push(Diagnostic::new(code, span, message).label(label).help(help));
            false
        }
        None => true,
    }
}

/// The octal spelling of an `ls -l` mode such as `rwxr-xr-x`.
fn ls_mode(s: &str) -> Option<String> {
    let bits = s.as_bytes();
    if bits.len() != 9 {
        return None;
    }
    let mut mode = 0;
    for (i, (&b, want)) in bits.iter().zip(b"rwxrwxrwx").enumerate() {
        match b {
            b'-' => {}
            b if b == *want => mode |= 1 << (8 - i),
            _ => return None,
        }
    }
    Some(format!("{mode:04o}"))
}

pub fn valid_mode(s: &str) -> bool {
    let octal = (3..=4).contains(&s.len()) && s.bytes().all(|b| (b'0'..=b'7').contains(&b));
    let symbolic = !s.is_empty()
        && s.split(',').all(|clause| {
            let who_end = clause.find(['+', '-', '=']).unwrap_or(clause.len());
            let (who, rest) = clause.split_at(who_end);
            who.bytes().all(|b| b"ugoa".contains(&b))
                && !rest.is_empty()
                && rest.bytes().all(|b| b"+-=rwxXst".contains(&b))
                && rest.starts_with(['+', '-', '='])
        });
    octal || symbolic
}

fn valid_url(s: &str) -> bool {
    ["http://", "https://", "ftp://"].iter().any(|scheme| {
        s.strip_prefix(scheme)
            .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
    }) && !s.contains(char::is_whitespace)
}

/// Whether `s` is a regex of kiln's dialect (see `crate::regex`); if not, the refusal is
/// reported at the construct when `sources` can locate it in the literal, else at `span`.
pub(super) fn valid_regex(
    sources: Option<&SourceMap>,
    s: &str,
    span: Span,
    diagnostics: &mut Diagnostics,
) -> bool {
    let Err(refusal) = crate::regex::Regex::parse(s, false) else {
        return true;
    };
    let at = sources
        .filter(|_| !refusal.at.is_empty())
        .and_then(|sources| super::templates::locate(sources, span, s, refusal.at.clone()))
        .unwrap_or(span);
    diagnostics.push(
        Diagnostic::new(Code::InvalidRegex, at, refusal.message)
            .label(refusal.label)
            .help(refusal.help),
    );
    false
}

/// `"10min"` or `"1 hour"` in kiln's notation (`"10m"`, `"1h"`).
fn spelled_out_duration(s: &str) -> Option<String> {
    let s = s.trim();
    let digits = s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let (number, word) = s.split_at(digits);
    let unit = match word.trim().to_ascii_lowercase().as_str() {
        "sec" | "secs" | "second" | "seconds" => 's',
        "min" | "mins" | "minute" | "minutes" => 'm',
        "hr" | "hrs" | "hour" | "hours" => 'h',
        "day" | "days" => 'd',
        _ => return None,
    };
    (!number.is_empty()).then(|| format!("{number}{unit}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Some(30));
        assert_eq!(parse_duration("1h30m"), Some(5400));
        assert_eq!(parse_duration("2d"), Some(172800));
        assert_eq!(parse_duration("45"), Some(45));
        assert_eq!(parse_duration("5 minutes"), None);
        assert_eq!(parse_duration("10x"), None);
        assert_eq!(parse_duration("m"), None);
        assert_eq!(parse_duration(""), None);
        assert_eq!(parse_duration("-5"), None);
        assert_eq!(spelled_out_duration("10min").as_deref(), Some("10m"));
        assert_eq!(spelled_out_duration("1 hour").as_deref(), Some("1h"));
        assert_eq!(spelled_out_duration("forever"), None);
    }

    #[test]
    fn modes() {
        for good in ["644", "0644", "4755", "u=rw,g=r,o=", "a+x", "u+rwX", "go-w"] {
            assert!(valid_mode(good), "{good}");
        }
        for bad in [
            "",
            "0648",
            "64",
            "12345",
            "rw-r--r--",
            "u=rwz",
            "u",
            "0x1ff",
        ] {
            assert!(!valid_mode(bad), "{bad}");
        }
    }

    #[test]
    fn ls_modes() {
        assert_eq!(ls_mode("rwxr-xr-x").as_deref(), Some("0755"));
        assert_eq!(ls_mode("rw-r-----").as_deref(), Some("0640"));
        assert_eq!(ls_mode("---------").as_deref(), Some("0000"));
        assert_eq!(ls_mode("rwsr-xr-x"), None);
    }
}
