//! Package managers: each one's tests and commands, written once, used by its own op
//! (`apt.packages`, `dnf.packages`, ...) and by the run-time dispatch of `package.packages`.
//!
//! A [`Manager`] is two tests of one package, library functions `k_<manager>_has` (it is
//! installed, at the pinned version if one is given) and `k_<manager>_latest` (...and at
//! the newest version the manager knows of), plus its install, upgrade, remove and refresh
//! commands. `k_pkgs` runs a command with just the packages that are not as wanted, so the
//! act touches only what must change (an installed package is not re-marked as manually
//! installed) and the diff lists exactly the packages that would be installed, upgraded or
//! removed.
//!
//! Refreshing the package lists (`update`) is part of the act: it runs only when something
//! must be installed. With `latest`, stale lists cannot say what "newest" is, so the probe
//! refreshes them first (`k_pkgs_refresh`: apt's `cache_time` still applies; under
//! `--check` the lists are read as they are): a refresh is how the probe learns the
//! desired state, not a change, so an op converges and its second run changes nothing.
//! The act and the re-check after it reuse that refresh. The act ends by naming the
//! packages still not as wanted (`k_pkgs_left`), so a failed apply says why.

use crate::opdef::LowerInput;
use crate::shell::Sh;

use super::values::words;
use crate::opdef::Step;

/// The managers `package.packages` knows, in the order `k_pkg_manager` looks for them.
pub const MANAGERS: &[&str] = &["apt", "dnf", "yum", "apk", "pacman", "zypper", "brew"];

/// How one package manager does things.
pub struct Manager {
    /// Library function: is this package installed?
    pub has: &'static str,
    /// Library function: is it installed at its newest version?
    pub latest: &'static str,
    /// Command words installing the packages appended to them.
    pub install: Sh,
    /// Command words upgrading installed packages to their newest version.
    pub upgrade: Sh,
    pub remove: Sh,
    /// A complete command refreshing the package lists.
    pub update: Sh,
    /// A test that the lists are fresh enough to skip `update` (none: never).
    pub fresh: Option<Sh>,
    /// Shell run first in the probe, the act and the diff (pip: which pip).
    pub setup: Sh,
}

/// Options of the specific ops; `package.packages` uses the defaults.
#[derive(Default)]
pub struct Options<'a> {
    pub extra_args: Vec<&'a str>,
    /// apt: `--no-install-recommends`.
    pub no_recommends: bool,
    /// apt: skip the refresh if the lists are younger than this many seconds.
    pub cache_time: i64,
    /// dnf, yum.
    pub enablerepo: Vec<&'a str>,
    pub disablerepo: Vec<&'a str>,
    /// apk: `--no-cache`.
    pub no_cache: bool,
    /// brew: casks.
    pub cask: bool,
}

/// What the op wants.
pub struct Want<'a> {
    pub packages: Vec<&'a str>,
    pub present: bool,
    pub latest: bool,
    pub update: bool,
}

