//! Argument values in the form shell needs them: durations in seconds, integers, lists of
//! extra words, and checks of values that would break the text they go into.

use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::ArgValue;
use crate::opdef::Default;
use crate::opdef::parse_duration;

use crate::opdef::LowerInput;

/// A duration argument in seconds (given, else its default, else 0). Checked durations
/// are integers; a templated one is still the string it rendered to.
pub(crate) fn seconds(input: &LowerInput, name: &str) -> i64 {
    match input.args.get(name).map(|v| &v.value) {
        Some(ArgValue::Int(n)) => *n,
        Some(ArgValue::Str(s)) => parse_duration(s).unwrap_or(0),
        _ => match input.def.arg(name).and_then(|a| a.default) {
            Some(Default::Str(s)) => parse_duration(s).unwrap_or(0),
            Some(Default::Int(n)) => n,
            _ => 0,
        },
    }
}

/// An integer argument (given, else its default).
pub(crate) fn int(input: &LowerInput, name: &str) -> Option<i64> {
    match input.args.get(name).map(|v| &v.value) {
        Some(ArgValue::Int(n)) => Some(*n),
        Some(ArgValue::Str(s)) => s.trim().parse().ok(),
        _ => match input.def.arg(name).and_then(|a| a.default) {
            Some(Default::Int(n)) => Some(n),
            _ => None,
        },
    }
}

/// A boolean argument that was given (`None` when omitted and without default).
pub(crate) fn opt_flag(input: &LowerInput, name: &str) -> Option<bool> {
    match input.args.get(name) {
        Some(v) => v.value.as_bool(),
        None => match input.def.arg(name).and_then(|a| a.default) {
            Some(Default::Bool(b)) => Some(b),
            _ => None,
        },
    }
}

/// Letters, digits and `_`, not starting with a digit.
pub(crate) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Refuses a value holding a newline where it must be one line of a file (a crontab
/// entry, an fstab or sysctl line): such an op could never converge.
pub(crate) fn one_line(input: &LowerInput, name: &str, value: &str) -> Result<(), Diagnostic> {
    if value.contains(['\n', '\r']) {
        return Err(Diagnostic::new(
            Code::InvalidValue,
            input.span(name),
            format!("`{name}` must be one line"),
        )
        .label("contains a line break")
        .help("this value becomes one line of a file; remove the line break"));
    }
    Ok(())
}

/// Refuses a value starting with `-` where it is an operand of a program that would read it
/// as an option instead: some options run commands (`git fetch --upload-pack=CMD`,
/// `nc -e CMD`), so a value must never be able to become one.
pub(crate) fn not_an_option(input: &LowerInput, name: &str, value: &str) -> Result<(), Diagnostic> {
    if value.starts_with('-') {
        return Err(Diagnostic::new(
            Code::InvalidValue,
            input.span(name),
            format!("`{name}` must not start with `-`"),
        )
        .label("would be read as an option")
        .help("a name or address never starts with `-`; for a relative path, write `./-name`"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::is_identifier;

    #[test]
    fn identifiers() {
        assert!(is_identifier("MAILTO") && is_identifier("_x1"));
        assert!(!is_identifier("1x") && !is_identifier("A-B") && !is_identifier(""));
    }
}
