//! `server.wait`: wait for a port, a path or a command to reach a state, like Ansible's
//! `wait_for`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call::{self, Awaited};
use crate::steps::values::{int, not_an_option, seconds};

pub(crate) const DEF: OpDef = OpDef::new(
    "server.wait",
    "Wait until a TCP port is open, a path exists or a command succeeds (or the opposite), failing after a timeout.",
    Network::when(
        "with `port` on a `host` other than the host itself",
        |args, _| {
            args.contains("port")
                && !matches!(args.str("host"), None | Some("localhost" | "::1"))
                && !args.str("host").is_some_and(|host| host.starts_with("127."))
        },
        "a host with no network reaches no other: wait for a `path`, a `command`, or a port of the host itself (`127.0.0.1`)",
    ),
    lower,
)
.args(&[
    arg("port", PORT, "Wait for this TCP port on `host` to accept connections."),
    arg("path", Path, "Wait for this path to exist."),
    arg("command", Shell, "Wait for this shell command to succeed."),
    arg("host", Str, "The host (name or address, as seen from the target) whose `port` is checked.").default(Default::Str("127.0.0.1")),
    arg("present", Bool, "Wait for the port to be open, the path to exist or the command to succeed; false waits for the opposite.").default(Default::Bool(true)),
    arg("timeout", Duration, "Fail if the condition does not hold within this long.").default(Default::Str("5m")),
    arg("delay", Duration, "Wait this long before the first check.").default(Default::Str("0s")),
    arg("interval", Duration, "Wait this long between checks.").default(Default::Str("1s")),
])
.rules(&[
    Rule::OneOf(&["port", "path", "command"]),
    Rule::Requires("host", "port"),
]);

/// Probe: after `delay`, the condition already holds (ok: nothing to wait for). Act:
/// `k_wait` checks it every `interval` until it holds, failing after `timeout`. A port is
/// checked with `nc -z`, or, without nc and for this host, in the kernel's table of
/// listening sockets (`/proc/net/tcp`); no `/dev/tcp`, which POSIX sh does not have.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let awaited = if let Some(port) = int(input, "port") {
        let host = input.str("host");
        // `nc -z -w 2 HOST PORT`: a host like `-e/bin/sh` would be an option of nc.
        not_an_option(input, "host", host)?;
        Awaited::Port { host, port }
    } else if let Some(path) = input.args.str("path") {
        Awaited::Path(path)
    } else {
        Awaited::Command(input.str("command"))
    };
    Ok(Step {
        call: Some(call::wait_for(
            &awaited,
            !input.flag("present"),
            seconds(input, "delay"),
            seconds(input, "timeout"),
            seconds(input, "interval").max(1),
        )),
        ..Step::default()
    })
}
