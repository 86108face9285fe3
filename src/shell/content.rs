//! File contents inside a script, byte-exact and portable.
//!
//! Contents are written as `printf` format strings, each printed by the runtime's `k_bytes`
//! (a builtin `printf`, or mksh's builtin `print`: an external `printf` would show the
//! content, a private key say, in its arguments to every user's `ps`). `\ddd` octal escapes
//! turn into bytes in every shell kiln supports, so any bytes (NUL, invalid UTF-8, no
//! trailing newline, CRLF) survive. A backslash is always written `\134`, so every `\` in a
//! format starts an escape and the translation for mksh is unambiguous. Text stays readable:
//! one line of the script per line of content, printable ASCII as itself, so a person
//! auditing the script sees the file. Every byte outside printable ASCII is escaped, so the
//! content part of a script is ASCII and reads the same in any locale (yash, in the C
//! locale, refuses to read non-ASCII script text).

use super::builder::Sh;

/// Longest run of bytes in one `k_bytes` (keeps lines of binary content manageable).
const CHUNK: usize = 512;

/// Shell commands that write `bytes` to standard output, one per line of the content.
pub fn byte_lines(bytes: &[u8]) -> Vec<Sh> {
    let mut commands = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let line_end = rest
            .iter()
            .position(|b| *b == b'\n')
            .map_or(rest.len(), |i| i + 1);
        let take = line_end.min(CHUNK);
        let mut line = Sh::of("k_bytes ");
        line.arg(&format_string(&rest[..take]));
        commands.push(line);
        rest = &rest[take..];
    }
    commands
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

    fn texts(bytes: &[u8]) -> Vec<String> {
        byte_lines(bytes)
            .iter()
            .map(|sh| sh.text().to_owned())
            .collect()
    }

    #[test]
    fn text_is_readable() {
        assert_eq!(
            texts(b"hello %s\nit's\n"),
            vec!["k_bytes 'hello %%s\\n'", "k_bytes 'it\\047s\\n'"]
        );
        assert_eq!(texts("é\\".as_bytes()), vec!["k_bytes '\\303\\251\\134'"]);
        assert_eq!(texts(b"-x"), vec!["k_bytes '\\055x'"]);
    }

    #[test]
    fn bytes_are_escaped() {
        assert_eq!(
            texts(&[0, 0xff, b'\r', b'\n']),
            vec!["k_bytes '\\000\\377\\015\\n'"]
        );
        assert!(texts(b"").is_empty());
    }
}
