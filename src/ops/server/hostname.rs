//! `server.hostname`: set the host's name, now and across reboots, like pyinfra's
//! `server.hostname` and Ansible's `hostname`.

use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "server.hostname",
    summary: "Set the host's name, both for the running system and in `/etc/hostname`.",
    main_arg: Some("hostname"),
    args: &[arg("hostname", Str, "The new host name.").required()],
    rules: &[],
    facts: &[],
    validate: None,
    lower: None,
};
