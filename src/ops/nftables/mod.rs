pub(crate) mod ruleset;
