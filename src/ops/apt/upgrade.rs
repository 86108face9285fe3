//! `apt.upgrade`: upgrade all installed Debian packages, like pyinfra's `apt.upgrade` and
//! Ansible's `apt` with `upgrade`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};

pub const DEF: OpDef = OpDef::new(
    "apt.upgrade",
    "Upgrade every installed package with `apt-get upgrade` (or `dist-upgrade`).",
    lower,
)
.args(&[
    arg("dist_upgrade", Bool, "Use `apt-get dist-upgrade`, which may also install or remove packages to satisfy changed dependencies.").default(Default::Bool(false)),
    arg("autoremove", Bool, "Then remove packages that were installed as dependencies and are no longer needed.").default(Default::Bool(false)),
]);

/// Probe: a simulated run (`apt-get -s`) would install, upgrade or remove nothing. The diff
/// is that simulation's list. Configuration files changed locally are kept.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let (simulate, run) = if input.flag("dist_upgrade") {
        (
            "LC_ALL=C apt-get -s -q dist-upgrade",
            "env DEBIAN_FRONTEND=noninteractive apt-get dist-upgrade -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold",
        )
    } else {
        (
            "LC_ALL=C apt-get -s -q upgrade",
            "env DEBIAN_FRONTEND=noninteractive apt-get upgrade -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold",
        )
    };
    let autoremove = input.flag("autoremove");
    let mut step = Step {
        verify: true,
        ..Step::default()
    };
    step.probe
        .code("! ")
        .code(simulate)
        .code(" 2>/dev/null | grep -qE '^(Inst|Remv) '");
    step.act.code(run);
    step.diff
        .code(simulate)
        .code(" 2>/dev/null | grep -E '^(Inst|Remv) '");
    if autoremove {
        step.probe
            .code(" &&\n! LC_ALL=C apt-get -s -q autoremove 2>/dev/null | grep -q '^Remv '");
        step.act
            .code(" &&\nenv DEBIAN_FRONTEND=noninteractive apt-get autoremove -y -q");
        step.diff
            .code("\nLC_ALL=C apt-get -s -q autoremove 2>/dev/null | grep '^Remv '");
    }
    step.diff.code("\n:");
    Ok(step)
}
