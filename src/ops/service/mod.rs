// The generic `service.service` op: the file is named after the op like every other.
#[allow(clippy::module_inception)]
pub(super) mod service;
