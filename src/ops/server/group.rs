//! `server.group`: ensure a local group exists (or not), like pyinfra's `server.group` and
//! Ansible's `group`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call;
use crate::steps::values::int;

pub(crate) const DEF: OpDef = OpDef::new(
    "server.group",
    "Ensure a local group exists, or is absent.",
    Network::Never,
    lower,
)
.main_arg("group")
.args(&[
    arg("group", Account, "The group's name.").required(),
    arg("present", Bool, "Whether the group should exist.").default(Default::Bool(true)),
    arg(
        "gid",
        Int {
            min: 0,
            max: 4_294_967_294,
        },
        "The numeric group id.",
    ),
    arg(
        "system",
        Bool,
        "Create a system group (a gid in the system range); only used when the group is created.",
    )
    .default(Default::Bool(false)),
]);

/// Probe with `getent group` (and its gid); act with `groupadd` / `groupmod` / `groupdel`,
/// or busybox's `addgroup` / `delgroup` where the shadow tools are missing.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    Ok(Step {
        call: Some(call::group(
            input.str("group"),
            int(input, "gid"),
            input.flag("system"),
            !input.flag("present"),
        )),
        verify: true,
        ..Step::default()
    })
}
