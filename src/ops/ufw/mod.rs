pub(super) mod default;
pub(super) mod enabled;
pub(super) mod rule;
