//! Shell text: the quoting function, typed fragments, and byte-exact file contents.

mod builder;
pub mod content;
mod quote;

pub use builder::{Sh, UserShell};
pub use quote::quote;
