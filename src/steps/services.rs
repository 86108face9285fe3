//! Services: how each init system tests and changes a service, written once, used by its
//! own op (`systemd.service`, `openrc.service`, `sysvinit.service`) and by the run-time
//! dispatch of `service.service`.
//!
//! Probe: the service runs (or not) and starts at boot (or not, when `enabled` is given).
//! `restarted` and `reloaded` always act (the probe fails), so they report a change each
//! time they run: that is what a handler wants. Act: in order, `daemon-reload` (systemd),
//! the boot setting, then start / stop / restart / reload as needed. Diff: the commands
//! that would run.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::{OpArgs, Step};
use crate::runtime::call::{self, InitSystem, Service};

/// What the op wants.
pub(crate) struct Want<'a> {
    pub running: bool,
    pub enabled: Option<bool>,
    pub restarted: bool,
    pub reloaded: bool,
    /// systemd: `daemon-reload` first (and a unit whose file changed is not "as wanted").
    pub daemon_reload: bool,
    /// systemd: masked or not (none: left as it is).
    pub masked: Option<bool>,
    /// systemd: the user whose manager has the unit.
    pub as_user: Option<&'a str>,
}

impl<'a> Want<'a> {
    /// The arguments every service op has: `running`, `enabled`, `restarted`, `reloaded`
    /// (and `daemon_reload`, `masked` and `user` where the op has them; else false or
    /// none). A masked unit cannot run, so `masked = true` means stopped.
    pub(crate) fn of(input: &crate::opdef::LowerInput<'a>) -> Want<'a> {
        let masked = super::values::opt_flag(input, "masked");
        Want {
            running: input.flag("running") && masked != Some(true),
            enabled: super::values::opt_flag(input, "enabled"),
            restarted: input.flag("restarted"),
            reloaded: input.flag("reloaded"),
            daemon_reload: input.flag("daemon_reload"),
            masked,
            as_user: input.args.str("user"),
        }
    }
}

/// The step for service `name` under `init` (`InitSystem::Auto` for `service.service`,
/// whose init system is found on the host when the step runs, as the fact `init.system`):
/// one call of the runtime's `k_service`.
pub(crate) fn step(init: InitSystem, name: &str, want: &Want) -> Step {
    let systemd = matches!(init, InitSystem::Systemd { .. } | InitSystem::Auto);
    Step {
        call: Some(call::service(&Service {
            init,
            name,
            running: want.running,
            enabled: want.enabled,
            restarted: want.restarted,
            reloaded: want.reloaded,
            daemon_reload: want.daemon_reload && systemd,
            masked: want.masked.filter(|_| systemd),
            as_user: want.as_user.filter(|_| systemd),
        })),
        verify: !(want.restarted || want.reloaded),
        ..Step::default()
    }
}

/// Check-time rule shared by the service ops: a service cannot be both stopped and
/// restarted or reloaded.
pub(crate) fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    let Some(running) = args.get("running") else {
        return;
    };
    if running.value.as_bool() != Some(false) {
        return;
    }
    for verb in ["restarted", "reloaded"] {
        if args.get(verb).and_then(|v| v.value.as_bool()) == Some(true) {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    running.span,
                    format!("a stopped service cannot be {verb}"),
                )
                .label("`running = false` stops it")
                .help(format!(
                    "drop `{verb}`, or `running = false` (restarting starts a stopped service)"
                )),
            );
        }
    }
}
