//! kiln: declarative manifests compiled to idempotent POSIX shell.

pub mod diagnostic;
pub mod ops;
pub mod source;
