//! Ansible's tests of a task result (`result is changed`, `is failed`, `is succeeded`,
//! `is skipped`, and their other spellings), over a map with those fields.
//!
//! A registered result lives on the host, so a `when` that reads one is translated to a
//! shell test (`bind::when`) and never rendered here; these make the same tests mean the
//! same on a map known when the script is made, and let `kiln check` know their names.

use minijinja::{Environment, Value};

/// Each test, and the field it reads: whether it is true, or false for `negate`.
const TESTS: &[(&str, &str, bool)] = &[
    ("changed", "changed", false),
    ("change", "changed", false),
    ("failed", "failed", false),
    ("failure", "failed", false),
    ("succeeded", "failed", true),
    ("success", "failed", true),
    ("skipped", "skipped", false),
    ("skip", "skipped", false),
];

/// Adds the tests to `env`.
pub(crate) fn add_tests(env: &mut Environment<'static>) {
    for &(name, field, negate) in TESTS {
        env.add_test(name, move |result: Value| {
            let set = result.get_attr(field).is_ok_and(|v| v.is_true());
            set != negate
        });
    }
}
