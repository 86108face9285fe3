//! `pip.packages`: install or remove Python packages with `pip`, system-wide or in a
//! virtualenv, like pyinfra's `pip.packages` and Ansible's `pip`.

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::ops::common::PACKAGES_PRESENT;
use crate::shell::Sh;
use crate::steps::packages::{self, Manager, Want};
use crate::steps::values::words;

pub const DEF: OpDef = OpDef::new(
    "pip.packages",
    "Ensure Python packages are installed (optionally at their latest version) or removed with `pip`, optionally in a virtualenv.",
    lower,
)
.main_arg("packages")
.args(&[
    arg("packages", STR_LIST, "Requirement specifiers (`requests`, `django==5.0`, `flask>=3`)."),
    PACKAGES_PRESENT,
    arg("latest", Bool, "Upgrade the packages to the newest available version (`--upgrade`), not just install missing ones.").default(Default::Bool(false)),
    arg("virtualenv", Path, "A virtualenv to install into, created (with `python3 -m venv`) if missing; its own `pip` is used."),
    arg("pip", Str, "The pip command to use when no `virtualenv` is given.").default(Default::Str("pip3")),
    arg("requirements", Path, "A requirements file on the host to install (`-r`)."),
    arg("extra_args", STR_LIST, "Extra arguments for `pip install` / `pip uninstall`."),
])
.rules(&[
    Rule::AnyOf(&["packages", "requirements"]),
    Rule::Conflicts("pip", "virtualenv"),
]);

/// Probe with `pip show` (and `pip list --outdated` for `latest`), like the system package
/// managers (`lower::packages`). `k_pip` is the virtualenv's pip (the virtualenv is made
/// with `python3 -m venv` if missing), else `pip`. A requirements file is up to date when
/// `pip install --dry-run -r` would install nothing (pip 22.2 or later; an older pip
/// installs on every run).
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let extra = input.strings("extra_args");
    let venv = input
        .args
        .str("virtualenv")
        .map(|v| v.trim_end_matches('/'));
    let mut install = Sh::of("\"$k_pip\" install -q");
    words(&mut install, &extra);
    let mut upgrade = Sh::of("\"$k_pip\" install -q --upgrade");
    words(&mut upgrade, &extra);
    let mut remove = Sh::of("\"$k_pip\" uninstall -y -q");
    words(&mut remove, &extra);
    let manager = Manager {
        has: "k_pip_has",
        latest: "k_pip_latest",
        install,
        upgrade,
        remove,
        update: Sh::of(":"),
        fresh: None,
        setup: Sh::new(),
    };
    let want = Want {
        packages: input.strings("packages"),
        present: input.flag("present"),
        latest: input.flag("latest"),
        update: false,
    };
    let mut step = if want.packages.is_empty() {
        Step {
            probe: Sh::of(":"),
            act: Sh::of(":"),
            diff: Sh::of(":"),
            verify: true,
            data: Sh::new(),
        }
    } else {
        packages::step(&manager, &want)
    };
    if let Some(requirements) = input.args.str("requirements") {
        // The dry run is the install itself, with the same `extra_args` (an install that
        // needs `--break-system-packages` refuses a dry run without it, and then never
        // converges). A pip that cannot `--dry-run` fails here: then the requirements are
        // installed.
        let mut dry_run = Sh::of("\"$k_pip\" install --dry-run -r ");
        dry_run.arg(requirements);
        words(&mut dry_run, &extra);
        step.probe
            .code(" &&\nk_out=$(")
            .push(&dry_run)
            .code(" 2>/dev/null) &&\n! printf '%s\\n' \"$k_out\" | grep -q '^Would install'");
        step.act
            .code(" &&\n\"$k_pip\" install -q -r ")
            .arg(requirements);
        words(&mut step.act, &extra);
        step.diff
            .code("\n")
            .push(&dry_run)
            .code(" 2>/dev/null | grep '^Would install'\n:");
    }

    // Which pip, and the virtualenv first.
    let mut setup = Sh::of("k_pip=");
    match venv {
        Some(venv) => setup.arg(&format!("{venv}/bin/pip")),
        None => setup.arg(input.str("pip")),
    };
    setup.code("\n");
    let mut probe = setup.clone();
    let mut act = setup.clone();
    let mut diff = setup;
    if let Some(venv) = venv {
        probe.code("[ -x \"$k_pip\" ] &&\n");
        act.code("{ [ -x \"$k_pip\" ] || python3 -m venv ")
            .arg(venv)
            .code("; } &&\n");
        diff.code("[ -x \"$k_pip\" ] || printf 'create the virtualenv %s\\n' ")
            .arg(venv)
            .code("\n");
    }
    probe.push(&step.probe);
    act.push(&step.act);
    diff.push(&step.diff);
    step.probe = probe;
    step.act = act;
    step.diff = diff;
    Ok(step)
}
