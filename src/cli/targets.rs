//! What `emit`, `audit` and `bundle` make each host's script for, without connecting to
//! any host: the manifest, the inventory narrowed by `--limit` and `--shard`, the ops the
//! selection keeps, and the hosts' facts from `--facts`. One set of arguments, read one way.

use std::path::PathBuf;

use clap::Args;

use crate::check::Compiled;
use crate::facts::Facts;
use crate::inventory::Inventory;
use crate::project::Project;

use super::shard::ShardOption;
use super::{InventoryOptions, LimitOption, SelectOption};

#[derive(Args, Debug)]
pub(super) struct ScriptTargets {
    /// The manifest file, or a project directory (its `main.toml`, else `main.kdl`; its
    /// `inventory.toml` / `inventory.kdl` unless `-i` is given).
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,
    #[command(flatten)]
    pub inventory: InventoryOptions,
    #[command(flatten)]
    pub limit: LimitOption,
    #[command(flatten)]
    pub shard: ShardOption,
    #[command(flatten)]
    pub select: SelectOption,
    /// Host facts as JSON (`kiln facts HOST --json`), for `when` conditions and templates
    /// that use `facts` (and a bundle's package architecture): a file used for every host,
    /// or a directory of `<host>.json`. Facts of `@local` are gathered from this machine
    /// when not given and the manifest reads them.
    #[arg(long, value_name = "FILE|DIR")]
    pub facts: Option<PathBuf>,
}

impl ScriptTargets {
    /// The checked manifest, its ops selected, and the hosts to make scripts for; `None`
    /// when the manifest or the inventory has errors, or `--limit` matches nothing
    /// (reported).
    pub(super) fn compile(&self, project: &mut Project) -> Option<(Compiled, Inventory)> {
        let entry = project.entry(&self.path)?;
        let mut inventory = project.inventory(&self.inventory.inventory, &self.path);
        let mut compiled = project.compile(&entry, Some(&inventory))?;
        // Ops name hosts and groups of the whole inventory; the limit applies after
        // checking, as the selection of ops does.
        if project.diagnostics.has_errors()
            || !self.limit.narrow(&mut inventory)
            || !self.select.narrow(project, &mut compiled)
        {
            return None;
        }
        self.shard.narrow(&mut inventory);
        Some((compiled, inventory))
    }

    /// Each host's facts (`facts[i]` are `inventory.hosts[i]`'s, when known); `None` when
    /// they cannot be read (said on standard error).
    pub(super) fn facts(
        &self,
        project: &mut Project,
        compiled: &Compiled,
        inventory: &Inventory,
    ) -> Option<Vec<Option<Facts>>> {
        match project.facts(compiled, inventory, self.facts.as_deref()) {
            Ok(facts) => Some(facts),
            Err(why) => {
                eprintln!("kiln: {why}");
                None
            }
        }
    }
}
