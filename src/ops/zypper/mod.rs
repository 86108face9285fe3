pub(super) mod key;
pub(super) mod packages;
pub(super) mod repo;
pub(super) mod rpm;
