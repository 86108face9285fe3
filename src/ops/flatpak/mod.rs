pub(super) mod packages;
