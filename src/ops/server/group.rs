//! `server.group`: ensure a local group exists (or not), like pyinfra's `server.group` and
//! Ansible's `group`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::shell::Sh;
use crate::steps::values::int;

pub const DEF: OpDef = OpDef::new(
    "server.group",
    "Ensure a local group exists, or is absent.",
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
    let group = input.str("group");
    let mut step = Step {
        verify: true,
        ..Step::default()
    };
    if !input.flag("present") {
        step.probe
            .code("! k_getent group ")
            .arg(group)
            .code(" >/dev/null");
        step.act
            .code("if command -v groupdel >/dev/null 2>&1; then groupdel ")
            .arg(group)
            .code("; else delgroup ")
            .arg(group)
            .code("; fi");
        step.diff.code("printf 'remove group %s\\n' ").arg(group);
        return Ok(step);
    }
    step.probe
        .code("k_ent=$(k_getent group ")
        .arg(group)
        .code(") && [ -n \"$k_ent\" ]");
    let gid = int(input, "gid");
    let mut gid_ok = Sh::new();
    if let Some(gid) = gid {
        gid_ok
            .code("[ \"$(k_field \"$k_ent\" 3)\" = ")
            .int(gid)
            .code(" ]");
        step.probe.code(" && ").push(&gid_ok);
    }
    let system = input.flag("system");
    step.act
        .code("if k_ent=$(k_getent group ")
        .arg(group)
        .code(") && [ -n \"$k_ent\" ]; then\n");
    match gid {
        Some(gid) => {
            step.act
                .code("  groupmod -g ")
                .int(gid)
                .code(" ")
                .arg(group);
        }
        None => {
            step.act.code("  :");
        }
    }
    step.act
        .code("\nelif command -v groupadd >/dev/null 2>&1; then\n  groupadd");
    if system {
        step.act.code(" -r");
    }
    if let Some(gid) = gid {
        step.act.code(" -g ").int(gid);
    }
    step.act.code(" ").arg(group).code("\nelse\n  addgroup");
    if system {
        step.act.code(" -S");
    }
    if let Some(gid) = gid {
        step.act.code(" -g ").int(gid);
    }
    step.act.code(" ").arg(group).code("\nfi");
    step.diff
        .code("if ! k_ent=$(k_getent group ")
        .arg(group)
        .code(") || [ -z \"$k_ent\" ]; then printf 'create group %s\\n' ")
        .arg(group);
    if let Some(gid) = gid {
        step.diff
            .code("\nelse ")
            .push(&gid_ok)
            .code(" || printf 'gid: %s -> %s\\n' \"$(k_field \"$k_ent\" 3)\" ")
            .int(gid);
    }
    step.diff.code("; fi");
    Ok(step)
}
