//! kiln's one regular-expression dialect: Python's `re` syntax, as Ansible's users write
//! it, for every regex argument of every op; translated at compile time into what every
//! host tool runs identically, or refused at check time at the construct that has no
//! exact translation.
//!
//! The host side is awk (mawk 1.3.4, gawk, busybox awk, the BSDs' awk) run with
//! `LC_ALL=C`, so the target is the POSIX ERE subset they share: no intervals (`{m,n}` is
//! expanded), no GNU escapes (`\s`, `\w`, `\d` become bracket expressions of literal
//! characters), no backslash inside brackets except `\\`, no empty groups or alternatives.
//! A pattern is matched against one line without its line ending, so `^`/`\A` and
//! `$`/`\Z` are the line's ends and the `m`, `s` and `x` flags change nothing.
//!
//! Invariants of the translation:
//! - One character of the pattern is one character of the line, not one byte: `.`,
//!   negated classes and `\W`/`\S`/`\D` match a whole UTF-8 character (the program turns
//!   the byte-class markers of [`ere`] into bytes, since the ERE travels as text).
//! - `\d`, `\w`, `\s`, `\b` are ASCII, as with Python's `re.ASCII`; `(?i)` folds ASCII
//!   letters (a non-ASCII letter under `(?i)` is refused).
//! - `\b`/`\B` are kept only where the characters on both sides are known from the
//!   pattern, or at its start or end (then they become a condition on the character
//!   before or after the match: [`Edge`]).
//! - The existence ERE ([`Regex::ere`]) matches a line iff Python's `re.search` does.
//!   Where the extent of a match matters (`files.replace`, `backrefs`), [`program`] gives
//!   the awk matcher of `src/runtime/edit_programs.sh` what it needs to find Python's
//!   leftmost-first match and its groups, instead of awk's leftmost-longest.

mod boundary;
mod ere;
mod matcher;
mod parse;
mod program;

use std::ops::Range;

pub use matcher::{Matcher, compile};
pub use program::{Piece, Replacement};

/// The parsed pattern, as kiln translates it.
#[derive(Clone, Debug, PartialEq)]
enum Node {
    Empty,
    /// One character.
    Char(Class),
    Seq(Vec<Node>),
    Alt(Vec<Node>),
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
        at: Range<usize>,
    },
    Group {
        index: u32,
        node: Box<Node>,
    },
    Start,
    End,
    /// `\b` (`word`) or `\B`, until [`boundary`] resolves it.
    Boundary {
        word: bool,
        at: Range<usize>,
    },
}

/// A set of characters: ASCII ones by bit, others listed, or all others (`other`).
#[derive(Clone, Debug, PartialEq)]
struct Class {
    ascii: u128,
    multi: Vec<char>,
    other: bool,
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl Class {
    fn none() -> Class {
        Class {
            ascii: 0,
            multi: Vec::new(),
            other: false,
        }
    }

    fn any() -> Class {
        Class {
            ascii: u128::MAX,
            multi: Vec::new(),
            other: true,
        }
    }

    fn ascii(test: fn(u8) -> bool) -> Class {
        let mut class = Class::none();
        class.ascii = (0..128u8)
            .filter(|b| test(*b))
            .fold(0, |bits, b| bits | 1 << b);
        class
    }

    /// The character `c` (both ASCII cases with `fold`).
    fn of(c: char, at: Range<usize>, fold: bool) -> Result<Class, Refusal> {
        let mut class = Class::none();
        if c == '\u{1}' {
            return Err(Refusal::new(
                at,
                "the character U+0001 is reserved",
                "kiln marks byte classes with it in the translated pattern",
                "text files rarely hold it; match it with `.`",
            ));
        }
        if c.is_ascii() {
            class.ascii = 1 << c as u32;
            if fold && c.is_ascii_alphabetic() {
                class.ascii |= 1 << (c as u8 ^ 0x20);
            }
        } else if fold && (c.to_lowercase().ne([c]) || c.to_uppercase().ne([c])) {
            return Err(Refusal::new(
                at,
                "a non-ASCII letter in a case-insensitive pattern",
                "matched byte by byte, only ASCII letters fold exactly",
                "list both cases, e.g. `(é|É)`, and drop `(?i)`/`ignore_case`",
            ));
        } else {
            class.multi.push(c);
        }
        Ok(class)
    }

    fn add(&mut self, other: &Class) {
        self.ascii |= other.ascii;
        self.other |= other.other;
        for c in &other.multi {
            if !self.multi.contains(c) {
                self.multi.push(*c);
            }
        }
    }

    fn negate(mut self) -> Class {
        self.ascii = !self.ascii;
        self.other = !self.other;
        self
    }

    /// The ASCII members a line can hold: no NUL, no newline.
    fn bytes(&self) -> u128 {
        self.ascii & !(1 | 1 << b'\n')
    }

    /// Refuses a class no character of a line can match (`\n`, `[^\x00-\U0010FFFF]`).
    fn non_empty(self, at: Range<usize>) -> Result<Class, Refusal> {
        if self.bytes() == 0 && self.multi.is_empty() && !self.other {
            return Err(Refusal::new(
                at,
                "this matches no character of a line",
                "each line is matched without its newline",
                "use `files.block` to manage several lines",
            ));
        }
        Ok(self)
    }

    /// Whether some member is a word character, and whether some member is not.
    fn wordness(&self) -> (bool, bool) {
        let word = Class::ascii(is_word).ascii;
        (
            self.bytes() & word != 0,
            self.bytes() & !word != 0 || !self.multi.is_empty() || self.other,
        )
    }
}

/// A construct without an exact translation, or a malformed pattern: where (bytes of the
/// pattern) and what to say.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    pub at: Range<usize>,
    pub message: String,
    pub label: String,
    pub help: String,
}

