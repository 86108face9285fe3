//! `server.hostname`: set the host's name, now and across reboots, like pyinfra's
//! `server.hostname` and Ansible's `hostname`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call;
use crate::steps::values::one_line;

pub(crate) const DEF: OpDef = OpDef::new(
    "server.hostname",
    "Set the host's name, both for the running system and in `/etc/hostname`.",
    Network::Never,
    lower,
)
.main_arg("hostname")
.args(&[arg("hostname", Str, "The new host name.").required()]);

/// Probe: the running name (`uname -n`) and `/etc/hostname`. Act: write `/etc/hostname`
/// atomically, then set the running name with `hostnamectl` under systemd, else
/// `hostname`. `/etc/hosts` is left alone, as pyinfra and Ansible do.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let name = input.str("hostname");
    one_line(input, "hostname", name)?;
    Ok(Step {
        call: Some(call::hostname(name)),
        verify: true,
        ..Step::default()
    })
}
