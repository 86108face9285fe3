//! `server.wait`: wait for a port, a path or a command to reach a state, like Ansible's
//! `wait_for`.

use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "server.wait",
    summary: "Wait until a TCP port is open, a path exists or a command succeeds (or the opposite), failing after a timeout.",
    main_arg: None,
    args: &[
        arg("port", PORT, "Wait for this TCP port on `host` to accept connections."),
        arg("path", Path, "Wait for this path to exist."),
        arg("command", Shell, "Wait for this shell command to succeed."),
        arg("host", Str, "The host (name or address, as seen from the target) whose `port` is checked.").default(Default::Str("127.0.0.1")),
        arg("present", Bool, "Wait for the port to be open, the path to exist or the command to succeed; false waits for the opposite.").default(Default::Bool(true)),
        arg("timeout", Duration, "Fail if the condition does not hold within this long.").default(Default::Str("5m")),
        arg("delay", Duration, "Wait this long before the first check.").default(Default::Str("0s")),
        arg("interval", Duration, "Wait this long between checks.").default(Default::Str("1s")),
    ],
    rules: &[
        Rule::OneOf(&["port", "path", "command"]),
        Rule::Requires("host", "port"),
    ],
    facts: &[],
    validate: None,
    lower: None,
};
