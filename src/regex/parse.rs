//! From Python `re` syntax to [`Node`]s: `regex-syntax` parses the pattern (its syntax is
//! Python's for everything kiln accepts) and this module keeps what has an exact meaning on
//! one line of text read byte by byte, refusing the rest at the construct's position.

use std::ops::Range;

use regex_syntax::ast::{
    self, Assertion, AssertionKind, Ast, ClassAsciiKind, ClassPerlKind, ClassSet, ClassSetItem,
    ErrorKind, Flag, FlagsItemKind, GroupKind, LiteralKind, RepetitionKind, RepetitionRange,
};

use super::{Class, Node, Refusal};

/// Parses `pattern`; `ignore_case` is `(?i)` for the whole pattern.
pub(super) fn parse(pattern: &str, ignore_case: bool) -> Result<(Node, Vec<String>), Refusal> {
    if pattern.is_empty() {
        return Err(Refusal::new(
            0..0,
            "the regular expression is empty",
            "an empty pattern matches every line, so the edit could never settle",
            "write what the line must contain",
        ));
    }
    let ast = ast::parse::ParserBuilder::new()
        .nest_limit(100)
        .build()
        .parse(&python_end_anchor(pattern))
        .map_err(|e| syntax_error(pattern, &e))?;
    let mut parser = Parser {
        names: Vec::new(),
        top: &ast,
    };
    let node = parser.node(&ast, ignore_case)?;
    Ok((node, parser.names))
}

/// Python spells the end of the text `\Z`, `regex-syntax` `\z`: same length, same spans.
fn python_end_anchor(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '\\'
            && let Some(next) = chars.next()
        {
            out.push(if next == 'Z' { 'z' } else { next });
        }
    }
    out
}

fn range(span: &ast::Span) -> Range<usize> {
    span.start.offset..span.end.offset
}

fn syntax_error(pattern: &str, error: &ast::Error) -> Refusal {
    let at = range(error.span());
    // `regex-syntax` sees `(?P=name)` as an unknown flag somewhere in it.
    let named_reference = pattern
        .get(at.start.saturating_sub(4)..(at.end + 4).min(pattern.len()))
        .is_some_and(|around| around.contains("(?P="));
    let (message, help) = match error.kind() {
        _ if named_reference => (
            "a back-reference inside the pattern is not supported",
            "awk and sed cannot match a back-reference; `\\g<name>` is allowed in `replace` and `line`",
        ),
        ErrorKind::UnsupportedLookAround => (
            "lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`) is not supported",
            "no tool on the host runs it; match the text itself, or split the edit into two ops",
        ),
        ErrorKind::UnsupportedBackreference => (
            "a back-reference inside the pattern is not supported",
            "awk and sed cannot match a back-reference; `\\1` is allowed in `replace` and `line`",
        ),
        ErrorKind::RepetitionMissing => (
            "a repetition operator with nothing to repeat",
            "escape it (`\\*`, `\\+`, `\\?`); possessive quantifiers such as `a*+` are not supported",
        ),
        ErrorKind::FlagUnrecognized | ErrorKind::FlagUnexpectedEof => (
            "this group or flag is not supported",
            "atomic groups `(?>...)`, conditionals and flags other than `i`, `m`, `s`, `x` have no translation",
        ),
        ErrorKind::RepetitionCountUnclosed | ErrorKind::RepetitionCountDecimalEmpty => (
            "a `{` that starts no repetition count",
            "write `\\{` for a literal brace, or a count such as `{2}`, `{1,3}` or `{0,3}` (not `{,3}`)",
        ),
        ErrorKind::EscapeUnrecognized => (
            "an escape sequence that Python's `re` does not know",
            "escape punctuation only (`\\.`), or use `\\d`, `\\s`, `\\w`, `\\b`, `\\t`, `\\xHH`",
        ),
        _ => {
            let kind = error.kind().to_string();
            return Refusal::new(
                at,
                &format!("invalid regular expression: {kind}"),
                "here",
                "the dialect is Python's `re`, as Ansible's users write it (docs/manifest.md)",
            );
        }
    };
    Refusal::new(at, message, "here", help)
}

