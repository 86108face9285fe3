//! kiln: declarative manifests compiled to idempotent POSIX shell.
//!
//! The pipeline, one module per stage: [`syntax`] reads TOML or KDL into the [`model`];
//! [`check`] expands includes and validates every op against its [`ops`] definition,
//! producing typed ops; [`inventory`] resolves hosts, groups and variables. Problems at any
//! stage are [`diagnostic`]s, all collected and rendered at the end.

pub mod bind;
pub mod check;
pub mod cli;
pub mod connect;
pub mod diagnostic;
pub mod docs;
pub mod emit;
pub mod facts;
pub mod inventory;
pub mod live;
pub mod lower;
pub mod model;
pub mod ops;
pub mod regex;
pub mod runtime;
pub mod schema;
pub mod shell;
pub mod source;
pub mod syntax;