impl<'a> Want<'a> {
    /// The common arguments every package op has: `packages`, `present`, `latest`,
    /// `update` (an op without `update` reads it as false).
    pub fn of(input: &'a LowerInput) -> Want<'a> {
        Want {
            packages: input.strings("packages"),
            present: input.flag("present"),
            latest: input.flag("latest"),
            update: input.flag("update"),
        }
    }
}

/// The step of `dnf.packages` / `yum.packages`: the same arguments, one manager each.
pub fn rpm_repo_step(input: &LowerInput, manager: &str) -> Step {
    let options = Options {
        extra_args: input.strings("extra_args"),
        enablerepo: input.strings("enablerepo"),
        disablerepo: input.strings("disablerepo"),
        ..Options::default()
    };
    step(&Manager::named(manager, &options), &Want::of(input))
}

impl Manager {
    /// The manager `name` (one of [`MANAGERS`]).
    pub fn named(name: &str, options: &Options) -> Manager {
        match name {
            "apt" => apt(options),
            "dnf" => rpm_family("dnf", "k_dnf_latest", options),
            "yum" => rpm_family("yum", "k_yum_latest", options),
            "apk" => apk(options),
            "pacman" => pacman(options),
            "zypper" => zypper(options),
            "brew" => brew(options),
            _ => unreachable!("unknown package manager {name}"),
        }
    }
}

fn command(code: &'static str, extra: &[&str]) -> Sh {
    let mut sh = Sh::of(code);
    words(&mut sh, extra);
    sh
}

fn apt(o: &Options) -> Manager {
    // Keep changed configuration files without asking (as pyinfra does).
    let mut install = Sh::of(
        "env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold",
    );
    if o.no_recommends {
        install.code(" --no-install-recommends");
    }
    words(&mut install, &o.extra_args);
    let mut update = Sh::of("k_apt_update ");
    update.int(o.cache_time);
    let fresh = (o.cache_time > 0).then(|| {
        let mut sh = Sh::of("k_apt_fresh ");
        sh.int(o.cache_time);
        sh
    });
    Manager {
        has: "k_apt_has",
        latest: "k_apt_latest",
        upgrade: install.clone(),
        install,
        remove: command(
            "env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q",
            &o.extra_args,
        ),
        update,
        fresh,
        setup: Sh::new(),
    }
}

fn rpm_family(tool: &'static str, latest: &'static str, o: &Options) -> Manager {
    let mut repos = Sh::new();
    for repo in &o.enablerepo {
        repos.code(" ").arg(&format!("--enablerepo={repo}"));
    }
    for repo in &o.disablerepo {
        repos.code(" ").arg(&format!("--disablerepo={repo}"));
    }
    let (install, upgrade, remove, update) = if tool == "dnf" {
        (
            "dnf install -y -q",
            "dnf upgrade -y -q",
            "dnf remove -y -q",
            "dnf makecache -q",
        )
    } else {
        (
            "yum install -y -q",
            "yum update -y -q",
            "yum remove -y -q",
            "yum makecache -q",
        )
    };
    let with = |code: &'static str| {
        let mut sh = Sh::of(code);
        sh.push(&repos);
        words(&mut sh, &o.extra_args);
        sh
    };
    Manager {
        has: "k_rpm_has",
        latest,
        install: with(install),
        upgrade: with(upgrade),
        remove: command(remove, &o.extra_args),
        update: with(update),
        fresh: None,
        setup: Sh::new(),
    }
}

fn apk(o: &Options) -> Manager {
    let (install, upgrade) = if o.no_cache {
        ("apk add --no-cache", "apk add --no-cache -u")
    } else {
        ("apk add", "apk add -u")
    };
    Manager {
        has: "k_apk_has",
        latest: "k_apk_latest",
        install: command(install, &o.extra_args),
        upgrade: command(upgrade, &o.extra_args),
        remove: command("apk del", &o.extra_args),
        update: Sh::of("apk update -q"),
        fresh: None,
        setup: Sh::new(),
    }
}

fn pacman(o: &Options) -> Manager {
    Manager {
        has: "k_pacman_has",
        latest: "k_pacman_latest",
        install: command("pacman -S --noconfirm --needed", &o.extra_args),
        upgrade: command("pacman -S --noconfirm --needed", &o.extra_args),
        remove: command("pacman -R --noconfirm", &o.extra_args),
        update: Sh::of("pacman -Sy --noconfirm"),
        fresh: None,
        setup: Sh::new(),
    }
}

fn zypper(o: &Options) -> Manager {
    Manager {
        has: "k_rpm_has",
        latest: "k_zypper_latest",
        install: command("zypper -n -q install", &o.extra_args),
        upgrade: command("zypper -n -q update", &o.extra_args),
        remove: command("zypper -n -q remove", &o.extra_args),
        update: Sh::of("zypper -n -q refresh"),
        fresh: None,
        setup: Sh::new(),
    }
}

fn brew(o: &Options) -> Manager {
    let (has, latest, install, upgrade, remove) = if o.cask {
        (
            "k_brewcask_has",
            "k_brewcask_latest",
            "brew install --cask",
            "brew upgrade --cask",
            "brew uninstall --cask",
        )
    } else {
        (
            "k_brew_has",
            "k_brew_latest",
            "brew install",
            "brew upgrade",
            "brew uninstall",
        )
    };
    Manager {
        has,
        latest,
        install: command(install, &o.extra_args),
        upgrade: command(upgrade, &o.extra_args),
        remove: command(remove, &o.extra_args),
        update: Sh::of("brew update -q"),
        fresh: None,
        setup: Sh::new(),
    }
}

