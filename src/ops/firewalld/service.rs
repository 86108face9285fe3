//! `firewalld.service`: a firewalld service (`ssh`, `https`, ...) enabled or disabled in a
//! zone, as Ansible's `ansible.posix.firewalld` with `service` (see the module's doc).

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};

use super::{IMMEDIATE, PERMANENT, STATE, ZONE, lower_rule, some_configuration};

pub(crate) const DEF: OpDef = OpDef::new(
    "firewalld.service",
    "Ensure a service is allowed, or not, in a firewalld zone, permanently and now.",
    Network::Never,
    lower,
)
.main_arg("service")
.args(&[
    arg("service", Str, "The service's name, as `firewall-cmd --get-services` lists it (`ssh`, `https`, `postgresql`).").required(),
    ZONE,
    STATE,
    PERMANENT,
    IMMEDIATE,
])
.validate(some_configuration);

fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    lower_rule(input, "--service", "service")
}
