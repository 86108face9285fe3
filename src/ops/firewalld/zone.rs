//! `firewalld.zone`: a firewalld zone made or deleted, as Ansible's
//! `ansible.posix.firewalld` with `zone` and `state: present|absent`. A zone is permanent
//! configuration only (as in Ansible, which requires `permanent` for it); with `immediate`
//! firewalld is reloaded after a change, so the running configuration has it too.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call;
use crate::steps::values::not_an_option;

pub(crate) const DEF: OpDef = OpDef::new(
    "firewalld.zone",
    "Ensure a firewalld zone exists, or not.",
    Network::Never,
    lower,
)
.main_arg("zone")
.args(&[
    arg("zone", Str, "The zone's name.").required(),
    arg(
        "state",
        Enum(&["present", "absent"]),
        "Whether the zone exists.",
    )
    .default(Default::Str("present")),
    arg(
        "immediate",
        Bool,
        "Reload firewalld after a change, so the running configuration has it.",
    )
    .default(Default::Bool(true)),
])
.hints(&[(
    "permanent",
    "a zone is only ever permanent configuration, so kiln takes no `permanent` (Ansible requires `permanent: true` for a zone): remove it",
)]);

fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let zone = input.str("zone");
    not_an_option(input, "zone", zone)?;
    Ok(Step {
        call: Some(call::firewalld_zone(
            zone,
            input.str("state") == "present",
            input.flag("immediate"),
        )),
        verify: true,
        ..Step::default()
    })
}
