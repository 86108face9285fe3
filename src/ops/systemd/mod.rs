pub(super) mod daemon_reload;
pub(super) mod service;
