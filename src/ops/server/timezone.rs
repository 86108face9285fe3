//! `server.timezone`: set the system time zone, like Ansible's `timezone`.

use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "server.timezone",
    summary: "Set the system time zone.",
    main_arg: Some("timezone"),
    args: &[arg(
        "timezone",
        Str,
        "An IANA time zone name from `/usr/share/zoneinfo`, e.g. `Europe/Paris` or `UTC`.",
    )
    .required()],
    rules: &[],
    facts: &["os.family"],
    validate: None,
    lower: None,
};
