//! kiln's integration tests: one test binary (`cargo test --test it`), one module per area.
//!
//! How the tree is laid out, and the rules for adding to it (`layout` checks the first three):
//!
//! - **One binary.** Every integration test is a module of this crate, declared below; a new
//!   area is a new file `tests/it/AREA.rs` (or a directory `tests/it/AREA/` with a `mod.rs`)
//!   and one `mod AREA;` line here. Never a file directly under `tests/`: each would be a
//!   binary of its own, compiled and linked on its own.
//! - **One helper tree**, `support/`: what two areas share goes there, as a module of its
//!   own (no `#[path]`); what one area needs stays in that area's file.
//! - **The real binary runs through `support::kiln::Test`** (a temporary directory, a clean
//!   environment, output normalized), never through a `Command` of its own. Its output is
//!   compared whole: exact text, or a snapshot (`insta`).
//! - **Fixture cases are tests of their own**, written by `build.rs` from the directories of
//!   `fixtures/ops/` (`ops::<op>::<case>`) and `fixtures/diagnostics/`
//!   (`diagnostics::case::<case>`): adding a case is adding a directory.
//! - **What a test needs of the machine** (root, the shells, sshd, podman, the Debian root,
//!   ...) it asks for first: `require!(Need::Root)` (`support::need`). Without it the test
//!   is skipped, saying why, on a contributor's machine, and fails under CI (`CI` set).
//! - **Snapshots** live in `snapshots/` beside the module that asserts them; proptest's
//!   regression files beside their module (`AREA.proptest-regressions`: every `proptest!`
//!   block runs with `support::properties::config`, which `layout` checks).
//! - **Run one area, or one test**, by its path: `cargo test --test it cli::`,
//!   `cargo test --test it ops::files_line::crlf -- --exact`.

mod apt_repository;
mod audit;
mod budget;
mod bundle;
mod chroot;
mod cli;
mod containers;
mod databases;
mod diagnostics;
mod download;
mod emit;
mod examples;
mod facts;
mod files_get;
mod firewall;
mod fusion;
mod generated;
mod keys;
mod language_packages;
mod layout;
mod live;
mod live_ssh;
mod loops;
mod ops;
mod pull;
mod quoting;
mod readme;
mod regex;
mod registered;
mod report;
mod robustness;
mod rpm_sources;
mod runtime;
mod scale;
mod secrets;
mod security;
mod selinux;
mod ssh;
mod support;
mod tags;
mod templates;
mod unarchive;
mod validate;
mod variables;
mod when;
