//! kiln: declarative manifests compiled to idempotent POSIX shell.
//!
//! The pipeline, one module per stage, in layers (lowest first; `layers.rs` holds the order
//! and a test that fails on an import against it): [`source`] and [`diagnostic`]; `syntax`
//! reads TOML or KDL into the [`model`]; `opdef` is the vocabulary of an operation, `steps`
//! the pieces lowerings are built from, `ops` the catalog; [`inventory`] resolves hosts,
//! groups and variables; [`check`] expands includes and validates every op, producing typed
//! ops; [`bind`] renders them for one host; [`emit`] lowers them to a script; [`project`] drives
//! these stages for every command; [`audit`] reports what a host's script
//! does, [`pull`] makes what pull mode installs on a host; [`connect`] and
//! `live` run scripts on hosts; [`cli`] is the commands. Problems at any stage are
//! [`diagnostic`]s, all collected and rendered at the end. `docs/architecture.md` has the whole
//! picture.

pub mod audit;
pub mod bind;
pub(crate) mod bundle;
pub mod check;
pub mod cli;
pub mod connect;
pub mod diagnostic;
pub mod docs;
pub mod emit;
pub mod facts;
pub mod inventory;
#[cfg(test)]
mod layers;
pub(crate) mod live;
pub mod model;
pub(crate) mod opdef;
pub(crate) mod ops;
pub mod project;
pub mod pull;
pub mod regex;
pub mod runtime;
pub mod schema;
pub mod shell;
pub mod source;
pub(crate) mod steps;
pub(crate) mod syntax;
pub(crate) mod template;