impl Refusal {
    fn new(at: Range<usize>, message: &str, label: &str, help: &str) -> Refusal {
        Refusal {
            at,
            message: message.to_owned(),
            label: label.to_owned(),
            help: help.to_owned(),
        }
    }
}

/// What the character just outside a match must be (`\b` at the pattern's start or end).
/// The start and the end of the line count as non-word characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Edge {
    Any,
    Word,
    NotWord,
}

/// A pattern of kiln's dialect, checked and translated.
#[derive(Clone, Debug)]
pub struct Regex {
    node: Node,
    /// Group names by index - 1; empty for an unnamed group.
    names: Vec<String>,
    before: Edge,
    after: Edge,
    ere: String,
}

impl Regex {
    /// Parses and translates `pattern`; `ignore_case` is `(?i)` for the whole pattern.
    pub fn parse(pattern: &str, ignore_case: bool) -> Result<Regex, Refusal> {
        let (node, names) = parse::parse(pattern, ignore_case)?;
        let (node, before, after) = boundary::resolve(node)?;
        let ere = ere::existence(&node, before, after)?;
        Ok(Regex {
            node,
            names,
            before,
            after,
            ere,
        })
    }

    /// The ERE that matches a line iff Python's `re.search` finds the pattern in it. Its
    /// byte classes are markers the awk frame of `src/runtime/edit_programs.sh` turns into bytes.
    pub fn ere(&self) -> &str {
        &self.ere
    }

    /// The number of capturing groups.
    pub fn groups(&self) -> u32 {
        self.names.len() as u32
    }

    /// The index of the group named `name`.
    pub fn group_named(&self, name: &str) -> Option<u32> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| i as u32 + 1)
    }

    /// Whether the pattern can match the empty text somewhere.
    pub fn matches_empty(&self) -> bool {
        nullable(&self.node)
    }

    /// What could make the pattern match otherwise when it is searched in a whole file
    /// with `re.DOTALL` (as Ansible's `replace` searches `after` and `before`) than within
    /// one line: there `^`/`$` are the file's ends, and `.`, `\s` and negated classes
    /// also match a line break. `None` when every match lies within one line, so searching
    /// line by line finds the same first (and last) match.
    pub fn whole_file_difference(&self) -> Option<&'static str> {
        crosses_lines(&self.node)
    }
}

/// The first construct of `node` that reads differently in a whole file (see
/// [`Regex::whole_file_difference`]).
fn crosses_lines(node: &Node) -> Option<&'static str> {
    match node {
        Node::Start | Node::End => Some("`^`, `$`, `\\A` and `\\Z` are the ends of the whole file"),
        Node::Char(class) if class.ascii & 1 << b'\n' != 0 => {
            Some("`.`, `\\s`, `\\W`, `\\D` and negated classes also match a line break")
        }
        Node::Empty | Node::Char(_) | Node::Boundary { .. } => None,
        Node::Seq(items) | Node::Alt(items) => items.iter().find_map(crosses_lines),
        Node::Repeat { node, .. } | Node::Group { node, .. } => crosses_lines(node),
    }
}

