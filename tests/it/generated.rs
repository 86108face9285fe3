//! Files generated from the code must match what is committed: the JSON Schemas and the
//! reference docs. Run with `KILN_BLESS=1` to rewrite them after changing an op or a code.

use std::path::Path;

use crate::support::kiln::Test;

fn check_fresh(path: &str, generated: String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if std::env::var_os("KILN_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale: run `KILN_BLESS=1 cargo test --test it generated::` and commit the result",
        path.display()
    );
}

fn json(value: serde_json::Value) -> String {
    serde_json::to_string_pretty(&value).unwrap() + "\n"
}

#[test]
fn manifest_schema_is_fresh() {
    check_fresh(
        "schemas/manifest.schema.json",
        json(kiln::schema::manifest()),
    );
}

#[test]
fn inventory_schema_is_fresh() {
    check_fresh(
        "schemas/inventory.schema.json",
        json(kiln::schema::inventory()),
    );
}

#[test]
fn ops_reference_is_fresh() {
    check_fresh("docs/ops.md", kiln::docs::ops());
}

#[test]
fn facts_reference_is_fresh() {
    check_fresh("docs/facts.md", kiln::docs::facts());
}

#[test]
fn diagnostics_reference_is_fresh() {
    check_fresh("docs/diagnostics.md", kiln::docs::diagnostics());
}

/// `kiln schema` prints exactly the committed schema.
#[test]
fn schema_command_prints_the_schema() {
    Test::new()
        .arg("schema")
        .run()
        .assert_status(0)
        .assert_stdout(&json(kiln::schema::manifest()));
}
