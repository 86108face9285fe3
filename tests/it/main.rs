//! kiln's integration tests: one test binary (`cargo test --test it`), one module per area.
//!
//! How the tree is laid out, and the rules for adding to it:
//!
//! - **One binary.** Every integration test is a module of this crate, declared below; a new
//!   area is a new file `tests/it/AREA.rs` (or a directory `tests/it/AREA/` with a `mod.rs`)
//!   and one `mod AREA;` line here. Never a new file directly under `tests/`: each would be
//!   a binary of its own, linked separately (`layout::one_test_binary` fails if one appears).
//! - **One helper tree**, `support/`: what two areas share goes there, as a module of its
//!   own; what one area needs stays in that area's file.
//! - **The real binary runs through `support::kiln::Test`** (a temporary directory, a clean
//!   environment), never through a `Command` of its own.
//! - **Snapshots** live in `snapshots/` beside the module that asserts them; proptest's
//!   regression files beside their module (`AREA.proptest-regressions`).
//! - **Run one area, or one test**, by its path: `cargo test --test it cli::` or
//!   `cargo test --test it cli::errors_exit_1 -- --exact`.

mod chroot;
mod cli;
mod containers;
mod diagnostics;
mod download;
mod emit;
mod examples;
mod generated;
mod live;
mod live_ssh;
mod ops;
mod quoting;
mod regex;
mod robustness;
mod secrets;
mod security;
mod ssh;
mod support;
mod variables;
mod when;
