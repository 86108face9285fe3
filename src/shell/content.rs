//! File contents inside a script, byte-exact and portable.
//!
//! Contents are written as `printf` format strings: POSIX `printf` turns `\ddd` octal escapes
//! into bytes in every shell kiln supports, so any bytes (NUL, invalid UTF-8, no trailing
//! newline, CRLF) survive. Text stays readable: one `printf` per line, printable ASCII and
//! UTF-8 as themselves, so a person auditing the script sees the file.

use super::builder::Sh;

/// Longest run of bytes in one `printf` (keeps lines of binary content manageable).
const CHUNK: usize = 512;

/// Shell commands that write `bytes` to standard output, one per line of the content.
pub fn printf_lines(bytes: &[u8]) -> Vec<Sh> {
    let mut commands = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let line_end = rest
            .iter()
            .position(|b| *b == b'\n')
            .map_or(rest.len(), |i| i + 1);
        let mut take = line_end.min(CHUNK);
        // Never split a UTF-8 sequence across two printfs: it would still be byte-exact,
        // but a reader would see two halves of a character escaped.
        while take < line_end && take > CHUNK - 4 && (0x80..=0xbf).contains(&rest[take]) {
            take -= 1;
        }
        let mut printf = Sh::of("printf ");
        printf.arg(&format_string(&rest[..take]));
        commands.push(printf);
        rest = &rest[take..];
    }
    commands
}

/// A `printf` format string that prints exactly `bytes`.
fn format_string(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 8);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'%' => out.push_str("%%"),
            // A leading `-` would be taken for an option by some printf builtins.
            b'-' if i == 0 => out.push_str("\\055"),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'\'' => out.push_str("\\047"),
            0x20..=0x7e => out.push(b as char),
            0x80..=0xff => {
                // Valid UTF-8 stays readable; any other byte is escaped.
                let len = utf8_len(b);
                match bytes
                    .get(i..i + len)
                    .and_then(|s| std::str::from_utf8(s).ok())
                {
                    Some(ch) if len > 1 => {
                        out.push_str(ch);
                        i += len;
                        continue;
                    }
                    _ => out.push_str(&format!("\\{b:03o}")),
                }
            }
            _ => out.push_str(&format!("\\{b:03o}")),
        }
        i += 1;
    }
    out
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(bytes: &[u8]) -> Vec<String> {
        printf_lines(bytes)
            .iter()
            .map(|sh| sh.text().to_owned())
            .collect()
    }

    #[test]
    fn text_is_readable() {
        assert_eq!(
            texts(b"hello %s\nit's\n"),
            vec!["printf 'hello %%s\\n'", "printf 'it\\047s\\n'"]
        );
        assert_eq!(texts("é\\".as_bytes()), vec!["printf 'é\\\\'"]);
        assert_eq!(texts(b"-x"), vec!["printf '\\055x'"]);
    }

    #[test]
    fn bytes_are_escaped() {
        assert_eq!(
            texts(&[0, 0xff, b'\r', b'\n']),
            vec!["printf '\\000\\377\\015\\n'"]
        );
        assert!(texts(b"").is_empty());
    }
}
