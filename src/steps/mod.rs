//! The pieces op lowerings are assembled from: file attributes, written content, line
//! edits, package and service managers, commands, argument values as shell words, and the
//! SQL of the database ops.
//!
//! Each piece turns validated arguments into [`crate::opdef::Step`] parts through the shell
//! runtime; an op file (`src/ops/<module>/<op>.rs`) picks the pieces it needs.

pub(crate) mod attrs;
pub(crate) mod command;
pub(crate) mod content;
pub(crate) mod edit;
pub(crate) mod packages;
pub(crate) mod services;
pub(crate) mod sql;
pub(crate) mod validator;
pub(crate) mod values;
