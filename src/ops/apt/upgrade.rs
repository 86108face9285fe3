//! `apt.upgrade`: upgrade all installed Debian packages, like pyinfra's `apt.upgrade` and
//! Ansible's `apt` with `upgrade`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call;

pub(crate) const DEF: OpDef = OpDef::new(
    "apt.upgrade",
    "Upgrade every installed package with `apt-get upgrade` (or `dist-upgrade`).",
    Network::always(
        "pin the versions wanted in `apt.packages`, so that the bundle carries them, and leave this op out of the bundle (`--skip-tags`)",
    ),
    lower,
)
.args(&[
    arg("dist_upgrade", Bool, "Use `apt-get dist-upgrade`, which may also install or remove packages to satisfy changed dependencies.").default(Default::Bool(false)),
    arg("autoremove", Bool, "Then remove packages that were installed as dependencies and are no longer needed.").default(Default::Bool(false)),
]);

/// Probe: a simulated run (`apt-get -s`) would install, upgrade or remove nothing. The diff
/// is that simulation's list. Configuration files changed locally are kept.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    Ok(Step {
        call: Some(call::apt_upgrade(
            input.flag("dist_upgrade"),
            input.flag("autoremove"),
        )),
        verify: true,
        ..Step::default()
    })
}
