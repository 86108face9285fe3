//! Where the extent of a match matters (`files.replace`, `files.line`'s `backrefs`), awk's
//! `match()` is not enough: it finds the leftmost-longest match and no groups, where
//! Python finds the leftmost-first one (`a|ab` matches `a` of `ab`). So the awk frame
//! (`rx_find` in `src/runtime/edit_programs.sh`) walks the pattern's tree the way Python's backtracking
//! does, asking only ERE questions at each node: a leaf takes the longest text it matches
//! that leaves the rest of the pattern a match (a greedy repetition of parts that always
//! have the same length at a position, or one character, has no other order), an
//! alternation the first branch that leads to a match. What does not fit that (a
//! repetition of parts of varying length, `^` after the start) is refused.
//!
//! The program is text, one field per line (no ERE holds a newline): a header
//! `BEFORE ANCHORED COUNT`, the existence ERE, then per node, root first, four lines:
//! `KIND GROUP N CHILD...` (KIND: `l` leaf, `s` sequence, `a` alternation, `g` group,
//! `b` start, `e` end), the ERE the leaf's text matches whole, the ERE the rest of the line
//! must match from the node's end, and the ERE the line must match from the node's start.

use super::ere::{self, Ere};
use super::{Edge, Node, Refusal, Regex};

struct Builder {
    /// Four lines per node.
    nodes: Vec<String>,
}

impl Regex {
    /// The matcher program of this pattern, for `rx_find`.
    pub fn program(&self) -> Result<String, Refusal> {
        let mut builder = Builder { nodes: Vec::new() };
        let anchored = match &self.node {
            Node::Start => true,
            Node::Seq(items) => matches!(items.first(), Some(Node::Start)),
            _ => false,
        };
        builder.node(&self.node, &ere::edge_ere(self.after, false), true)?;
        let before = match self.before {
            Edge::Any => "-",
            Edge::Word => "w",
            Edge::NotWord => "n",
        };
        let mut out = format!(
            "{before} {} {}\n{}\n",
            u8::from(anchored),
            builder.nodes.len() / 4,
            self.ere
        );
        for line in &builder.nodes {
            out.push_str(line);
            out.push('\n');
        }
        out.pop();
        Ok(out)
    }

    /// Whether group `index` may be referred to in a replacement: not one inside a
    /// repetition (Python keeps its last repetition; kiln does not track it).
    fn referable(&self, index: u32) -> bool {
        let mut repeated = Vec::new();
        collect_repeated(&self.node, false, &mut repeated);
        !repeated.contains(&index)
    }
}

fn collect_repeated(node: &Node, inside: bool, out: &mut Vec<u32>) {
    match node {
        Node::Group { index, node } => {
            if inside {
                out.push(*index);
            }
            collect_repeated(node, inside, out);
        }
        Node::Repeat { node, .. } => collect_repeated(node, true, out),
        Node::Seq(items) | Node::Alt(items) => {
            for item in items {
                collect_repeated(item, inside, out);
            }
        }
        _ => {}
    }
}

/// Whether `node` is a part of a leaf run: one length, no group.
fn plain(node: &Node) -> bool {
    uniform(node) && !has_group(node)
}

fn has_group(node: &Node) -> bool {
    match node {
        Node::Group { .. } => true,
        Node::Seq(items) | Node::Alt(items) => items.iter().any(has_group),
        Node::Repeat { node, .. } => has_group(node),
        _ => false,
    }
}

/// Whether every match of `node` at a given position has the same length: then a greedy
/// repetition of it prefers longer matches, and a leaf's longest fit is Python's choice.
fn uniform(node: &Node) -> bool {
    match node {
        Node::Empty | Node::Char(_) => true,
        Node::Seq(items) => items.iter().all(uniform),
        Node::Group { node, .. } => uniform(node),
        Node::Repeat { node, min, max, .. } => Some(*min) == *max && uniform(node),
        Node::Alt(branches) => branches.iter().all(|b| matches!(b, Node::Char(_))),
        Node::Start | Node::End | Node::Boundary { .. } => false,
    }
}

