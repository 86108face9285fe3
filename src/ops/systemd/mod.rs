pub(super) mod daemon_reload;
pub(super) mod service;
pub(super) mod unit;
