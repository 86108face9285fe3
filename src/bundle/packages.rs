//! Which packages a host's script installs, so that its bundle can carry them: the
//! `packages` of every `apt.packages` op (and `package.packages` op on a host whose facts
//! say apt) that installs and runs on the host (handlers too), as bound for that host.
//!
//! Only apt's are fetched. An op that installs with another system package manager
//! (`dnf.packages`, `apk.packages`, ..., or `package.packages` on such a host, or on a host
//! whose manager is unknown) is refused with a diagnostic at the op: its script would need
//! a network the host has not.

use crate::bind::Binder;
use crate::check::{Compiled, OpKind};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::facts::Facts;
use crate::inventory::Host;
use crate::source::SourceMap;

/// The ops that install with a system package manager other than apt, which a bundle
/// cannot carry the packages of.
const REFUSED: &[&str] = &[
    "apk.packages",
    "dnf.packages",
    "pacman.packages",
    "yum.packages",
    "zypper.packages",
];

/// The apt packages `host`'s script installs (sorted, each once, pins kept:
/// `nginx=1.24.0-1`); ops it cannot carry the packages of are reported to `diagnostics`.
pub(crate) fn apt_packages(
    sources: &SourceMap,
    compiled: &Compiled,
    host: &Host,
    facts: Option<&Facts>,
    diagnostics: &mut Diagnostics,
) -> Vec<String> {
    let manager = facts.and_then(|f| f.0.pointer("/pkg/manager")?.as_str());
    let mut binder = Binder::new(sources, compiled, host, facts);
    let runs = binder.runs(&compiled.ops, compiled.start_item.as_deref());
    let mut bound: Vec<_> = runs
        .iter()
        .map(|run| binder.item(run.op, run.iteration.as_ref()))
        .collect();
    bound.extend(compiled.handlers.iter().map(|op| binder.op(op)));
    // The script's own making reports what cannot be bound; nothing twice.
    binder.finish(&mut Diagnostics::default());
    let mut packages = Vec::new();
    for op in bound {
        let OpKind::Builtin(def) = &op.op.kind else {
            continue;
        };
        if op.skip.is_some() || !op.args.flag(def, "present") {
            continue;
        }
        let refusal = match (def.name, manager) {
            ("apt.packages", _) | ("package.packages", Some("apt")) => None,
            ("package.packages", Some(other)) => Some(format!(
                "`package.packages` installs with {other} on {}, and a bundle carries apt's packages only",
                host.name
            )),
            ("package.packages", None) => Some(format!(
                "the package manager of {} is unknown, so its packages cannot be fetched",
                host.name
            )),
            (name, _) if REFUSED.contains(&name) => Some(format!(
                "`{name}` installs with another package manager than apt, and a bundle carries apt's packages only"
            )),
            _ => continue,
        };
        if let Some(message) = refusal {
            diagnostics.push(
                Diagnostic::new(Code::Unsupported, op.op.origin, message)
                    .label("its packages would need the network on the host")
                    .help("use `apt.packages` on Debian/Ubuntu hosts, give their facts with `--facts`, or leave the op out with `--skip-tags`"),
            );
            continue;
        }
        let Some(list) = op.args.get("packages").and_then(|v| v.value.as_list()) else {
            continue;
        };
        packages.extend(
            list.iter()
                .filter_map(|item| item.value.as_str())
                .map(str::to_owned),
        );
    }
    packages.sort();
    packages.dedup();
    packages
}
