//! `openrc.service`: manage an OpenRC service's run state and runlevel, like pyinfra's
//! `openrc.service` and Ansible's `openrc`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call::InitSystem;
use crate::steps::services::{self, Want};

pub(crate) const DEF: OpDef = OpDef::new(
    "openrc.service",
    "Ensure an OpenRC service is running or stopped and in or out of a runlevel, and restart or reload it.",
    Network::Never,
    lower,
)
.main_arg("service")
.args(&[
    arg("service", Str, "The service's name in `/etc/init.d`.").required(),
    arg("running", Bool, "Whether the service should be running (started or stopped as needed).").default(Default::Bool(true)),
    arg("restarted", Bool, "Restart the service (on every run: use it from a handler, or with `when`).").default(Default::Bool(false)),
    arg("reloaded", Bool, "Reload the service's configuration (on every run: use it from a handler, or with `when`).").default(Default::Bool(false)),
    arg("enabled", Bool, "Whether the service should start at boot; left as it is when not given."),
    arg("runlevel", Str, "The runlevel `enabled` adds the service to or removes it from.").default(Default::Str("default")),
])
.rules(&[Rule::Conflicts("restarted", "reloaded")])
.validate(services::validate);

/// `rc-service status` and the runlevel's link probe; see `steps::services`.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let init = InitSystem::Openrc {
        runlevel: input.str("runlevel"),
    };
    let want = Want::of(input);
    Ok(services::step(init, input.str("service"), &want))
}