/// ` -- 'a' 'b'`: the package list of a `k_pkgs` call.
fn package_words(packages: &[&str]) -> Sh {
    let mut sh = Sh::of(" --");
    words(&mut sh, packages);
    sh
}

/// The step for `want` with `manager`.
pub fn step(manager: &Manager, want: &Want) -> Step {
    let mut step = Step {
        verify: true,
        ..Step::default()
    };
    for body in [&mut step.probe, &mut step.act, &mut step.diff] {
        if !manager.setup.is_empty() {
            body.push(&manager.setup).code("\n");
        }
    }
    let packages = package_words(&want.packages);
    let mut list = Sh::new();
    words(&mut list, &want.packages);

    // Probe. With `update` and `latest`, "newest" is measured against refreshed lists:
    // the probe refreshes them first (not a change: Ansible's `update_cache` with
    // `state: latest` does the same), so a second run finds nothing to do.
    if !want.present {
        step.probe
            .code("k_pkgs_ok 0 ")
            .code(manager.has)
            .push(&list);
    } else {
        if want.update && want.latest {
            step.probe
                .code("k_pkgs_refresh ")
                .push(&manager.update)
                .code(" &&\n");
        }
        step.probe
            .code("k_pkgs_ok 1 ")
            .code(if want.latest {
                manager.latest
            } else {
                manager.has
            })
            .push(&list);
    }

    // Act, ending with the check that says which package is still not as wanted.
    if !want.present {
        step.act
            .code("k_pkgs 0 ")
            .code(manager.has)
            .code(" ")
            .push(&manager.remove)
            .push(&packages)
            .code(" &&\nk_pkgs 0 ")
            .code(manager.has)
            .code(" k_pkgs_left 'still installed after the removal:'")
            .push(&packages);
    } else {
        if want.update {
            step.act
                .code("k_pkgs_refresh ")
                .push(&manager.update)
                .code(" &&\n");
        }
        step.act
            .code("k_pkgs 1 ")
            .code(manager.has)
            .code(" ")
            .push(&manager.install)
            .push(&packages);
        let (test, left) = if want.latest {
            step.act
                .code(" &&\nk_pkgs 1 ")
                .code(manager.latest)
                .code(" ")
                .push(&manager.upgrade)
                .push(&packages);
            (
                manager.latest,
                " k_pkgs_left 'not at the newest version after the upgrade:'",
            )
        } else {
            (
                manager.has,
                " k_pkgs_left 'not installed, or not at the pinned version, after the install:'",
            )
        };
        step.act
            .code(" &&\nk_pkgs 1 ")
            .code(test)
            .code(left)
            .push(&packages);
    }

    // Diff: what would be refreshed, installed, upgraded or removed.
    if want.present && want.update {
        match (&manager.fresh, want.latest) {
            (Some(fresh), _) => {
                step.diff
                    .push(fresh)
                    .code(" || printf 'refresh the package lists\\n'\n");
            }
            (None, true) => {
                step.diff.code("printf 'refresh the package lists\\n'\n");
            }
            (None, false) => {}
        }
    }
    if want.present {
        step.diff
            .code("k_pkgs_show 1 ")
            .code(manager.has)
            .code(" ")
            .code(if want.latest { manager.latest } else { "''" })
            .push(&list);
    } else {
        step.diff
            .code("k_pkgs_show 0 ")
            .code(manager.has)
            .code(" ''")
            .push(&list);
    }
    step
}

/// `package.packages`: the same steps for every manager, chosen on the host at run time by
/// the first package manager found (`k_pkg_manager`, as the fact `pkg.manager`).
pub fn dispatch(want: &Want) -> Step {
    let steps: Vec<(&'static str, Step)> = MANAGERS
        .iter()
        .map(|name| {
            (
                *name,
                step(&Manager::named(name, &Options::default()), want),
            )
        })
        .collect();
    let case = |field: fn(&Step) -> &Sh| {
        let mut sh = Sh::of("case $(k_pkg_manager) in\n");
        for (name, step) in &steps {
            sh.code(name).code(")\n").push(field(step)).code("\n;;\n");
        }
        sh.code("*) k_err 'no supported package manager found'; false ;;\nesac");
        sh
    };
    Step {
        probe: case(|s| &s.probe),
        act: case(|s| &s.act),
        diff: case(|s| &s.diff),
        verify: true,
        data: Sh::new(),
    }
}
