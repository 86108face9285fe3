//! `server.reboot`: reboot the host and wait for it to come back, like pyinfra's
//! `server.reboot` and Ansible's `reboot`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call;
use crate::steps::values::seconds;

pub(crate) const DEF: OpDef = OpDef::new(
    "server.reboot",
    "Reboot the host and wait until it accepts connections again before going on.",
    Network::Never,
    lower,
)
.args(&[
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
]);

/// Always acts (the probe fails). In a script, the act broadcasts `message`, asks for the
/// reboot (`shutdown -r now`, else `reboot`) and then waits to be stopped by it: the rest
/// of the script must not run on a host that is going down. If the host is still up after
/// `reboot_timeout`, the op fails. (`delay` is for live runs, which reconnect.)
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    Ok(Step {
        call: Some(call::reboot(
            input.str("message"),
            seconds(input, "reboot_timeout"),
        )),
        ..Step::default()
    })
}
