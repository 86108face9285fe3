//! `service.service`: manage a service with whichever init system the host uses, like
//! Ansible's `service`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call::InitSystem;
use crate::steps::services::{self, Want};

pub(crate) const DEF: OpDef = OpDef::new(
    "service.service",
    "Ensure a service is running or stopped and enabled or disabled, and restart or reload it, with the host's init system.",
    Network::Never,
    lower,
)
.main_arg("service")
.args(&[
    arg("service", Str, "The service's name.").required(),
    arg("running", Bool, "Whether the service should be running (started or stopped as needed).").default(Default::Bool(true)),
    arg("restarted", Bool, "Restart the service (on every run: use it from a handler, or with `when`).").default(Default::Bool(false)),
    arg("reloaded", Bool, "Reload the service's configuration (on every run: use it from a handler, or with `when`).").default(Default::Bool(false)),
    arg("enabled", Bool, "Whether the service should start at boot; left as it is when not given."),
])
.rules(&[Rule::Conflicts("restarted", "reloaded")])
.validate(services::validate);

/// Dispatches on the host, at run time, on its init system (the same detection as the
/// fact `init.system`); see `steps::services`.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let want = Want::of(input);
    Ok(services::step(
        InitSystem::Auto,
        input.str("service"),
        &want,
    ))
}
