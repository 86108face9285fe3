//! `systemd.service`: manage a systemd unit's run state and enablement, like pyinfra's
//! `systemd.service` and Ansible's `systemd_service`.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, OpArgs, Step};
use crate::runtime::call::InitSystem;
use crate::steps::services::{self, Want};

pub(crate) const DEF: OpDef = OpDef::new(
    "systemd.service",
    "Ensure a systemd unit is running or stopped and enabled or disabled, and restart or reload it.",
    Network::Never,
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
    arg("masked", Bool, "Whether the unit is masked (`systemctl mask`: it cannot be started at all, by hand or as a dependency; a masked unit is stopped); left as it is when not given."),
    arg("user_mode", Bool, "Manage a user unit (`systemctl --user`) of the user the op runs as.").default(Default::Bool(false)),
    arg("user", Account, "Manage a unit of this user's manager: `systemctl --user` run as the user (through su as root, else `sudo -n`), with `XDG_RUNTIME_DIR=/run/user/UID` and the user's bus (the user's manager must run: `loginctl enable-linger`)."),
])
.rules(&[Rule::Conflicts("restarted", "reloaded"), Rule::Conflicts("user", "user_mode")])
.validate(validate);

/// The service ops' rule, and what a masked unit cannot be: running, enabled, restarted or
/// reloaded.
fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    services::validate(args, diagnostics);
    let Some(masked) = args.get("masked") else {
        return;
    };
    if masked.value.as_bool() != Some(true) {
        return;
    }
    for wanted in ["running", "enabled", "restarted", "reloaded"] {
        if let Some(given) = args.get(wanted)
            && given.value.as_bool() == Some(true)
        {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    given.span,
                    format!("a masked unit cannot be {wanted}"),
                )
                .label(format!("`{wanted} = true`"))
                .help(format!(
                    "drop `{wanted}` (a masked unit is stopped), or `masked = false` to unmask it"
                )),
            );
        }
    }
}

/// `systemctl is-active` / `is-enabled` probe (`is-enabled` says `masked` for a masked
/// unit); see `steps::services`. A timer is a unit like any other: `backup.timer` is
/// started and enabled by its name.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let init = InitSystem::Systemd {
        user: input.flag("user_mode"),
    };
    let want = Want::of(input);
    Ok(services::step(init, input.str("service"), &want))
}
