//! `server.hostname`: set the host's name, now and across reboots, like pyinfra's
//! `server.hostname` and Ansible's `hostname`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::steps::values::one_line;

pub const DEF: OpDef = OpDef::new(
    "server.hostname",
    "Set the host's name, both for the running system and in `/etc/hostname`.",
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
    let mut step = Step {
        verify: true,
        ..Step::default()
    };
    step.probe
        .code("[ \"$(uname -n)\" = ")
        .arg(name)
        .code(" ] && [ \"$(cat /etc/hostname 2>/dev/null)\" = ")
        .arg(name)
        .code(" ]");
    step.act
        .code("{ [ \"$(cat /etc/hostname 2>/dev/null)\" = ")
        .arg(name)
        .code(" ] || printf '%s\\n' ")
        .arg(name)
        .code(" | k_write /etc/hostname '' '' ''; } &&\n");
    step.act
        .code("if [ -d /run/systemd/system ] && command -v hostnamectl >/dev/null 2>&1; then\n  hostnamectl set-hostname ")
        .arg(name)
        .code("\nelse\n  hostname ")
        .arg(name)
        .code("\nfi");
    step.diff
        .code("printf 'hostname: %s -> %s\\n' \"$(uname -n)\" ")
        .arg(name);
    Ok(step)
}
