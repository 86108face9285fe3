//! `kiln schema`: print a JSON Schema for editors.

use super::outln;
use clap::{Args, ValueEnum};

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Kind {
    /// TOML manifests.
    Manifest,
    /// TOML inventories.
    Inventory,
}

#[derive(Args, Debug)]
pub(super) struct SchemaArgs {
    /// Which schema.
    #[arg(value_enum, default_value = "manifest")]
    kind: Kind,
}

pub(super) fn run(args: SchemaArgs) -> u8 {
    let schema = match args.kind {
        Kind::Manifest => crate::schema::manifest(),
        Kind::Inventory => crate::schema::inventory(),
    };
    outln!(
        "{}",
        serde_json::to_string_pretty(&schema).expect("JSON serializes")
    );
    0
}
