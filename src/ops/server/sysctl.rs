//! `server.sysctl`: set a kernel parameter, now and optionally across reboots, like pyinfra's
//! `server.sysctl` and Ansible's `sysctl`.

use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "server.sysctl",
    summary: "Set a kernel parameter with `sysctl`, and optionally persist it in a sysctl configuration file.",
    main_arg: Some("key"),
    args: &[
        arg("key", Str, "The parameter, e.g. `net.ipv4.ip_forward`.").required(),
        arg("value", Str, "The value, as `sysctl` prints it (several values separated by spaces, e.g. `\"4096 87380 6291456\"`).").required(),
        arg("persist", Bool, "Also write the setting to `file` so it survives a reboot.").default(Default::Bool(true)),
        arg("file", Path, "The file the setting is persisted in.").default(Default::Str("/etc/sysctl.d/99-kiln.conf")),
    ],
    rules: &[],
    facts: &[],
    validate: None,
    lower: None,
};
