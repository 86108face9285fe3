//! `server.reboot`: reboot the host and wait for it to come back, like pyinfra's
//! `server.reboot` and Ansible's `reboot`.

use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "server.reboot",
    summary: "Reboot the host and wait until it accepts connections again before going on.",
    main_arg: None,
    args: &[
        arg(
            "delay",
            Duration,
            "Wait this long after the reboot is issued before trying to reconnect.",
        )
        .default(Default::Str("10s")),
        arg(
            "reboot_timeout",
            Duration,
            "Fail if the host does not accept connections again within this long.",
        )
        .default(Default::Str("10m")),
        arg(
            "message",
            Str,
            "The message broadcast to logged-in users before rebooting.",
        )
        .default(Default::Str("Reboot initiated by kiln")),
    ],
    rules: &[],
    facts: &[],
    validate: None,
    lower: None,
};
