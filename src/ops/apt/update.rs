//! `apt.update`: refresh apt's package lists (`apt-get update`).

use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "apt.update",
    summary: "Refresh apt's package lists with `apt-get update`.",
    main_arg: None,
    args: &[arg(
        "cache_time",
        Duration,
        "Skip the update if the package lists were refreshed less than this long ago.",
    )],
    rules: &[],
    facts: &[],
    validate: None,
    lower: None,
};
