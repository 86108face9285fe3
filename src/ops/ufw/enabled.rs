//! `ufw.enabled`: UFW enabled or disabled, and its log level, as Ansible's
//! `community.general.ufw` with `state: enabled|disabled` and `logging`.
//!
//! The runtime's `k_ufw_enabled` asks `ufw status` whether the firewall is active and reads
//! the log level from `/etc/ufw/ufw.conf`; it enables with `ufw --force enable` (UFW's own
//! question, whether the SSH connection may be cut, is answered by kiln before anything
//! runs: enabling UFW without a rule that allows the SSH port kiln connects through is an
//! error unless `force = true`, `bind::lockout`).

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call;

pub(crate) const DEF: OpDef = OpDef::new(
    "ufw.enabled",
    "Enable or disable UFW, and set its logging level.",
    Network::Never,
    lower,
)
.main_arg("enabled")
.args(&[
    arg("enabled", Bool, "Whether UFW is active (and started at boot).").default(Default::Bool(true)),
    arg("logging", Enum(&["on", "off", "low", "medium", "high", "full"]), "UFW's log level (`on` is `low`)."),
    arg("force", Bool, "Enable UFW even when no `ufw.rule` of the manifest allows the SSH port kiln connects through.").default(Default::Bool(false)),
])
.hints(&[(
    "state",
    "kiln says `enabled = true` where Ansible says `state: enabled` (`enabled = false` for `disabled`)",
)]);

fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    Ok(Step {
        call: Some(call::ufw_enabled(
            input.flag("enabled"),
            input.args.str("logging").unwrap_or_default(),
        )),
        verify: true,
        ..Step::default()
    })
}
