//! The pieces op lowerings are assembled from: file attributes, written content, line
//! edits, package and service managers, commands, and argument values as shell words.
//!
//! Each piece turns validated arguments into [`crate::opdef::Step`] parts through the shell
//! runtime; an op file (`src/ops/<module>/<op>.rs`) picks the pieces it needs.

pub mod attrs;
pub mod command;
pub mod content;
pub mod edit;
pub mod filter;
pub mod packages;
pub mod services;
pub mod values;
