//! `kiln inventory`: the resolved hosts, their groups, and merged variables with where each
//! value came from. Secret values are shown as `***`.

use super::{out, outln};
use clap::Args;
use serde_json::json;

use crate::inventory::{self, Inventory};

use super::{Format, InventoryOptions, LimitOption, output};

#[derive(Args, Debug)]
pub(super) struct InventoryArgs {
    #[command(flatten)]
    inventory: InventoryOptions,
    #[command(flatten)]
    limit: LimitOption,
    /// `human` or `json`.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub(super) fn run(args: InventoryArgs) -> u8 {
    let mut project = args.inventory.project();
    let mut resolved = project.load_inventory(&args.inventory.inventory);
    let diagnostics = project.take_diagnostics();
    output::print(
        &project.sources,
        &diagnostics,
        if args.format == Format::Json {
            Format::Human
        } else {
            args.format
        },
    );
    if output::exit_code(&diagnostics, false) != 0 || !args.limit.narrow(&mut resolved) {
        return 1;
    }
    match args.format {
        Format::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&to_json(&resolved)).expect("JSON serializes")
        ),
        _ => out!("{}", human(&resolved)),
    }
    0
}

fn human(inventory: &Inventory) -> String {
    let mut out = String::new();
    for host in &inventory.hosts {
        out.push_str(&format!("{}  {}\n", host.name, host.target));
        out.push_str(&format!("  groups: {}\n", host.groups.join(", ")));
        for var in &host.vars {
            let secret = if var.secret { ", secret" } else { "" };
            out.push_str(&format!(
                "  {} = {}  ({}{secret})\n",
                var.name,
                shown(var),
                var.origin
            ));
        }
    }
    out
}

fn to_json(inventory: &Inventory) -> serde_json::Value {
    json!({
        "groups": inventory.groups,
        "hosts": inventory.hosts.iter().map(|host| json!({
            "name": host.name,
            "target": host.target.to_string(),
            "connector": host.target.connector(),
            "groups": host.groups,
            "vars": host.vars.iter().map(|v| (v.name.clone(), shown(v))).collect::<serde_json::Map<_, _>>(),
            "var_origins": host.vars.iter().map(|v| (v.name.clone(), json!(v.origin))).collect::<serde_json::Map<_, _>>(),
            "secrets": host.vars.iter().filter(|v| v.secret).map(|v| v.name.as_str()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// A variable's value as shown: `***` for a secret.
fn shown(var: &inventory::HostVar) -> serde_json::Value {
    if var.secret {
        json!(crate::template::secret::MASK)
    } else {
        crate::model::value::to_json(&var.value)
    }
}
