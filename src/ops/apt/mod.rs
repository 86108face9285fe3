pub(super) mod deb;
pub(super) mod key;
pub(super) mod packages;
pub(super) mod ppa;
pub(super) mod repo;
pub(super) mod sources;
pub(super) mod update;
pub(super) mod upgrade;
