//! The one quoting function. Every value that reaches a shell command goes through
//! [`quote`]: single quotes, with each `'` written as `'\''`. No character blacklist, no
//! "safe" fast path that could be wrong: the result is one shell word whose value is exactly
//! the input, in every POSIX shell.

/// `value` as one single-quoted shell word.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quotes() {
        assert_eq!(quote(""), "''");
        assert_eq!(quote("plain"), "'plain'");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(
            quote("$(rm -rf /) `x` \\ \"\n"),
            "'$(rm -rf /) `x` \\ \"\n'"
        );
    }
}
