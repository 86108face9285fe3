//! `docker.network`: a container network, like Ansible's `community.docker.docker_network`
//! (its name and driver).

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};

pub(crate) const DEF: OpDef = OpDef::new(
    "docker.network",
    "Ensure a docker (or podman) network exists, or does not.",
    lower,
)
.main_arg("name")
.args(super::OBJECT_ARGS)
.validate(super::validate_object);

fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    super::object_step(input, "network")
}
