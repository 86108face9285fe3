//! The status line: how a script reports one op (`ok  1  files.put /etc/motd  [main.toml:4]`),
//! defined once, here. The runtime's `k_say` prints it with a `printf` format made from
//! [`STATUS_LINE`] ([`StatusLine::printf_format`], filled into the runtime's text), and kiln's
//! live report reader reads it back with [`StatusLine::parse`] of the same value: change the
//! definition and both sides follow.
//!
//! A line is the run's marker (live runs only: `KILN_MARK`, which the reader strips first),
//! then each field after the text that precedes it, then the text that ends the line. Word
//! fields (the status and the op's index) never hold white space and may be padded to a
//! width; text fields (the op's label and origin) hold any text, given to the script through
//! [`escape`] so that a line stays one line: a line feed is written `\n`, a carriage return
//! `\r`, any other control character but the tab `\xHH` (the reader gives the fields back as
//! written: a label is for people to read). The parser takes text fields as long as they can
//! be, word fields as short: a label may hold the separators themselves, as long as the
//! fields after it do not (an origin is `file:line`).

use std::borrow::Cow;

/// Every status an op can end with, as the status line writes it.
pub const STATUSES: &[&str] = &[
    "ok",
    "changed",
    "would-change",
    "would-fail",
    "failed",
    "failed-ignored",
    "skipped",
    "not-run",
];

/// A field of the status line: what `k_say STATUS INDEX LABEL ORIGIN` is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// One of [`STATUSES`]: a word.
    Status,
    /// `1`, `2`, ... for ops, `h1`, ... for handlers: a word.
    Index,
    /// What the op is (its name, or its op and main argument): text.
    Label,
    /// Where it was written, `file:line`: text.
    Origin,
}

impl Field {
    /// Its position among `k_say`'s arguments.
    fn argument(self) -> usize {
        match self {
            Field::Status => 1,
            Field::Index => 2,
            Field::Label => 3,
            Field::Origin => 4,
        }
    }

    fn is_word(self) -> bool {
        matches!(self, Field::Status | Field::Index)
    }
}

/// How a field is laid out: padded with spaces to a width, after its value (`Left`) or
/// before it (`Right`), or as it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Plain,
    Left(usize),
    Right(usize),
}

/// One field, and the text written before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    pub before: &'static str,
    pub field: Field,
    pub align: Align,
}

/// The layout of a status line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusLine {
    /// Every field once, in the order written.
    pub pieces: &'static [Piece],
    /// The text after the last field (the newline is not part of it).
    pub end: &'static str,
}

/// kiln's status line: `changed         3  files.put /etc/motd  [main.toml:4]`.
pub const STATUS_LINE: StatusLine = StatusLine {
    pieces: &[
        Piece {
            before: "",
            field: Field::Status,
            align: Align::Left(13),
        },
        Piece {
            before: " ",
            field: Field::Index,
            align: Align::Right(3),
        },
        Piece {
            before: "  ",
            field: Field::Label,
            align: Align::Plain,
        },
        Piece {
            before: "  [",
            field: Field::Origin,
            align: Align::Plain,
        },
    ],
    end: "]",
};

/// One status line's fields, as the script was given them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub status: String,
    pub index: String,
    pub label: String,
    pub origin: String,
}

impl StatusLine {
    /// The `printf` format `k_say` prints with: the marker (`%s`), then the fields, then a
    /// newline. Its arguments are [`StatusLine::printf_arguments`].
    pub fn printf_format(&self) -> String {
        let mut format = String::from("%s");
        for piece in self.pieces {
            format.push_str(&printf_literal(piece.before));
            format.push_str(&match piece.align {
                Align::Plain => "%s".to_owned(),
                Align::Left(width) => format!("%-{width}s"),
                Align::Right(width) => format!("%{width}s"),
            });
        }
        format.push_str(&printf_literal(self.end));
        format.push_str("\\n");
        format
    }

