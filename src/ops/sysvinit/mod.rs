pub(super) mod service;
