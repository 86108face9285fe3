pub(super) mod ruleset;
