//! `systemd.service`: manage a systemd unit's run state and enablement, like pyinfra's
//! `systemd.service` and Ansible's `systemd_service`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call::InitSystem;
use crate::steps::services::{self, Want};

pub(crate) const DEF: OpDef = OpDef::new(
    "systemd.service",
    "Ensure a systemd unit is running or stopped and enabled or disabled, and restart or reload it.",
    lower,
)
.main_arg("service")
.args(&[
    arg("service", Str, "The unit name (`nginx` or `nginx.service`; other unit types need their suffix, e.g. `backup.timer`).").required(),
    arg("running", Bool, "Whether the service should be running (started or stopped as needed).").default(Default::Bool(true)),
    arg("restarted", Bool, "Restart the service (on every run: use it from a handler, or with `when`).").default(Default::Bool(false)),
    arg("reloaded", Bool, "Reload the service's configuration (on every run: use it from a handler, or with `when`).").default(Default::Bool(false)),
    arg("enabled", Bool, "Whether the service should start at boot; left as it is when not given."),
    arg("daemon_reload", Bool, "Run `systemctl daemon-reload` first, so changed unit files are picked up.").default(Default::Bool(false)),
    arg("user_mode", Bool, "Manage a user unit (`systemctl --user`) of the user the op runs as.").default(Default::Bool(false)),
])
.rules(&[Rule::Conflicts("restarted", "reloaded")])
.validate(services::validate);

/// `systemctl is-active` / `is-enabled` probe; see `steps::services`.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let init = InitSystem::Systemd {
        user: input.flag("user_mode"),
    };
    let want = Want::of(input);
    Ok(services::step(init, input.str("service"), &want))
}
