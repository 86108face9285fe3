//! The format-neutral model shared by both manifest spellings and the inventory.

pub mod inventory;
pub mod manifest;
pub mod value;

pub use inventory::{GroupDecl, HostDecl, InventoryFile};
pub use manifest::{Define, FactDecl, Include, Item, Manifest, OpCall, Param};
pub use value::{Table, Value};
