pub(super) mod config;
pub(super) mod repo;
