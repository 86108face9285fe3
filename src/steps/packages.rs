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

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::{LowerInput, OpArgs, Step};
use crate::runtime::call::{self, PackageFile, PackageManager, Packages};
use crate::source::Span;
use crate::template::is_template;

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
    /// npm: a directory (else the global packages).
    pub dir: &'a str,
    /// gem: `--user-install`.
    pub user_install: bool,
    /// snap: classic confinement, a channel.
    pub classic: bool,
    pub channel: &'a str,
    /// flatpak: the remote to install from.
    pub remote: &'a str,
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
            dir: options.dir,
            user_install: options.user_install,
            classic: options.classic,
            channel: options.channel,
            remote: options.remote,
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

/// How a language or desktop package manager names a pinned version in `packages`: npm
/// and cargo `name@1.2.0`, gem `name:1.2.0`, pipx `name==1.2.0`; snap and flatpak pin
/// none (`None`).
pub(crate) type Pin = Option<&'static str>;

/// The step of `npm.packages`, `gem.packages`, `cargo.packages`, `pipx.packages`,
/// `snap.packages` and `flatpak.packages`: one `k_packages` call, whose probe lists the
/// manager's packages once (`src/runtime/language_packages.sh`). Each package is a name,
/// or with `pin` a name and an exact version: the probe compares the version it lists
/// with the one written, so a range (`^1.2`, `>=3`) would never hold and is refused.
pub(crate) fn listed_step(
    input: &LowerInput,
    manager: PackageManager,
    pin: Pin,
    options: &Options,
) -> Result<Step, Diagnostic> {
    if let Some((package, span)) = packages_of(input.args)
        .into_iter()
        .find(|(package, _)| !is_pinned_as(package, pin))
    {
        return Err(not_pinned_as(span, package, manager, pin));
    }
    step(input, manager, options, &Want::of(input))
}

/// `listed_step`'s check of `packages` at check time (an op's `validate`), on the values
/// as written: a template is checked once rendered, in the lowering.
pub(crate) fn check_pins(
    args: &OpArgs,
    manager: PackageManager,
    pin: Pin,
    diagnostics: &mut Diagnostics,
) {
    for (package, span) in packages_of(args) {
        if !is_template(package) && !is_pinned_as(package, pin) {
            diagnostics.push(not_pinned_as(span, package, manager, pin));
        }
    }
}

/// The entries of `packages`, each with its span.
fn packages_of(args: &OpArgs) -> Vec<(&str, Span)> {
    args.get("packages")
        .and_then(|v| v.value.as_list())
        .unwrap_or_default()
        .iter()
        .filter_map(|item| item.value.as_str().map(|s| (s, item.span)))
        .collect()
}

/// Whether `package` is a name, or a name, `pin` and an exact version.
fn is_pinned_as(package: &str, pin: Pin) -> bool {
    let plain = |s: &str, extra: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._+-".contains(c) || extra.contains(c))
    };
    // An npm scope, `@scope/name`, starts with the separator.
    let (scope, rest) = match package.strip_prefix('@') {
        Some(rest) if pin == Some("@") => ("@", rest),
        _ => ("", package),
    };
    let name_chars = if scope.is_empty() { "" } else { "/" };
    match pin.and_then(|separator| rest.split_once(separator)) {
        Some((name, version)) => plain(name, name_chars) && plain(version, ""),
        None => plain(rest, name_chars),
    }
}

fn not_pinned_as(span: Span, package: &str, manager: PackageManager, pin: Pin) -> Diagnostic {
    let tool = manager.word();
    match pin {
        Some(separator) => Diagnostic::new(
            Code::InvalidValue,
            span,
            format!("`{package}`: a {tool} package here is a name, or a name and an exact version"),
        )
        .label("the probe compares the installed version with this one exactly")
        .help(format!(
            "write the name alone, or the name and one version: `name{separator}1.2.0` (no range)"
        )),
        None => Diagnostic::new(
            Code::InvalidValue,
            span,
            format!("`{package}` is not a {tool} name"),
        )
        .label(format!("{tool} names carry no version"))
        .help("write the name alone"),
    }
}
