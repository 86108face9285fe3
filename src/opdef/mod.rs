//! The vocabulary of an operation: its definition ([`OpDef`]: arguments, rules, lowering),
//! its validated arguments ([`OpArgs`]), and the [`Step`] its lowering returns.
//!
//! Everything that reads or writes operations speaks these types; the catalog itself is
//! [`crate::ops`], and the shared pieces lowerings are built from are [`crate::steps`].

mod args;
mod def;
mod network;
mod step;

pub(crate) use args::*;
pub(crate) use def::*;
pub(crate) use network::*;
pub(crate) use step::*;
