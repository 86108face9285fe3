//! `selinux.state`: SELinux's mode, running and at boot, like Ansible's
//! `ansible.posix.selinux`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call;

pub(crate) const DEF: OpDef = OpDef::new(
    "selinux.state",
    "Ensure SELinux is enforcing, permissive or disabled: at once where `setenforce` can, and at boot in its configuration file.",
    Network::Never,
    lower,
)
.main_arg("state")
.args(&[
    arg("state", Enum(&["enforcing", "permissive", "disabled"]), "The mode. Between `enforcing` and `permissive` it changes at once (`setenforce`); to or from `disabled` it takes a reboot, which the op says (it does not reboot: `server.reboot` does).").required(),
    arg("policy", Str, "The policy to load at boot (`SELINUXTYPE`, e.g. `targeted`); left as it is when not given."),
    arg("configfile", Path, "SELinux's configuration file.").default(Default::Str("/etc/selinux/config")),
]);

/// One call of `k_selinux_state` (`src/runtime/selinux.sh`): `getenforce` and the
/// configuration file are the probe.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    Ok(Step {
        call: Some(call::selinux_state(
            input.str("state"),
            input.str("policy"),
            input.str("configfile"),
        )),
        verify: true,
        ..Step::default()
    })
}
