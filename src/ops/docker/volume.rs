//! `docker.volume`: a named volume, like Ansible's `community.docker.docker_volume` (its
//! name and driver).

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, OpArgs, Step};

pub(crate) const DEF: OpDef = OpDef::new(
    "docker.volume",
    "Ensure a docker (or podman) named volume exists, or does not.",
    Network::Never,
    lower,
)
.main_arg("volume")
.args(&[
    arg("volume", Str, "The volume's name.").required(),
    super::OBJECT_DRIVER,
    super::OBJECT_PRESENT,
    super::CLI,
])
.validate(validate);

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    super::validate_name(args, "volume", diagnostics);
}

fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    super::object_step(input, "volume")
}
