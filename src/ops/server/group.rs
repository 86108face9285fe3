//! `server.group`: ensure a local group exists (or not), like pyinfra's `server.group` and
//! Ansible's `group`.

use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "server.group",
    summary: "Ensure a local group exists, or is absent.",
    main_arg: Some("group"),
    args: &[
        arg("group", Account, "The group's name.").required(),
        arg("present", Bool, "Whether the group should exist.").default(Default::Bool(true)),
        arg("gid", Int { min: 0, max: 4_294_967_294 }, "The numeric group id."),
        arg("system", Bool, "Create a system group (a gid in the system range); only used when the group is created.").default(Default::Bool(false)),
    ],
    rules: &[],
    facts: &["os.family"],
    validate: None,
    lower: None,
};
