//! `sysvinit.service`: manage a SysV init script's run state and boot links, like pyinfra's
//! `sysvinit.service`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call::InitSystem;
use crate::steps::services::{self, Want};

pub(crate) const DEF: OpDef = OpDef::new(
    "sysvinit.service",
    "Ensure a SysV init service is running or stopped and started at boot or not, and restart or reload it.",
    Network::Never,
    lower,
)
.main_arg("service")
.args(&[
    arg("service", Str, "The script's name in `/etc/init.d`.").required(),
    arg("running", Bool, "Whether the service should be running (started or stopped as needed).").default(Default::Bool(true)),
    arg("restarted", Bool, "Restart the service (on every run: use it from a handler, or with `when`).").default(Default::Bool(false)),
    arg("reloaded", Bool, "Reload the service's configuration (on every run: use it from a handler, or with `when`).").default(Default::Bool(false)),
    arg("enabled", Bool, "Whether the service should start at boot; left as it is when not given."),
])
.rules(&[Rule::Conflicts("restarted", "reloaded")])
.validate(services::validate);

/// `/etc/init.d/NAME status` and the rc?.d links probe; see `steps::services`.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let want = Want::of(input);
    Ok(services::step(
        InitSystem::Sysvinit,
        input.str("service"),
        &want,
    ))
}
