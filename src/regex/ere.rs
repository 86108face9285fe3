//! [`Node`]s as POSIX EREs that mawk 1.3.4, gawk, busybox awk and the BSDs' awk read the
//! same way (checked by `tests/it/regex.rs`). Bytes above 0x7F cannot travel in the script
//! text, so the byte classes of UTF-8 are markers (`\x01` and a letter) that the awk frame
//! replaces with bracket expressions of raw bytes before matching.

use super::{Class, Edge, Node, Refusal};

/// The longest ERE an expanded repetition may become.
const LIMIT: usize = 4000;

/// A lead byte of a two-, three- and four-byte UTF-8 character, and a continuation byte.
const LEAD2: &str = "\u{1}L2";
const LEAD3: &str = "\u{1}L3";
const LEAD4: &str = "\u{1}L4";
const CONT: &str = "\u{1}C";
/// Inside a bracket expression: the range of every byte above 0x7F.
const HIGH: &str = "\u{1}H";

/// How an ERE binds, to know when it needs parentheses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Prec {
    Empty,
    Atom,
    Concat,
    Alt,
}

#[derive(Clone, Debug)]
pub(super) struct Ere {
    text: String,
    prec: Prec,
}

impl Ere {
    fn empty() -> Ere {
        Ere {
            text: String::new(),
            prec: Prec::Empty,
        }
    }

    fn atom(text: String) -> Ere {
        Ere {
            text,
            prec: Prec::Atom,
        }
    }

    fn grouped(self) -> Ere {
        match self.prec {
            Prec::Empty | Prec::Atom => self,
            _ => Ere::atom(format!("({})", self.text)),
        }
    }

    /// Anchored at the start of a text: `^(...)`, or `^` for the empty ERE.
    pub(super) fn anchored(&self) -> String {
        format!("^{}", self.clone().grouped().text)
    }

    /// The whole text: `^(...)$`.
    pub(super) fn whole(&self) -> String {
        format!("^{}$", self.clone().grouped().text)
    }
}

/// The concatenation of `parts`.
pub(super) fn seq(parts: impl IntoIterator<Item = Ere>) -> Ere {
    let parts: Vec<Ere> = parts
        .into_iter()
        .filter(|p| p.prec != Prec::Empty)
        .collect();
    match parts.len() {
        0 => Ere::empty(),
        1 => parts.into_iter().next().unwrap_or_else(Ere::empty),
        _ => Ere {
            text: parts
                .into_iter()
                .map(|p| match p.prec {
                    Prec::Alt => format!("({})", p.text),
                    _ => p.text,
                })
                .collect(),
            prec: Prec::Concat,
        },
    }
}

fn alt(parts: Vec<Ere>) -> Ere {
    let optional = parts.iter().any(|p| p.prec == Prec::Empty);
    let parts: Vec<Ere> = parts
        .into_iter()
        .filter(|p| p.prec != Prec::Empty)
        .collect();
    let joined = match parts.len() {
        0 => return Ere::empty(),
        1 => parts.into_iter().next().unwrap_or_else(Ere::empty),
        _ => Ere {
            text: parts
                .iter()
                .map(|p| p.text.as_str())
                .collect::<Vec<_>>()
                .join("|"),
            prec: Prec::Alt,
        },
    };
    if optional {
        Ere::atom(format!("{}?", joined.grouped().text))
    } else {
        joined
    }
}

/// The ERE of `node`.
pub(super) fn ere(node: &Node) -> Result<Ere, Refusal> {
    Ok(match node {
        Node::Empty | Node::Boundary { .. } => Ere::empty(),
        Node::Char(class) => class_ere(class),
        Node::Seq(items) => seq(items.iter().map(ere).collect::<Result<Vec<_>, _>>()?),
        Node::Alt(branches) => alt(branches.iter().map(ere).collect::<Result<_, _>>()?),
        Node::Group { node, .. } => ere(node)?,
        Node::Start => Ere::atom("^".into()),
        Node::End => Ere::atom("$".into()),
        Node::Repeat { node, min, max, at } => {
            let base = ere(node)?.grouped();
            if base.prec == Prec::Empty {
                return Ok(base);
            }
            let too_large = || {
                Refusal::new(
                    at.clone(),
                    "this repetition is too large once translated",
                    "awk has no `{m,n}`: kiln writes the repeated part out, and this would take more than 4000 characters",
                    "use `*` or `+`, or a smaller count",
                )
            };
            if base.text.len().saturating_mul(*min as usize) > LIMIT {
                return Err(too_large());
            }
            let mut text = base.text.repeat(*min as usize);
            match max {
                None => text.push_str(&format!("{}*", base.text)),
                Some(max) => {
                    // `x{1,3}` is `x(x(x)?)?`: nested, so each optional copy needs the one before.
                    let extra = max.saturating_sub(*min) as usize;
                    let mut optional = String::new();
                    for _ in 0..extra {
                        optional = format!("({}{optional})?", base.text);
                        if optional.len() > LIMIT {
                            break;
                        }
                    }
                    text.push_str(&optional);
                }
            }
            if text.len() > LIMIT {
                return Err(too_large());
            }
            match (min, max) {
                (1, Some(1)) => base,
                _ => Ere {
                    text,
                    prec: Prec::Concat,
                },
            }
        }
    })
}