impl Builder {
    /// Adds `node`, followed by `follow`; returns its number (from 1).
    fn node(&mut self, node: &Node, follow: &Ere, first: bool) -> Result<usize, Refusal> {
        let id = self.nodes.len() / 4 + 1;
        self.nodes.extend(std::iter::repeat_n(String::new(), 4));
        let own = ere::ere(node)?;
        let (kind, group, children, whole) = match node {
            _ if plain(node) => ("l", 0, Vec::new(), own.whole()),
            Node::Start if first => ("b", 0, Vec::new(), String::new()),
            Node::Start => {
                return Err(Refusal::new(
                    0..0,
                    "`^` after the start of the pattern",
                    "no exact translation where the match's extent matters",
                    "start the pattern with `^`",
                ));
            }
            Node::End => ("e", 0, Vec::new(), String::new()),
            Node::Seq(items) => ("s", 0, self.sequence(items, follow, first)?, String::new()),
            Node::Alt(branches) => {
                let mut children = Vec::new();
                for branch in branches {
                    children.push(self.node(branch, follow, false)?);
                }
                ("a", 0, children, String::new())
            }
            Node::Group { index, node } => (
                "g",
                *index,
                vec![self.node(node, follow, false)?],
                String::new(),
            ),
            Node::Repeat {
                node: inner,
                max: Some(1),
                ..
            } if !uniform(inner) => {
                // `x?` is `(x|)`: x's own choices first, then nothing.
                let children = vec![
                    self.node(inner, follow, false)?,
                    self.node(&Node::Empty, follow, false)?,
                ];
                ("a", 0, children, String::new())
            }
            Node::Repeat {
                node: inner, at, ..
            } if !uniform(inner) => return Err(varying_repetition(at.clone())),
            Node::Repeat { node: inner, .. } if contains_anchor(inner) => {
                return Err(Refusal::new(
                    0..0,
                    "an anchor inside a repetition",
                    "no exact translation where the match's extent matters",
                    "move `^`/`$` out of the repeated part",
                ));
            }
            _ => ("l", 0, Vec::new(), own.whole()),
        };
        let mut spec = format!("{kind} {group} {}", children.len());
        for child in children {
            spec.push_str(&format!(" {child}"));
        }
        self.nodes[(id - 1) * 4] = spec;
        self.nodes[(id - 1) * 4 + 1] = if whole.is_empty() { "^$".into() } else { whole };
        self.nodes[(id - 1) * 4 + 2] = follow.anchored();
        self.nodes[(id - 1) * 4 + 3] = ere::seq([own, follow.clone()]).anchored();
        Ok(id)
    }

    /// A sequence's children, followed each by the rest of the sequence and `follow`. Runs
    /// of parts of one length and no groups are one leaf: fewer questions.
    fn sequence(
        &mut self,
        items: &[Node],
        follow: &Ere,
        first: bool,
    ) -> Result<Vec<usize>, Refusal> {
        let mut parts: Vec<Node> = Vec::new();
        for item in items {
            match (parts.last_mut(), plain(item)) {
                (Some(Node::Seq(run)), true) if run.iter().all(plain) => run.push(item.clone()),
                (_, true) => parts.push(Node::Seq(vec![item.clone()])),
                _ => parts.push(item.clone()),
            }
        }
        let mut children = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            let rest = ere::seq(
                parts[i + 1..]
                    .iter()
                    .map(ere::ere)
                    .collect::<Result<Vec<_>, _>>()?
                    .into_iter()
                    .chain([follow.clone()]),
            );
            children.push(self.node(part, &rest, first && i == 0)?);
        }
        Ok(children)
    }
}

/// A repetition of parts that can match texts of different lengths, at `at`.
fn varying_repetition(at: std::ops::Range<usize>) -> Refusal {
    Refusal::new(
        at,
        "a repetition of parts of varying length",
        "where the match's extent matters, kiln cannot reproduce which text each repetition takes",
        "repeat one character or class, e.g. `[a-z0-9,]+` instead of `([a-z]+,?)+`",
    )
}

fn contains_anchor(node: &Node) -> bool {
    match node {
        Node::Start | Node::End => true,
        Node::Seq(items) | Node::Alt(items) => items.iter().any(contains_anchor),
        Node::Group { node, .. } | Node::Repeat { node, .. } => contains_anchor(node),
        _ => false,
    }
}

/// One piece of a replacement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// `\0` (the whole match) to `\9`, `\g<N>` or `\g<name>`.
    Group(u32),
}

/// A replacement (`files.replace`'s `replace`, `files.line`'s `line` with `backrefs`),
/// checked against its pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replacement {
    pub pieces: Vec<Piece>,
}

