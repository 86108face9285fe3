pub mod key;
pub mod packages;
pub mod repo;
pub mod update;
pub mod upgrade;
