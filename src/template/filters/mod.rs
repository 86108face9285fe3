//! The filters, tests and functions real Ansible roles use, added to minijinja's built-in
//! ones, each with Ansible's meaning and output, byte for byte (`fixtures/templates/`
//! compares them with Ansible's own rendering).
//!
//! What a well-kept crate does is done by it: minijinja-contrib's Python methods
//! (`x.startswith('a')`, `d.items()`) and filters, `base64`, `sha1`/`sha2`/`md-5`,
//! `sha-crypt`, and `regex` (behind kiln's own regex dialect, [`crate::regex`]). What is
//! Ansible's own format (its JSON separators, `comment`'s decorations, `combine`'s merge,
//! PyYAML's emitter, which no Rust YAML crate reproduces) is written here, after their
//! source.

mod data;
mod hash;
mod json;
mod lookup;
mod pattern;
mod text;
mod version;
mod yaml;
mod yaml_load;

use std::path::PathBuf;

use minijinja::{Environment, Error, ErrorKind};

pub(crate) use lookup::LOOKUPS;

/// Adds everything to `env`; relative `lookup` paths are read from `base` (the directory
/// of the manifest the template is in), and refused when there is none.
pub(crate) fn add(env: &mut Environment<'static>, base: Option<PathBuf>) {
    minijinja_contrib::add_to_environment(env);
    env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
    data::add(env);
    hash::add(env);
    json::add(env);
    pattern::add(env);
    text::add(env);
    version::add(env);
    yaml::add(env);
    yaml_load::add(env);
    lookup::add(env, base);
}

/// An error of a filter's input or arguments, in the filter's words.
fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, message.into())
}
