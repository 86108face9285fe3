//! The manifest model: what one manifest file says, independent of its spelling.
//!
//! The TOML and KDL front ends both produce a [`Manifest`]; from here on nothing knows which
//! format a value came from. Includes are not yet expanded and arguments not yet typed.

use crate::source::{FileId, Span, Spanned};

use super::value::{Table, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    pub file: FileId,
    /// `[vars]`: defaults, overridden by the inventory and `-e`.
    pub vars: Table,
    /// `[secrets]`: defaults like `vars`, whose values are never shown.
    pub secrets: Table,
    /// Ops and includes, in the order written.
    pub items: Vec<Item>,
    pub handlers: Vec<OpCall>,
    pub defines: Vec<Define>,
    /// `[facts.NAME]` / `fact "NAME"`: custom facts.
    pub facts: Vec<FactDecl>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Op(OpCall),
    Include(Include),
}

/// One op as written: its kind, positional values (KDL only) and named arguments, global
/// and op-specific alike.
#[derive(Clone, Debug, PartialEq)]
pub struct OpCall {
    pub kind: Spanned<String>,
    pub positional: Vec<Spanned<Value>>,
    pub args: Table,
    /// The whole op, for "missing argument" and for the op's `file:line`.
    pub span: Span,
}

/// `include = "roles/base"`: another manifest (file, or directory with a `main.*`) expanded
/// in place, with its own variables.
#[derive(Clone, Debug, PartialEq)]
pub struct Include {
    pub path: Spanned<String>,
    pub vars: Table,
    /// Parameters like `vars`, whose values are never shown.
    pub secrets: Table,
    /// Global arguments that apply to every included op (`when`, `tags`, `sudo`, ...).
    pub args: Table,
    pub span: Span,
}

/// A custom fact as written: its name and its arguments (`command`, `parse`, `pattern`),
/// checked by `check::custom_facts`.
#[derive(Clone, Debug, PartialEq)]
pub struct FactDecl {
    pub name: Spanned<String>,
    pub args: Table,
    pub span: Span,
}

/// A user-defined operation: parameters, a probe and an apply command.
#[derive(Clone, Debug, PartialEq)]
pub struct Define {
    pub name: Spanned<String>,
    pub summary: Option<Spanned<String>>,
    pub params: Vec<Param>,
    /// Shell that exits 0 when the desired state already holds.
    pub probe: Option<Spanned<String>>,
    /// Shell that makes it hold.
    pub apply: Spanned<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Spanned<String>,
    /// The type's name as written (`string`, `bool`, `int`, `path`, `mode`, `list`, ...).
    pub ty: Option<Spanned<String>>,
    pub required: bool,
    pub default: Option<Spanned<Value>>,
    pub doc: Option<Spanned<String>>,
}