struct Parser<'a> {
    /// Group names by index - 1 (empty for an unnamed group).
    names: Vec<String>,
    top: &'a Ast,
}

impl Parser<'_> {
    fn node(&mut self, ast: &Ast, fold: bool) -> Result<Node, Refusal> {
        Ok(match ast {
            Ast::Empty(_) => Node::Empty,
            Ast::Flags(set) => {
                self.leading_flags(set, ast)?;
                Node::Empty
            }
            Ast::Literal(literal) => {
                Node::Char(literal_class(literal, fold)?.non_empty(range(&literal.span))?)
            }
            Ast::Dot(_) => Node::Char(Class::any()),
            Ast::Assertion(assertion) => assertion_node(assertion)?,
            Ast::ClassUnicode(class) => return Err(unicode_class(&class.span)),
            Ast::ClassPerl(class) => Node::Char(perl_class(class.kind.clone(), class.negated)),
            Ast::ClassBracketed(class) => Node::Char(bracketed(class, fold)?),
            Ast::Repetition(repetition) => self.repetition(repetition, fold)?,
            Ast::Group(group) => self.group(group, fold)?,
            Ast::Alternation(alt) => Node::Alt(
                alt.asts
                    .iter()
                    .map(|a| self.node(a, fold))
                    .collect::<Result<_, _>>()?,
            ),
            Ast::Concat(concat) => {
                // A leading `(?i)` applies to the whole pattern, as in Python.
                let mut fold = fold;
                if let Some(Ast::Flags(set)) = concat.asts.first()
                    && std::ptr::eq(self.top, ast)
                {
                    fold = flags(&set.flags, fold)?;
                }
                Node::Seq(
                    concat
                        .asts
                        .iter()
                        .map(|a| self.node(a, fold))
                        .collect::<Result<_, _>>()?,
                )
            }
        })
    }

    /// Global flags (`(?i)`), which Python accepts only at the start of the pattern.
    fn leading_flags(&self, set: &ast::SetFlags, ast: &Ast) -> Result<(), Refusal> {
        let leading = matches!(self.top, Ast::Concat(c) if std::ptr::eq(&c.asts[0], ast))
            || std::ptr::eq(self.top, ast);
        if !leading {
            return Err(Refusal::new(
                range(&set.span),
                "flags in the middle of the pattern",
                "Python's `re` refuses global flags that do not start the pattern",
                "move them to the start, or scope them: `(?i:...)`",
            ));
        }
        flags(&set.flags, false)?;
        Ok(())
    }

    /// A greedy repetition of one node; lazy and possessive ones have no translation.
    fn repetition(&mut self, repetition: &ast::Repetition, fold: bool) -> Result<Node, Refusal> {
        if !repetition.greedy {
            return Err(Refusal::new(
                range(&repetition.op.span),
                "lazy quantifiers are not supported",
                "POSIX awk and sed only repeat greedily",
                "write a class that stops where the match must end, e.g. `[^\"]*\"` instead of `.*?\"`",
            ));
        }
        if let Ast::Repetition(_) = *repetition.ast {
            // Python 3.11 reads `a*+` as possessive, older ones refuse it.
            return Err(Refusal::new(
                range(&repetition.op.span),
                "a repetition of a repetition (a possessive quantifier in Python)",
                "no translation",
                "group the inner repetition if you mean it: `(?:a*)+`",
            ));
        }
        let (min, max) = match &repetition.op.kind {
            RepetitionKind::ZeroOrOne => (0, Some(1)),
            RepetitionKind::ZeroOrMore => (0, None),
            RepetitionKind::OneOrMore => (1, None),
            RepetitionKind::Range(RepetitionRange::Exactly(n)) => (*n, Some(*n)),
            RepetitionKind::Range(RepetitionRange::AtLeast(n)) => (*n, None),
            RepetitionKind::Range(RepetitionRange::Bounded(m, n)) => (*m, Some(*n)),
        };
        Ok(Node::Repeat {
            node: Box::new(self.node(&repetition.ast, fold)?),
            min,
            max,
            at: range(&repetition.span),
        })
    }

    /// A group: a capture (its name recorded by index) or flags scoped to its content.
    fn group(&mut self, group: &ast::Group, fold: bool) -> Result<Node, Refusal> {
        let mut fold = fold;
        let index = match &group.kind {
            GroupKind::CaptureIndex(i) => Some((*i, String::new())),
            GroupKind::CaptureName { name, .. } => Some((name.index, name.name.clone())),
            GroupKind::NonCapturing(set) => {
                fold = flags(set, fold)?;
                None
            }
        };
        if let Some((i, name)) = &index {
            let slot = *i as usize - 1;
            if self.names.len() <= slot {
                self.names.resize(slot + 1, String::new());
            }
            self.names[slot] = name.clone();
        }
        let inner = self.node(&group.ast, fold)?;
        Ok(match index {
            Some((index, _)) => Node::Group {
                index,
                node: Box::new(inner),
            },
            None => inner,
        })
    }
}

