//! `ufw.default`: UFW's default policy of one direction, as Ansible's
//! `community.general.ufw` with `default` and `direction` sets it.
//!
//! The runtime's `k_ufw_default` reads the policy from `/etc/default/ufw` (by the shell: no
//! process) and sets it with `ufw default POLICY DIRECTION`. A default that denies incoming
//! traffic is what locks a host out once UFW is enabled: that is checked where it is
//! enabled (`ufw.enabled`, `bind::lockout`).

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call;

pub(crate) const DEF: OpDef = OpDef::new(
    "ufw.default",
    "Set UFW's default policy of a direction (incoming, outgoing or routed).",
    Network::Never,
    lower,
)
.main_arg("direction")
.args(&[
    arg(
        "direction",
        Enum(&["incoming", "outgoing", "routed"]),
        "The traffic the policy is for (`routed`: forwarded).",
    )
    .required(),
    arg(
        "policy",
        Enum(&["allow", "deny", "reject"]),
        "What happens to traffic no rule matches.",
    )
    .required(),
])
.hints(&[(
    "default",
    "kiln calls Ansible's `default` `policy`: `policy = \"deny\"`",
)]);

fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    Ok(Step {
        call: Some(call::ufw_default(
            input.str("direction"),
            input.str("policy"),
        )),
        verify: true,
        ..Step::default()
    })
}
