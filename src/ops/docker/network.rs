//! `docker.network`: a container network, like Ansible's `community.docker.docker_network`
//! (its name and driver).

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, OpArgs, Step};

pub(crate) const DEF: OpDef = OpDef::new(
    "docker.network",
    "Ensure a docker (or podman) network exists, or does not.",
    Network::Never,
    lower,
)
.main_arg("network")
.args(&[
    arg("network", Str, "The network's name.").required(),
    super::OBJECT_DRIVER,
    super::OBJECT_PRESENT,
    super::CLI,
])
.validate(validate);

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    super::validate_name(args, "network", diagnostics);
}

fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    super::object_step(input, "network")
}
