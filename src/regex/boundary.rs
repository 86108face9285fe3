//! `\b` and `\B`, which POSIX EREs lack. A boundary is decided by the characters on its two
//! sides; kiln keeps one only where the pattern itself says what they are (then it is
//! always true, and dropped, or never, and refused), or where one side is outside the
//! match (at the pattern's start or end: then it becomes an [`Edge`] condition on the
//! character before or after the match). Anything else is refused: its meaning would
//! depend on which alternative matched.

use super::{Edge, Node, Refusal};

/// What can stand at one end of a node's match.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Ends {
    pub word: bool,
    pub other: bool,
    /// The node can match the empty text.
    pub nullable: bool,
}

/// The characters that can start (`first`) or end a match of `node`. The line's start
/// (before `^`) and end (after `$`) count as non-word characters.
pub(super) fn ends(node: &Node, first: bool) -> Ends {
    match node {
        Node::Empty | Node::Boundary { .. } => Ends {
            nullable: true,
            ..Ends::default()
        },
        Node::Start if !first => Ends {
            other: true,
            ..Ends::default()
        },
        Node::End if first => Ends {
            other: true,
            ..Ends::default()
        },
        Node::Start | Node::End => Ends {
            nullable: true,
            ..Ends::default()
        },
        Node::Char(class) => {
            let (word, other) = class.wordness();
            Ends {
                word,
                other,
                nullable: false,
            }
        }
        Node::Group { node, .. } => ends(node, first),
        Node::Repeat { node, min, .. } => {
            let inner = ends(node, first);
            Ends {
                nullable: inner.nullable || *min == 0,
                ..inner
            }
        }
        Node::Alt(branches) => branches.iter().fold(Ends::default(), |acc, b| {
            let e = ends(b, first);
            Ends {
                word: acc.word || e.word,
                other: acc.other || e.other,
                nullable: acc.nullable || e.nullable,
            }
        }),
        Node::Seq(items) => {
            let mut acc = Ends {
                nullable: true,
                ..Ends::default()
            };
            let ordered: Vec<&Node> = if first {
                items.iter().collect()
            } else {
                items.iter().rev().collect()
            };
            for item in ordered {
                let e = ends(item, first);
                acc.word |= e.word;
                acc.other |= e.other;
                if !e.nullable {
                    acc.nullable = false;
                    break;
                }
            }
            acc
        }
    }
}

/// One side of a boundary.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Word,
    NotWord,
    /// Outside the match.
    Outside,
    /// Either, depending on the text.
    Mixed,
}

/// The pattern without boundaries, and the conditions on the characters before and after
/// a match.
pub(super) fn resolve(node: Node) -> Result<(Node, Edge, Edge), Refusal> {
    let mut items = Vec::new();
    flatten(&node, &mut items)?;
    let mut before = Edge::Any;
    let mut after = Edge::Any;
    for (k, item) in items.iter().enumerate() {
        let Node::Boundary { word, at } = item else {
            continue;
        };
        let left = side(items[..k].iter().rev().copied(), false);
        let right = side(items[k + 1..].iter().copied(), true);
        let never = || {
            Refusal::new(
                at.clone(),
                "this word boundary can never hold",
                "the characters on its two sides are known from the pattern",
                "remove it, or the pattern never matches",
            )
        };
        let (edge, known) = match (left, right) {
            (Side::Word | Side::NotWord, Side::Word | Side::NotWord) => {
                if (left != right) == *word {
                    continue;
                }
                return Err(never());
            }
            (Side::Outside, known @ (Side::Word | Side::NotWord)) => (&mut before, known),
            (known @ (Side::Word | Side::NotWord), Side::Outside) => (&mut after, known),
            _ => {
                return Err(Refusal::new(
                    at.clone(),
                    "this word boundary has no exact translation",
                    "the character on one side may or may not be a word character",
                    "kiln translates `\\b` where a side is known from the pattern, e.g. `\\bport\\b` or `^\\s*Port\\b`",
                ));
            }
        };
        // `\b` wants the outside character to differ from the known one; `\B` the same.
        let want = match (known == Side::Word) != *word {
            true => Edge::Word,
            false => Edge::NotWord,
        };
        if *edge != Edge::Any && *edge != want {
            return Err(never());
        }
        *edge = want;
    }
    Ok((strip(node), before, after))
}

/// The items of the top-level sequence, groups opened; a boundary anywhere else is refused.
fn flatten<'a>(node: &'a Node, items: &mut Vec<&'a Node>) -> Result<(), Refusal> {
    match node {
        Node::Seq(children) => {
            for child in children {
                flatten(child, items)?;
            }
        }
        Node::Group { node, .. } => flatten(node, items)?,
        Node::Alt(children) => {
            for child in children {
                no_boundary(child)?;
            }
            items.push(node);
        }
        Node::Repeat { node: inner, .. } => {
            no_boundary(inner)?;
            items.push(node);
        }
        _ => items.push(node),
    }
    Ok(())
}

fn no_boundary(node: &Node) -> Result<(), Refusal> {
    match node {
        Node::Boundary { at, .. } => Err(Refusal::new(
            at.clone(),
            "a word boundary inside an alternative or a repetition",
            "no exact translation",
            "put `\\b` outside the `(...|...)` or the repeated part",
        )),
        Node::Seq(children) | Node::Alt(children) => children.iter().try_for_each(no_boundary),
        Node::Group { node, .. } | Node::Repeat { node, .. } => no_boundary(node),
        _ => Ok(()),
    }
}

/// What the characters reached from a boundary through `items` can be.
fn side<'a>(items: impl Iterator<Item = &'a Node>, first: bool) -> Side {
    let (mut word, mut other) = (false, false);
    for item in items {
        let e = ends(item, first);
        word |= e.word;
        other |= e.other;
        if !e.nullable {
            return match (word, other) {
                (true, false) => Side::Word,
                (false, true) => Side::NotWord,
                _ => Side::Mixed,
            };
        }
    }
    if word || other {
        Side::Mixed
    } else {
        Side::Outside
    }
}

/// `node` with its (resolved) boundaries removed.
fn strip(node: Node) -> Node {
    match node {
        Node::Boundary { .. } => Node::Empty,
        Node::Seq(children) => Node::Seq(children.into_iter().map(strip).collect()),
        Node::Group { index, node } => Node::Group {
            index,
            node: Box::new(strip(*node)),
        },
        other => other,
    }
}
