//! The settings every property test (`proptest!`) runs with.
//!
//! Proptest keeps the seeds of past failures in a file and runs them again first. Its
//! default puts that file in a tree parallel to the crate's (`tests/proptest-regressions/`,
//! since `tests/it` has a `main.rs`); here it is beside the test's module instead,
//! `tests/it/AREA.proptest-regressions`, where a reviewer sees it next to the test.

use proptest::test_runner::{Config, FileFailurePersistence};

/// `cases` cases, and failures kept beside the module.
pub(crate) fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..Config::default()
    }
}
