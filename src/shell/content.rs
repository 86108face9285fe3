//! File contents inside a script, byte-exact and portable.
//!
//! Contents are written as `printf` format strings, each printed by the runtime's `k_bytes`
//! (`runtime::call::content` writes the calls)
//! (a builtin `printf`, or mksh's builtin `print`: an external `printf` would show the
//! content, a private key say, in its arguments to every user's `ps`). `\ddd` octal escapes
//! turn into bytes in every shell kiln supports, so any bytes (NUL, invalid UTF-8, no
//! trailing newline, CRLF) survive. A backslash is always written `\134`, so every `\` in a
//! format starts an escape and the translation for mksh is unambiguous. Text stays readable:
//! one line of the script per line of content, printable ASCII as itself, so a person
//! auditing the script sees the file. Every byte outside printable ASCII is escaped, so the
//! content part of a script is ASCII and reads the same in any locale (yash, in the C
//! locale, refuses to read non-ASCII script text).

/// Longest run of bytes in one format string (keeps lines of binary content manageable).
const CHUNK: usize = 512;

/// `printf` format strings that print `bytes`, one per line of the content.
pub fn format_strings(bytes: &[u8]) -> Vec<String> {
    let mut formats = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let line_end = rest
            .iter()
            .position(|b| *b == b'\n')
            .map_or(rest.len(), |i| i + 1);
        let take = line_end.min(CHUNK);
        formats.push(format_string(&rest[..take]));
        rest = &rest[take..];
    }
    formats
}

/// A `printf` format string that prints exactly `bytes`.
fn format_string(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 8);
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'%' => out.push_str("%%"),
            // A leading `-` would be taken for an option by some printf builtins.
            b'-' if i == 0 => out.push_str("\\055"),
            b'\\' => out.push_str("\\134"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'\'' => out.push_str("\\047"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_readable() {
        assert_eq!(
            format_strings(b"hello %s\nit's\n"),
            vec!["hello %%s\\n", "it\\047s\\n"]
        );
        assert_eq!(format_strings("é\\".as_bytes()), vec!["\\303\\251\\134"]);
        assert_eq!(format_strings(b"-x"), vec!["\\055x"]);
    }

    #[test]
    fn bytes_are_escaped() {
        assert_eq!(
            format_strings(&[0, 0xff, b'\r', b'\n']),
            vec!["\\000\\377\\015\\n"]
        );
        assert!(format_strings(b"").is_empty());
    }
}
