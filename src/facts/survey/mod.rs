//! The surveyed facts (`Kind::Surveyed` in [`super::FACTS`]), parsed from the raw output
//! of their sources that `survey.sh` prints. Each parser is total: a line it does not
//! understand is skipped, never a panic, so an unexpected tool version costs a value, not
//! the host's facts. `fixtures/facts/` holds real outputs of each source and what they
//! parse to.

mod net;
mod packages;
mod services;
mod system;

use serde_json::Value;

use super::output::Output;

/// Every surveyed fact the output has: its path and value.
pub(super) fn facts(output: &Output<'_>) -> Vec<(&'static str, Value)> {
    let mut facts = Vec::new();
    let interfaces = net::interfaces(output);
    if let Some(default) = net::default_route(output, interfaces.as_ref()) {
        facts.push(("net.default", default));
    }
    if let Some(interfaces) = interfaces {
        facts.push(("net.interfaces", interfaces));
    }
    if let Some((ty, kind)) = output.sections("virt").next().map(system::virt) {
        facts.push(("virt.type", Value::from(ty)));
        facts.push(("virt.kind", Value::from(kind)));
    }
    if let Some(section) = output.sections("mounts").next() {
        facts.push(("mounts", system::mounts(section)));
    }
    if let Some(section) = output.sections("disks").next() {
        facts.push(("disks", system::disks(section)));
    }
    if let Some(section) = output.sections("packages").next() {
        facts.push(("packages", packages::packages(section)));
    }
    if let Some(services) = services::services(output) {
        facts.push(("services", services));
    }
    let versions = [
        ("openssh", "openssh.version", "OpenSSH_"),
        ("python", "python.version", "Python "),
    ];
    for (name, path, prefix) in versions {
        let version = output
            .sections(name)
            .next()
            .and_then(|s| system::version(s, prefix));
        if let Some(version) = version {
            facts.push((path, Value::from(version)));
        }
    }
    facts
}