    /// `k_say`'s positional parameters in the order the fields are written (`"$1" "$2"
    /// ...`), after the marker's.
    pub fn printf_arguments(&self) -> String {
        let arguments: Vec<String> = self
            .pieces
            .iter()
            .map(|piece| format!("\"${}\"", piece.field.argument()))
            .collect();
        arguments.join(" ")
    }

    /// The fields of `line` (without the run's marker and the newline), or `None` when it
    /// is not a status line.
    pub fn parse(&self, line: &str) -> Option<Status> {
        let first = self.pieces.first()?;
        let rest = line.strip_prefix(first.before)?;
        let mut values = [""; 4];
        if !self.fields_from(0, rest, &mut values) {
            return None;
        }
        let value = |field: Field| values[field.argument() - 1];
        Some(Status {
            status: value(Field::Status).to_owned(),
            index: value(Field::Index).to_owned(),
            label: value(Field::Label).to_owned(),
            origin: value(Field::Origin).to_owned(),
        })
    }

    /// Matches `rest`, which starts with field `i`'s value, against the pieces from `i`
    /// on, filling `values` (by argument position). A word field takes the shortest value
    /// that lets the rest match, a text field the longest.
    fn fields_from<'a>(&self, i: usize, rest: &'a str, values: &mut [&'a str; 4]) -> bool {
        let Some(piece) = self.pieces.get(i) else {
            return rest.is_empty();
        };
        let (next, last) = match self.pieces.get(i + 1) {
            Some(next) => (next.before, false),
            None => (self.end, true),
        };
        let mut ends: Vec<usize> = if last {
            rest.strip_suffix(next)
                .map(|value| value.len())
                .into_iter()
                .collect()
        } else {
            rest.match_indices(next).map(|(at, _)| at).collect()
        };
        if !piece.field.is_word() {
            ends.reverse();
        }
        for end in ends {
            let value = &rest[..end];
            let value = match piece.align {
                Align::Plain => value,
                Align::Left(_) => value.trim_end_matches(' '),
                Align::Right(_) => value.trim_start_matches(' '),
            };
            if piece.field.is_word() && (value.is_empty() || value.contains(char::is_whitespace)) {
                continue;
            }
            values[piece.field.argument() - 1] = value;
            if self.fields_from(i + 1, &rest[end + next.len()..], values) {
                return true;
            }
        }
        false
    }
}

/// `text` as `printf` prints it from its format: `%` and `\` doubled.
fn printf_literal(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "%%")
}

/// A text field's value on one line (see the module doc).
pub fn escape(text: &str) -> Cow<'_, str> {
    let escaped = |c: char| c.is_control() && c != '\t';
    if !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if escaped(c) => {
                let mut bytes = [0; 4];
                for byte in c.encode_utf8(&mut bytes).bytes() {
                    out.push_str(&format!("\\x{byte:02x}"));
                }
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_is_the_one_scripts_have_always_printed() {
        assert_eq!(STATUS_LINE.printf_format(), "%s%-13s %3s  %s  [%s]\\n");
        assert_eq!(STATUS_LINE.printf_arguments(), r#""$1" "$2" "$3" "$4""#);
    }

    #[test]
    fn parses_labels_holding_separators() {
        let status = STATUS_LINE
            .parse("changed         3  a  [b]  c   [main.toml:4]")
            .unwrap();
        assert_eq!(status.status, "changed");
        assert_eq!(status.index, "3");
        assert_eq!(status.label, "a  [b]  c ");
        assert_eq!(status.origin, "main.toml:4");
        assert_eq!(STATUS_LINE.parse("kiln: 1 ok"), None);
    }

    #[test]
    fn escapes_keep_a_field_on_one_line() {
        assert_eq!(escape("a\\n b"), "a\\n b", "printable text is kept");
        assert_eq!(
            escape("a\nb\tc\r\u{1b}[1m\u{85}"),
            "a\\nb\tc\\r\\x1b[1m\\xc2\\x85"
        );
    }
}