/// The case-insensitivity that `flags` leave (`fold` before them); refuses flags without a
/// Python meaning.
fn flags(flags: &ast::Flags, fold: bool) -> Result<bool, Refusal> {
    let mut fold = fold;
    let mut on = true;
    for item in &flags.items {
        match &item.kind {
            FlagsItemKind::Negation => on = false,
            FlagsItemKind::Flag(Flag::CaseInsensitive) => fold = on,
            // One line at a time: `^`/`$` and `.` mean the same with or without these.
            FlagsItemKind::Flag(
                Flag::MultiLine | Flag::DotMatchesNewLine | Flag::IgnoreWhitespace,
            ) => {}
            FlagsItemKind::Flag(_) => {
                return Err(Refusal::new(
                    range(&item.span),
                    "this flag is not part of Python's `re`",
                    "no translation",
                    "the flags are `i`, `m`, `s` and `x`",
                ));
            }
        }
    }
    Ok(fold)
}

fn assertion_node(assertion: &Assertion) -> Result<Node, Refusal> {
    Ok(match assertion.kind {
        AssertionKind::StartLine | AssertionKind::StartText => Node::Start,
        AssertionKind::EndLine | AssertionKind::EndText => Node::End,
        AssertionKind::WordBoundary => Node::Boundary {
            word: true,
            at: range(&assertion.span),
        },
        AssertionKind::NotWordBoundary => Node::Boundary {
            word: false,
            at: range(&assertion.span),
        },
        _ => {
            return Err(Refusal::new(
                range(&assertion.span),
                "this word-boundary form is not part of Python's `re`",
                "no translation",
                "use `\\b` or `\\B`",
            ));
        }
    })
}

fn unicode_class(span: &ast::Span) -> Refusal {
    Refusal::new(
        range(span),
        "Unicode classes (`\\p{...}`) are not part of Python's `re`",
        "no translation",
        "list the characters in a class, e.g. `[a-zA-Z]`",
    )
}

fn literal_class(literal: &ast::Literal, fold: bool) -> Result<Class, Refusal> {
    if matches!(literal.kind, LiteralKind::HexBrace(_)) {
        return Err(Refusal::new(
            range(&literal.span),
            "`\\x{...}` is not part of Python's `re`",
            "no translation",
            "write `\\xHH`, `\\uHHHH`, or the character itself",
        ));
    }
    Class::of(literal.c, range(&literal.span), fold)
}

fn perl_class(kind: ClassPerlKind, negated: bool) -> Class {
    let class = match kind {
        ClassPerlKind::Digit => Class::ascii(|b| b.is_ascii_digit()),
        ClassPerlKind::Space => Class::ascii(|b| b" \t\n\r\x0b\x0c".contains(&b)),
        ClassPerlKind::Word => Class::ascii(super::is_word),
    };
    if negated { class.negate() } else { class }
}

