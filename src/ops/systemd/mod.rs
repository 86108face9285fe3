pub mod daemon_reload;
pub mod service;
