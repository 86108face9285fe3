//! Package managers: each one's tests and commands, written once, used by its own op
//! (`apt.packages`, `dnf.packages`, ...) and by the run-time dispatch of `package.packages`.
//!
//! Every package op is one call of the runtime's `k_packages` (`src/runtime/packages.sh`),
//! which knows each manager's two tests of one package, `k_<manager>_has` (it is installed,
//! at the pinned version if one is given) and `k_<manager>_latest` (...and at the newest
//! version the manager knows of), and its install, upgrade, remove and refresh commands;
//! here we only check and pass the arguments. `k_pkgs` runs a command with just the
//! packages that are not as wanted, so the
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

use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::{LowerInput, Step};
use crate::runtime::call::{self, PackageFile, PackageManager, Packages};

/// Options of the specific ops; `package.packages` uses the defaults.
#[derive(Default)]
pub(crate) struct Options<'a> {
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
    /// pip: the pip command, a virtualenv to use (made if missing), a requirements file.
    pub pip: &'a str,
    pub virtualenv: &'a str,
    pub requirements: &'a str,
}

/// What the op wants.
pub(crate) struct Want<'a> {
    pub packages: Vec<&'a str>,
    pub present: bool,
    pub latest: bool,
    pub update: bool,
}

impl<'a> Want<'a> {
    /// The common arguments every package op has: `packages`, `present`, `latest`,
    /// `update` (an op without `update` reads it as false).
    pub(crate) fn of(input: &'a LowerInput) -> Want<'a> {
        Want {
            packages: input.strings("packages"),
            present: input.flag("present"),
            latest: input.flag("latest"),
            update: input.flag("update"),
        }
    }
}

/// The step of `dnf.packages` / `yum.packages`: the same arguments, one manager each.
pub(crate) fn rpm_repo_step(
    input: &LowerInput,
    manager: PackageManager,
) -> Result<Step, Diagnostic> {
    let options = Options {
        extra_args: input.strings("extra_args"),
        enablerepo: input.strings("enablerepo"),
        disablerepo: input.strings("disablerepo"),
        ..Options::default()
    };
    step(input, manager, &options, &Want::of(input))
}

/// The step for `want` with `manager`: one call of `k_packages`. A package or argument
/// holding a line break is refused (the runtime reads its lists a line a word).
pub(crate) fn step(
    input: &LowerInput,
    manager: PackageManager,
    options: &Options,
    want: &Want,
) -> Result<Step, Diagnostic> {
    for name in ["packages", "extra_args", "enablerepo", "disablerepo"] {
        one_line_each(input, name)?;
    }
    let repos: Vec<String> = options
        .enablerepo
        .iter()
        .map(|repo| format!("--enablerepo={repo}"))
        .chain(
            options
                .disablerepo
                .iter()
                .map(|repo| format!("--disablerepo={repo}")),
        )
        .collect();
    Ok(Step {
        call: Some(call::packages(&Packages {
            manager,
            packages: &want.packages,
            absent: !want.present,
            latest: want.latest,
            update: want.update,
            cache_time: options.cache_time,
            no_recommends: options.no_recommends,
            no_cache: options.no_cache,
            cask: options.cask,
            repos: &repos,
            extra: &options.extra_args,
            pip: options.pip,
            virtualenv: options.virtualenv,
            requirements: options.requirements,
        })),
        verify: true,
        ..Step::default()
    })
}

/// Each entry of the list argument `name` is one line.
fn one_line_each(input: &LowerInput, name: &str) -> Result<(), Diagnostic> {
    let Some(list) = input.args.get(name).and_then(|v| v.value.as_list()) else {
        return Ok(());
    };
    for item in list {
        if item
            .value
            .as_str()
            .is_some_and(|s| s.contains(['\n', '\r']))
        {
            return Err(Diagnostic::new(
                Code::InvalidValue,
                item.span,
                format!("an entry of `{name}` contains a line break"),
            )
            .label("a package or an argument is one line")
            .help("give each word as its own entry"));
        }
    }
    Ok(())
}

/// The step of an op installing one package file (`apt.deb`, `dnf.rpm`, ...), from its
/// `src` on the controller (travelling in the script, as `files.put`'s does) or its `url`
/// (downloaded on the host and checked against `sha256`): one call, which `call` writes,
/// whose probe, act and diff each read the file's own name and version on the host.
pub(crate) fn package_file_step(
    input: &LowerInput,
    call: impl Fn(&PackageFile) -> call::OpCall,
) -> Result<Step, Diagnostic> {
    if let Some(url) = input.args.str("url") {
        let sha256 = input.str("sha256").to_ascii_lowercase();
        return Ok(Step {
            call: Some(call(&PackageFile::Url {
                url,
                sha256: &sha256,
            })),
            verify: true,
            ..Step::default()
        });
    }
    let bytes = input.local_file("src", "this file")?;
    Ok(Step {
        call: Some(call(&PackageFile::Data)),
        data: call::content(&bytes),
        verify: true,
        ..Step::default()
    })
}
