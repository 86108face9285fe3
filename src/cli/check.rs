//! `kiln check`: validate manifests and report every problem at once.

use std::path::PathBuf;

use clap::Args;

use super::{Format, InventoryOptions, output};

#[derive(Args, Debug)]
pub(super) struct CheckArgs {
    /// Manifest files, or project directories (their `main.toml` / `main.kdl`; an
    /// `inventory.toml` / `inventory.kdl` beside them is used unless `-i` is given).
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    inventory: InventoryOptions,
    /// Output format for diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Exit 1 on warnings too.
    #[arg(long)]
    deny_warnings: bool,
}

pub(super) fn run(args: CheckArgs) -> u8 {
    let mut project = args.inventory.project();
    let specs = &args.inventory.inventory;
    let given_inventory = (!specs.is_empty()).then(|| project.load_inventory(specs));

    let mut manifests = 0;
    let mut ops = 0;
    for path in &args.paths {
        let entries = project.entries(path);
        if entries.is_empty() {
            continue;
        }
        let local_inventory = match given_inventory {
            Some(_) => None,
            None => project.project_inventory(path),
        };
        let inventory = given_inventory.as_ref().or(local_inventory.as_ref());
        for entry in entries {
            manifests += 1;
            if let Some(compiled) = project.compile(&entry, inventory) {
                ops += compiled.ops.len() + compiled.handlers.len();
            }
        }
    }

    let diagnostics = project.take_diagnostics();
    output::print(&project.sources, &diagnostics, args.format);
    if args.format == Format::Human {
        let plural = if manifests == 1 { "" } else { "s" };
        eprintln!(
            "checked {manifests} manifest{plural} ({ops} ops): {}",
            crate::diagnostic::render::summary(&diagnostics)
        );
    }
    output::exit_code(&diagnostics, args.deny_warnings)
}
