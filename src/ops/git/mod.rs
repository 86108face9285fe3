pub(super) mod repo;