/// Whether `node` can match the empty text.
fn nullable(node: &Node) -> bool {
    match node {
        Node::Empty | Node::Start | Node::End | Node::Boundary { .. } => true,
        Node::Char(_) => false,
        Node::Seq(items) => items.iter().all(nullable),
        Node::Alt(branches) => branches.iter().any(nullable),
        Node::Repeat { node, min, .. } => *min == 0 || nullable(node),
        Node::Group { node, .. } => nullable(node),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ere(pattern: &str) -> String {
        Regex::parse(pattern, false).unwrap().ere().to_owned()
    }

    #[test]
    fn translations() {
        assert_eq!(ere(r"^port=\d{4}$"), "^port=[0-9][0-9][0-9][0-9]$");
        assert_eq!(ere("a{2,4}"), "aa(a(a)?)?");
        assert_eq!(ere("a{0,2}b"), "(a(a)?)?b");
        assert!(Regex::parse("a{,2}", false).is_err());
        assert_eq!(ere(r"\Aa\Z"), "^a$");
        assert_eq!(ere(r"(?:x|)y"), "x?y");
        assert_eq!(ere(r"(?P<k>\w+)"), "[0-9A-Z_a-z][0-9A-Z_a-z]*");
        assert_eq!(ere("(?i)ab1"), "[Aa][Bb]1");
        assert_eq!(ere(r"[]^\-]"), "[]^-]");
        assert_eq!(ere(r"[\\a]"), r"[a\\]");
        assert_eq!(ere(r"[\^-]"), "[-^]");
        assert_eq!(ere(r"\."), r"\.");
        assert_eq!(ere("é+"), "(é)(é)*");
        assert_eq!(
            ere(r"^#?\s*PermitRootLogin\b"),
            "^(#)?[\t\u{b}-\r ]*PermitRootLogin([^0-9A-Z_a-z]|$)"
        );
        assert_eq!(ere(r"\bport\b"), "(^|[^0-9A-Z_a-z])port([^0-9A-Z_a-z]|$)");
        // Known on both sides: always true, so dropped.
        assert_eq!(ere(r"a\b-"), "a-");
    }

    #[test]
    fn refusals() {
        for (pattern, at) in [
            ("a(?=b)", 1..4),
            ("a*?", 1..3),
            (r"(a)\1", 3..5),
            (r"x|\bx", 2..4),
            (r"a\bb", 1..3),
            ("[^é]", 0..5),
        ] {
            let refusal = Regex::parse(pattern, false).unwrap_err();
            assert_eq!(refusal.at, at, "{pattern}: {refusal:?}");
        }
        assert!(Regex::parse("é", true).is_err());
        // Refused before anything is written out.
        assert!(Regex::parse("a{1000000000}", false).is_err());
        assert!(Regex::parse("(?:a{70}){70}", false).is_err());
    }

    #[test]
    fn groups_and_replacements() {
        let regex = Regex::parse(r"(?P<k>\w+)=(?:x)(\d)", false).unwrap();
        assert_eq!(regex.groups(), 2);
        assert_eq!(regex.group_named("k"), Some(1));
        let replacement = Replacement::parse(r"\g<k>:\2 \\ \g<0>&", &regex).unwrap();
        assert_eq!(replacement.encode(), "G1\nT:\nG2\nT \\ \nG0\nT&");
        assert!(Replacement::parse(r"\3", &regex).is_err());
        // Python's escapes: a tab; a line break and unknown letters refused.
        assert_eq!(
            Replacement::parse(r"a\tb\.", &regex).unwrap().encode(),
            "Ta\tb\\."
        );
        for refused in [r"\n", r"\D", r"\g"] {
            assert!(Replacement::parse(refused, &regex).is_err(), "{refused}");
        }
        assert!(Replacement::parse(r"\1", &Regex::parse("(a)+", false).unwrap()).is_err());
    }

    #[test]
    fn whole_file_differences() {
        let differs = |p: &str| Regex::parse(p, false).unwrap().whole_file_difference();
        for pattern in ["^a", "a$", ".", r"a\s", "[^a]", r"(x|\W)", r"\D+"] {
            assert!(differs(pattern).is_some(), "{pattern}");
        }
        for pattern in ["<VirtualHost", r"\bport\b", r"[a-z\d]+", "a(b|c)?"] {
            assert_eq!(differs(pattern), None, "{pattern}");
        }
    }
}