impl Replacement {
    /// Parses `text`: `\0`..`\9`, `\g<N>` and `\g<name>` insert groups, `\\` is one
    /// backslash, `\t`, `\a`, `\b`, `\f`, `\v` are control characters as in Python (other
    /// letters are refused, as Python does), any other backslash is itself. Refuses a group `regex` does not have, or
    /// one inside a repetition.
    pub fn parse(text: &str, regex: &Regex) -> Result<Replacement, Refusal> {
        let mut pieces: Vec<Piece> = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            let start = text.len() - rest.len();
            if let Some((piece, len)) = reference(rest, regex, start)? {
                if !literal.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut literal)));
                }
                pieces.push(piece);
                rest = &rest[len..];
                continue;
            }
            if rest.starts_with(r"\\") {
                literal.push('\\');
                rest = &rest[2..];
                continue;
            }
            if let Some(letter) = rest.strip_prefix('\\').and_then(|r| r.chars().next())
                && letter.is_ascii_alphabetic()
            {
                literal.push(escape(letter, start)?);
                rest = &rest[2..];
                continue;
            }
            literal.push(c);
            rest = &rest[c.len_utf8()..];
        }
        if !literal.is_empty() {
            pieces.push(Piece::Text(literal));
        }
        Ok(Replacement { pieces })
    }

    /// The text form `rx_expand` reads: one piece per line, `T` and text or `G` and a
    /// group number.
    pub fn encode(&self) -> String {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => format!("T{t}"),
                Piece::Group(n) => format!("G{n}"),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The character Python's `re` puts for the escape `\letter` in a replacement (`\t` a tab,
/// ...); a line break cannot be written within a line, and Python refuses other letters.
fn escape(letter: char, start: usize) -> Result<char, Refusal> {
    let at = start..start + 2;
    match letter {
        'a' => Ok('\u{7}'),
        'b' => Ok('\u{8}'),
        'f' => Ok('\u{c}'),
        't' => Ok('\t'),
        'v' => Ok('\u{b}'),
        'n' | 'r' => Err(Refusal::new(
            at,
            "a line break in the replacement",
            "a match within one line is replaced by text within that line",
            "use `files.block` or `files.line` to add lines",
        )),
        _ => Err(Refusal::new(
            at,
            &format!("`\\{letter}` is not an escape of a replacement"),
            "Python's `re` (and Ansible) fail on it",
            "write `\\\\` for a backslash; `\\1` or `\\g<name>` insert a group",
        )),
    }
}

/// The group reference at the start of `rest` (at byte `start` of the replacement), and its
/// length.
fn reference(rest: &str, regex: &Regex, start: usize) -> Result<Option<(Piece, usize)>, Refusal> {
    let Some(after) = rest.strip_prefix('\\') else {
        return Ok(None);
    };
    let (index, len, written): (u32, usize, String) =
        if let Some(d) = after.chars().next().and_then(|c| c.to_digit(10)) {
            (d, 2, rest[..2].to_owned())
        } else if let Some(inner) = after.strip_prefix("g<")
            && let Some(close) = inner.find('>')
        {
            let name = &inner[..close];
            let written = format!("\\g<{name}>");
            let index = match name.parse::<u32>() {
                Ok(n) => n,
                Err(_) => regex.group_named(name).ok_or_else(|| {
                    Refusal::new(
                        start..start + written.len(),
                        &format!("the pattern has no group named `{name}`"),
                        "nothing to insert",
                        "name a group with `(?P<name>...)`",
                    )
                })?,
            };
            (index, written.len(), written)
        } else {
            return Ok(None);
        };
    let at = start..start + len;
    if index > regex.groups() {
        let has = match regex.groups() {
            0 => "no groups".to_owned(),
            1 => "1 group".to_owned(),
            n => format!("{n} groups"),
        };
        return Err(Refusal::new(
            at,
            &format!("`{written}` refers to group {index}, but the pattern has {has}"),
            "nothing to insert",
            "`\\1` to `\\9` and `\\g<N>` insert what the `(...)` groups matched, `\\0` the whole match; write `\\\\` for a backslash",
        ));
    }
    if index > 0 && !regex.referable(index) {
        return Err(Refusal::new(
            at,
            &format!("group {index} is inside a repetition"),
            "which repetition it holds has no exact translation",
            "put the group around the whole repetition: `((?:ab)+)`",
        ));
    }
    Ok(Some((Piece::Group(index), len)))
}
