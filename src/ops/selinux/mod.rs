pub(super) mod boolean;
pub(super) mod fcontext;
pub(super) mod state;
