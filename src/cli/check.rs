//! `kiln check`: validate manifests and report every problem at once.

use std::path::PathBuf;

use clap::Args;

use crate::check::{self, Context};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::inventory;
use crate::source::{SourceMap, Span};

use super::{Format, InventoryOptions, entry_manifests, output};

#[derive(Args, Debug)]
pub struct CheckArgs {
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

pub fn run(args: CheckArgs) -> u8 {
    let mut sources = SourceMap::new();
    let mut diagnostics = Diagnostics::default();
    let extra_vars = args.inventory.extra_vars(&mut sources, &mut diagnostics);
    let given_inventory = (!args.inventory.inventory.is_empty()).then(|| {
        inventory::load(
            &mut sources,
            &args.inventory.inventory,
            &extra_vars,
            &mut diagnostics,
        )
    });

    let mut manifests = 0;
    let mut ops = 0;
    for path in &args.paths {
        let entries = entry_manifests(path);
        if entries.is_empty() {
            let file = sources.add(path, String::new());
            diagnostics.push(
                Diagnostic::new(
                    Code::IncludeNotFound,
                    Span::new(file, 0..0),
                    format!("{} has no main.toml or main.kdl", path.display()),
                )
                .help("name a manifest file, or a directory holding main.toml or main.kdl"),
            );
            continue;
        }
        let local_inventory = match given_inventory {
            Some(_) => None,
            None => super::project_inventory(path).map(|p| {
                inventory::load(
                    &mut sources,
                    &[p.display().to_string()],
                    &extra_vars,
                    &mut diagnostics,
                )
            }),
        };
        let context = Context {
            inventory: given_inventory.as_ref().or(local_inventory.as_ref()),
            extra_vars: &extra_vars,
        };
        for entry in entries {
            manifests += 1;
            if let Some(compiled) = check::compile(&mut sources, &entry, &context, &mut diagnostics)
            {
                ops += compiled.ops.len() + compiled.handlers.len();
            }
        }
    }

    let diagnostics = diagnostics.sorted();
    output::print(&sources, &diagnostics, args.format);
    if args.format == Format::Human {
        let plural = if manifests == 1 { "" } else { "s" };
        eprintln!(
            "checked {manifests} manifest{plural} ({ops} ops): {}",
            crate::diagnostic::render::summary(&diagnostics)
        );
    }
    output::exit_code(&diagnostics, args.deny_warnings)
}