fn ascii_class(kind: &ClassAsciiKind) -> Class {
    let test: fn(u8) -> bool = match kind {
        ClassAsciiKind::Alnum => |b| b.is_ascii_alphanumeric(),
        ClassAsciiKind::Alpha => |b| b.is_ascii_alphabetic(),
        ClassAsciiKind::Ascii => |b| b < 0x80,
        ClassAsciiKind::Blank => |b| b == b' ' || b == b'\t',
        ClassAsciiKind::Cntrl => |b| b.is_ascii_control(),
        ClassAsciiKind::Digit => |b| b.is_ascii_digit(),
        ClassAsciiKind::Graph => |b| b.is_ascii_graphic(),
        ClassAsciiKind::Lower => |b| b.is_ascii_lowercase(),
        ClassAsciiKind::Print => |b| b.is_ascii_graphic() || b == b' ',
        ClassAsciiKind::Punct => |b| b.is_ascii_punctuation(),
        ClassAsciiKind::Space => |b| b" \t\n\r\x0b\x0c".contains(&b),
        ClassAsciiKind::Upper => |b| b.is_ascii_uppercase(),
        ClassAsciiKind::Word => super::is_word,
        ClassAsciiKind::Xdigit => |b| b.is_ascii_hexdigit(),
    };
    Class::ascii(test)
}

fn bracketed(class: &ast::ClassBracketed, fold: bool) -> Result<Class, Refusal> {
    let ClassSet::Item(item) = &class.kind else {
        return Err(Refusal::new(
            range(class.kind.span()),
            "class set operations (`&&`, `--`, `~~`) are not part of Python's `re`",
            "Python reads these characters literally",
            "list the characters of the class instead",
        ));
    };
    let mut set = Class::none();
    set_item(item, fold, &mut set)?;
    if class.negated {
        if !set.multi.is_empty() {
            return Err(Refusal::new(
                range(&class.span),
                "a negated class with non-ASCII characters",
                "matched byte by byte, `[^é]` cannot exclude a character of several bytes",
                "exclude ASCII characters only, or match the character outside a class",
            ));
        }
        set = set.negate();
    }
    set.non_empty(range(&class.span))
}

fn set_item(item: &ClassSetItem, fold: bool, set: &mut Class) -> Result<(), Refusal> {
    match item {
        ClassSetItem::Empty(_) => {}
        ClassSetItem::Literal(literal) => set.add(&literal_class(literal, fold)?),
        ClassSetItem::Range(r) => {
            let (low, high) = (r.start.c, r.end.c);
            if !high.is_ascii() {
                return Err(Refusal::new(
                    range(&r.span),
                    "a range of non-ASCII characters",
                    "matched byte by byte, only ASCII ranges translate exactly",
                    "list the characters one by one",
                ));
            }
            for c in low..=high {
                set.add(&Class::of(c, range(&r.span), fold)?);
            }
        }
        ClassSetItem::Ascii(class) if !class.negated => set.add(&ascii_class(&class.kind)),
        ClassSetItem::Ascii(class) => {
            return Err(Refusal::new(
                range(&class.span),
                "`[:^...:]` is not part of Python's `re`",
                "no translation",
                "negate the whole class: `[^[:digit:]]`",
            ));
        }
        ClassSetItem::Unicode(class) => return Err(unicode_class(&class.span)),
        ClassSetItem::Perl(class) => set.add(&perl_class(class.kind.clone(), class.negated)),
        ClassSetItem::Bracketed(inner) => {
            return Err(Refusal::new(
                range(&inner.span),
                "a class nested in a class",
                "Python's `re` reads `[` inside a class as the character `[`",
                "write `\\[` for the character, or list the characters in one class",
            ));
        }
        ClassSetItem::Union(union) => {
            for item in &union.items {
                set_item(item, fold, set)?;
            }
        }
    }
    Ok(())
}
