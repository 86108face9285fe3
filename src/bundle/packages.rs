//! Which packages a host's script installs, so that its bundle can carry them: the
//! `packages` of every op that installs with apt (`apt.packages`, and `package.packages` on
//! a host whose facts say apt) or with dnf (`dnf.packages`, `yum.packages`, and
//! `package.packages` on a host whose facts say dnf or yum: the same repository format)
//! and runs on the host (handlers too), as bound for that host.
//!
//! An op that installs with another system package manager (`apk.packages`,
//! `pacman.packages`, `zypper.packages`, or `package.packages` on such a host, or on a host
//! whose manager is unknown) is refused with a diagnostic at the op: its script would need
//! a network the host has not, and kiln has no way to fetch their packages here (apk-tools
//! and zypper are not Debian packages, pacman does not resolve for another root's release).

use crate::bind::{BoundOp, HostPlan};
use crate::check::OpKind;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::facts::Facts;
use crate::inventory::Host;

/// The ops that install with a system package manager whose packages a bundle cannot
/// carry.
const REFUSED: &[&str] = &["apk.packages", "pacman.packages", "zypper.packages"];

/// Why a bundle cannot carry the packages of the other managers.
const WHY: &str = "whose packages a bundle cannot carry: kiln fetches them on the controller with apt or dnf (which Debian ships), and no apk, pacman or zypper there resolves a host's packages";

/// The packages a host's script installs, by the manager that fetches them. Each list is
/// sorted, each package once, pins kept (`nginx=1.24.0-1`).
#[derive(Default)]
pub(crate) struct Wanted {
    /// apt's, fetched with their Recommends.
    pub apt: Vec<String>,
    /// apt's of ops with `no_recommends = true`, fetched without their Recommends.
    pub apt_no_recommends: Vec<String>,
    /// dnf's (and yum's).
    pub dnf: Vec<String>,
}

/// The packages `host`'s script installs; ops it cannot carry the packages of are reported
/// to `diagnostics`.
pub(crate) fn packages(
    plan: &HostPlan,
    facts: Option<&Facts>,
    diagnostics: &mut Diagnostics,
) -> Wanted {
    let manager = facts.and_then(|f| f.0.pointer("/pkg/manager")?.as_str());
    let mut wanted = Wanted::default();
    for op in plan.ops.iter().chain(&plan.handlers) {
        let OpKind::Builtin(def) = &op.op.kind else {
            continue;
        };
        if op.skip.is_some() || !op.args.flag(def, "present") {
            continue;
        }
        let list = match (def.name, manager) {
            ("apt.packages", _) | ("package.packages", Some("apt"))
                if op.args.flag(def, "no_recommends") =>
            {
                &mut wanted.apt_no_recommends
            }
            ("apt.packages", _) | ("package.packages", Some("apt")) => &mut wanted.apt,
            ("dnf.packages" | "yum.packages", _) | ("package.packages", Some("dnf" | "yum")) => {
                &mut wanted.dnf
            }
            _ => {
                refuse(def.name, manager, op, plan.host, diagnostics);
                continue;
            }
        };
        if let Some(repos) = op.args.get("enablerepo") {
            diagnostics.push(
                Diagnostic::new(
                    Code::Unsupported,
                    repos.span,
                    "`enablerepo` names repositories of the host's, and in a bundle dnf reads the bundle's own repository only",
                )
                .label("dnf would fail on the host: an unknown repository")
                .help("leave `enablerepo` out: the bundle carries the packages, fetched on the controller from the repositories of `--dnf-repo`"),
            );
        }
        if let Some(packages) = op.args.get("packages").and_then(|v| v.value.as_list()) {
            list.extend(
                packages
                    .iter()
                    .filter_map(|item| item.value.as_str())
                    .map(str::to_owned),
            );
        }
    }
    for list in [
        &mut wanted.apt,
        &mut wanted.apt_no_recommends,
        &mut wanted.dnf,
    ] {
        list.sort();
        list.dedup();
    }
    wanted
}

/// Reports `op` (of the op `name`, on `host` whose manager is `manager`) to `diagnostics`
/// if it installs with a package manager a bundle cannot carry the packages of.
fn refuse(
    name: &str,
    manager: Option<&str>,
    op: &BoundOp,
    host: &Host,
    diagnostics: &mut Diagnostics,
) {
    let message = match (name, manager) {
        ("package.packages", Some(other)) => format!(
            "`package.packages` installs with {other} on {}, {WHY}",
            host.name
        ),
        ("package.packages", None) => format!(
            "the package manager of {} is unknown, so its packages cannot be fetched",
            host.name
        ),
        (name, _) if REFUSED.contains(&name) => {
            let manager = name.split_once('.').map_or(name, |(manager, _)| manager);
            format!("`{name}` installs with {manager}, {WHY}")
        }
        _ => return,
    };
    diagnostics.push(
        Diagnostic::new(Code::Unsupported, op.op.origin, message)
            .label("its packages would need the network on the host")
            .help("use `apt.packages` on Debian/Ubuntu hosts or `dnf.packages` on Fedora/RHEL hosts, give their facts with `--facts`, or leave the op out with `--skip-tags`"),
    );
}
