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
use crate::opdef::OpArgs;
use crate::shell::Sh;

use crate::opdef::Step;

/// An init system, with what it needs to know.
pub enum Init<'a> {
    Systemd { user: bool },
    Openrc { runlevel: &'a str },
    Sysvinit,
}

/// The init systems `service.service` knows, as `k_init_system` names them.
pub const INITS: &[&str] = &["systemd", "openrc", "sysvinit"];

/// What the op wants.
pub struct Want {
    pub running: bool,
    pub enabled: Option<bool>,
    pub restarted: bool,
    pub reloaded: bool,
    /// systemd: `daemon-reload` first (and a unit whose file changed is not "as wanted").
    pub daemon_reload: bool,
}

impl Want {
    /// The arguments every service op has: `running`, `enabled`, `restarted`, `reloaded`
    /// (and `daemon_reload` where the op has it; else false).
    pub fn of(input: &crate::opdef::LowerInput) -> Want {
        Want {
            running: input.flag("running"),
            enabled: super::values::opt_flag(input, "enabled"),
            restarted: input.flag("restarted"),
            reloaded: input.flag("reloaded"),
            daemon_reload: input.flag("daemon_reload"),
        }
    }
}

impl Init<'_> {
    fn systemctl(&self) -> Sh {
        match self {
            Init::Systemd { user: true } => Sh::of("systemctl --user"),
            _ => Sh::of("systemctl"),
        }
    }

    /// Succeeds when the service is running.
    fn running(&self, name: &str) -> Sh {
        let mut sh = Sh::new();
        match self {
            Init::Systemd { .. } => {
                sh.push(&self.systemctl())
                    .code(" is-active --quiet ")
                    .arg(name);
            }
            Init::Openrc { .. } => {
                sh.code("rc-service ")
                    .arg(name)
                    .code(" status >/dev/null 2>&1");
            }
            Init::Sysvinit => {
                sh.arg(&format!("/etc/init.d/{name}"))
                    .code(" status >/dev/null 2>&1");
            }
        }
        sh
    }

    /// Succeeds when the service starts at boot.
    fn enabled(&self, name: &str) -> Sh {
        let mut sh = Sh::new();
        match self {
            Init::Systemd { .. } => {
                sh.push(&self.systemctl())
                    .code(" is-enabled --quiet ")
                    .arg(name);
            }
            Init::Openrc { runlevel } => {
                sh.code("[ -L ")
                    .arg(&format!("/etc/runlevels/{runlevel}/{name}"))
                    .code(" ]");
            }
            Init::Sysvinit => {
                sh.code("k_sysv_enabled ").arg(name);
            }
        }
        sh
    }

    /// Starts the service at boot (`on`), or stops doing so.
    fn enable(&self, name: &str, on: bool) -> Sh {
        let mut sh = Sh::new();
        match self {
            Init::Systemd { .. } => {
                sh.push(&self.systemctl())
                    .code(if on { " enable " } else { " disable " })
                    .arg(name);
            }
            Init::Openrc { runlevel } => {
                sh.code(if on {
                    "rc-update add "
                } else {
                    "rc-update del "
                })
                .arg(name)
                .code(" ")
                .arg(runlevel);
            }
            Init::Sysvinit => {
                sh.code("k_sysv_enable ")
                    .arg(name)
                    .code(if on { " 1" } else { " 0" });
            }
        }
        sh
    }

    /// `start`, `stop`, `restart` or `reload` the service.
    fn control(&self, name: &str, verb: &'static str) -> Sh {
        let mut sh = Sh::new();
        match self {
            Init::Systemd { .. } => {
                sh.push(&self.systemctl())
                    .code(" ")
                    .code(verb)
                    .code(" ")
                    .arg(name);
            }
            Init::Openrc { .. } => {
                sh.code("rc-service ").arg(name).code(" ").code(verb);
            }
            Init::Sysvinit => {
                sh.arg(&format!("/etc/init.d/{name}")).code(" ").code(verb);
            }
        }
        sh
    }
}