/// The ERE a line matches iff Python's `re.search` finds the pattern in it.
pub(super) fn existence(node: &Node, before: Edge, after: Edge) -> Result<String, Refusal> {
    let whole = seq([edge_ere(before, true), ere(node)?, edge_ere(after, false)]);
    Ok(match whole.prec {
        // Every line has an empty match.
        Prec::Empty => "^".to_owned(),
        _ => whole.text,
    })
}

/// The character before (`before`) or after a match that `edge` asks for; the line's ends
/// count as non-word characters.
pub(super) fn edge_ere(edge: Edge, before: bool) -> Ere {
    match (edge, before) {
        (Edge::Any, _) => Ere::empty(),
        (Edge::Word, _) => Ere::atom("[0-9A-Z_a-z]".into()),
        (Edge::NotWord, true) => Ere::atom("(^|[^0-9A-Z_a-z])".into()),
        (Edge::NotWord, false) => Ere::atom("([^0-9A-Z_a-z]|$)".into()),
    }
}

/// One character of `class`: a bracket expression for its ASCII members, the UTF-8 text of
/// each other member, or any character of several bytes.
fn class_ere(class: &Class) -> Ere {
    let mut parts = Vec::new();
    let bytes = class.bytes();
    if bytes != 0 {
        parts.push(Ere::atom(bracket(bytes)));
    }
    if class.other {
        parts.push(Ere {
            text: format!("{LEAD2}{CONT}|{LEAD3}{CONT}{CONT}|{LEAD4}{CONT}{CONT}{CONT}"),
            prec: Prec::Alt,
        });
    } else {
        parts.extend(class.multi.iter().map(|c| Ere {
            text: c.to_string(),
            prec: Prec::Concat,
        }));
    }
    alt(parts)
}

/// A bracket expression (or an escaped character) for a set of ASCII bytes, none of them
/// NUL or newline. Written so that every awk reads it alike: `]` first, `-` last, `^` not
/// first, a backslash as `\\`, and U+0001 only ever starting a range (so never mistaken
/// for a marker).
fn bracket(bytes: u128) -> String {
    let members: Vec<u8> = (1..128u8).filter(|b| bytes & 1 << b != 0).collect();
    if let [b] = members[..] {
        let c = b as char;
        return if r"\^$.[]|()*+?{}".contains(c) {
            format!("\\{c}")
        } else {
            c.to_string()
        };
    }
    // The complement is shorter for large sets such as `.`, `\S` or `[^,]`.
    let all = (1..128u8).filter(|b| *b != b'\n').count();
    if members.len() * 2 > all {
        let missing: u128 = (1..128u8)
            .filter(|b| *b != b'\n' && bytes & 1 << b == 0)
            .fold(0, |acc, b| acc | 1 << b);
        return format!("[^{}{HIGH}{}]", items(missing), dash(missing));
    }
    let body = items(bytes);
    // `^` alone (with `-`, added last otherwise) must not come first.
    let text = if body == "^" {
        "-^".to_owned()
    } else {
        format!("{body}{}", dash(bytes))
    };
    format!("[{text}]")
}

fn dash(bytes: u128) -> &'static str {
    if bytes & 1 << b'-' != 0 { "-" } else { "" }
}

/// The members of a bracket expression but `-` (added last by the caller): `]` first, runs
/// of three or more as ranges.
fn items(bytes: u128) -> String {
    let mut out = String::new();
    if bytes & 1 << b']' != 0 {
        out.push(']');
    }
    let plain: Vec<u8> = (1..128u8)
        .filter(|b| bytes & 1 << b != 0 && !b"]-\\^".contains(b))
        .collect();
    let mut i = 0;
    while i < plain.len() {
        let mut j = i;
        while j + 1 < plain.len() && plain[j + 1] == plain[j] + 1 {
            j += 1;
        }
        if j - i >= 2 || plain[i] == 1 {
            out.push(plain[i] as char);
            out.push('-');
            out.push(plain[j] as char);
        } else {
            out.extend(plain[i..=j].iter().map(|b| *b as char));
        }
        i = j + 1;
    }
    if bytes & 1 << b'\\' != 0 {
        out.push_str("\\\\");
    }
    if bytes & 1 << b'^' != 0 {
        out.push('^');
    }
    out
}
