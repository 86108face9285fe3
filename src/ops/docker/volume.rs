//! `docker.volume`: a named volume, like Ansible's `community.docker.docker_volume` (its
//! name and driver).

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};

pub(crate) const DEF: OpDef = OpDef::new(
    "docker.volume",
    "Ensure a docker (or podman) named volume exists, or does not.",
    lower,
)
.main_arg("name")
.args(super::OBJECT_ARGS)
.validate(super::validate_object);

fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    super::object_step(input, "volume")
}