/// The step for service `name` under `init`.
pub fn step(init: &Init, name: &str, want: &Want) -> Step {
    let mut step = Step {
        verify: !(want.restarted || want.reloaded),
        ..Step::default()
    };
    let systemd = matches!(init, Init::Systemd { .. });
    let daemon_reload = want.daemon_reload && systemd;
    if let Init::Systemd { user: true } = init {
        // A user manager is found through XDG_RUNTIME_DIR, which sudo and su do not set.
        for body in [&mut step.probe, &mut step.act, &mut step.diff] {
            body.code(
                "XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/run/user/$(id -u)}; export XDG_RUNTIME_DIR\n",
            );
        }
    }

    // Probe.
    let running = init.running(name);
    let enabled = init.enabled(name);
    let mut tests: Vec<Sh> = Vec::new();
    if want.restarted || want.reloaded {
        tests.push(Sh::of("false"));
    } else {
        if daemon_reload {
            let mut t = Sh::of("[ \"$(");
            t.push(&init.systemctl())
                .code(" show -p NeedDaemonReload --value ")
                .arg(name)
                .code(")\" != yes ]");
            tests.push(t);
        }
        tests.push(if want.running {
            running.clone()
        } else {
            negate(&running)
        });
        match want.enabled {
            Some(true) => tests.push(enabled.clone()),
            Some(false) => tests.push(negate(&enabled)),
            None => {}
        }
    }
    for (i, test) in tests.iter().enumerate() {
        if i > 0 {
            step.probe.code(" &&\n");
        }
        step.probe.push(test);
    }

    // Act and diff, command by command.
    let mut commands: Vec<Command> = Vec::new();
    if daemon_reload {
        let mut reload = init.systemctl();
        reload.code(" daemon-reload");
        commands.push(Command::Always(reload));
    }
    if let Some(on) = want.enabled {
        let holds = if on {
            enabled.clone()
        } else {
            negate(&enabled)
        };
        commands.push(Command::Unless(holds, init.enable(name, on)));
    }
    if want.restarted {
        commands.push(Command::Always(init.control(name, "restart")));
    } else if want.reloaded {
        // Reloading a stopped service starts it, as Ansible's `state: reloaded` does.
        commands.push(Command::IfElse(
            running.clone(),
            init.control(name, "reload"),
            init.control(name, "start"),
        ));
    } else if want.running {
        commands.push(Command::Unless(
            running.clone(),
            init.control(name, "start"),
        ));
    } else {
        commands.push(Command::Unless(
            negate(&running),
            init.control(name, "stop"),
        ));
    }
    for (i, command) in commands.iter().enumerate() {
        if i > 0 {
            step.act.code(" &&\n");
            step.diff.code("\n");
        }
        command.act(&mut step.act);
        command.show(&mut step.diff);
    }
    step.diff.code("\n:");
    step
}

/// One command of the act.
enum Command {
    Always(Sh),
    /// Run the command unless the test holds.
    Unless(Sh, Sh),
    /// If the test holds run the first, else the second.
    IfElse(Sh, Sh, Sh),
}

impl Command {
    fn act(&self, sh: &mut Sh) {
        match self {
            Command::Always(command) => {
                sh.push(command);
            }
            Command::Unless(holds, command) => {
                sh.code("{ ")
                    .push(holds)
                    .code(" || ")
                    .push(command)
                    .code("; }");
            }
            Command::IfElse(test, then, other) => {
                sh.code("if ")
                    .push(test)
                    .code("; then ")
                    .push(then)
                    .code("; else ")
                    .push(other)
                    .code("; fi");
            }
        }
    }

    /// Prints the command that would run.
    fn show(&self, sh: &mut Sh) {
        let show = |sh: &mut Sh, command: &Sh| {
            sh.code("printf 'would run: %s\\n' ").arg(command.display());
        };
        match self {
            Command::Always(command) => show(sh, command),
            Command::Unless(holds, command) => {
                sh.push(holds).code(" || ");
                show(sh, command);
            }
            Command::IfElse(test, then, other) => {
                sh.code("if ").push(test).code("; then ");
                show(sh, then);
                sh.code("; else ");
                show(sh, other);
                sh.code("; fi");
            }
        }
    }
}

/// `service.service`: the same steps for every init system, chosen on the host at run
/// time (`k_init_system`, the same detection as the fact `init.system`).
pub fn dispatch(name: &str, want: &Want) -> Step {
    let steps: Vec<(&'static str, Step)> = INITS
        .iter()
        .map(|init| {
            let init_system = match *init {
                "systemd" => Init::Systemd { user: false },
                "openrc" => Init::Openrc {
                    runlevel: "default",
                },
                _ => Init::Sysvinit,
            };
            (*init, step(&init_system, name, want))
        })
        .collect();
    let case = |field: fn(&Step) -> &Sh| {
        let mut sh = Sh::of("case $(k_init_system) in\n");
        for (init, step) in &steps {
            sh.code(init).code(")\n").push(field(step)).code("\n;;\n");
        }
        sh.code("*) k_err 'no supported init system found'; false ;;\nesac");
        sh
    };
    Step {
        probe: case(|s| &s.probe),
        act: case(|s| &s.act),
        diff: case(|s| &s.diff),
        verify: !(want.restarted || want.reloaded),
        data: Sh::new(),
    }
}

fn negate(test: &Sh) -> Sh {
    let mut sh = Sh::of("! ");
    sh.push(test);
    sh
}

/// Check-time rule shared by the service ops: a service cannot be both stopped and
/// restarted or reloaded.
pub fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
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
