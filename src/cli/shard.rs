//! `--shard K/N` on `emit`, `audit`, `bundle`, `plan` and `apply`: this runner's part of the inventory
//! (`inventory::shard` says how hosts are split), taken after `--limit`.

use clap::Args;

use crate::inventory::Inventory;
use crate::inventory::shard::Shard;

/// `--shard`.
#[derive(Args, Debug, Default)]
pub(super) struct ShardOption {
    /// Only the hosts of part K of N (`2/4`): hosts are split by a hash of their name
    /// (FNV-1a, mod N), after `--limit`, so that N runners together cover every host once.
    #[arg(long, value_name = "K/N", value_parser = clap::value_parser!(Shard))]
    shard: Option<Shard>,
}

impl ShardOption {
    /// Narrows `inventory` to the shard, if one is asked for.
    pub(super) fn narrow(&self, inventory: &mut Inventory) {
        if let Some(shard) = self.shard {
            inventory.shard(shard);
        }
    }
}
