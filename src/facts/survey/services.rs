//! `services`: every service with its state and whether it starts at boot, as the host's
//! init system lists them.

use serde_json::{Map, Value, json};

use crate::facts::output::Output;

/// Service → `{state, enabled}`, when a section lists services.
pub(super) fn services(output: &Output<'_>) -> Option<Value> {
    let mut services: Map<String, Value> = Map::new();
    let mut found = false;
    for section in output.sections("services") {
        found = true;
        for line in &section.lines {
            match section.source {
                "systemd-units" => systemd_unit(line, &mut services),
                "systemd-files" => systemd_file(line, &mut services),
                "sysvinit" => sysvinit(line, &mut services),
                _ => {}
            }
        }
        if section.source == "openrc" {
            openrc(&section.lines, &mut services);
        }
    }
    found.then_some(Value::Object(services))
}

fn service<'a>(services: &'a mut Map<String, Value>, name: &str) -> &'a mut Value {
    services
        .entry(name.to_owned())
        .or_insert_with(|| json!({ "state": "stopped", "enabled": false }))
}

/// `UNIT LOAD ACTIVE SUB DESCRIPTION` of `systemctl list-units --plain --no-legend`; a
/// failed unit may keep its `●` mark. Units systemd knows only by a reference
/// (`not-found`) are no services.
fn systemd_unit(line: &str, services: &mut Map<String, Value>) {
    let fields: Vec<&str> = line
        .split_whitespace()
        .skip_while(|f| *f == "●" || *f == "*")
        .collect();
    let [unit, load, active, sub, ..] = fields[..] else {
        return;
    };
    let Some(name) = unit.strip_suffix(".service") else {
        return;
    };
    if load == "not-found" {
        return;
    }
    let state = match (active, sub) {
        (_, "running") => "running",
        ("failed", _) => "failed",
        _ => "stopped",
    };
    service(services, name)["state"] = Value::from(state);
}

/// `UNIT STATE [PRESET]` of `systemctl list-unit-files`: `enabled` (or
/// `enabled-runtime`) starts it at boot; `static`, `indirect`, `masked`, ... do not.
fn systemd_file(line: &str, services: &mut Map<String, Value>) {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let [unit, state, ..] = fields[..] else {
        return;
    };
    let Some(name) = unit.strip_suffix(".service") else {
        return;
    };
    service(services, name)["enabled"] = Value::from(state.starts_with("enabled"));
}

/// `NAME yes|no`: a script of `/etc/init.d`, and whether an `/etc/rc[2-5].d/S*` link
/// starts it. Its state would take running every script: unknown.
fn sysvinit(line: &str, services: &mut Map<String, Value>) {
    let Some((name, boot)) = line.split_once(' ') else {
        return;
    };
    let entry = service(services, name);
    entry["state"] = Value::from("unknown");
    entry["enabled"] = Value::from(boot == "yes");
}

/// `rc-status --all`: `Runlevel: NAME` headings (a service under one starts with it;
/// `Dynamic Runlevel:` ones started on demand), then ` NAME [ STATE ]` lines.
fn openrc(lines: &[&str], services: &mut Map<String, Value>) {
    let mut in_runlevel = false;
    for line in lines {
        if !line.starts_with([' ', '\t']) {
            in_runlevel = line.starts_with("Runlevel:");
            continue;
        }
        let Some((name, state)) = line.split_once('[') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() || name.contains(' ') {
            continue;
        }
        let state = match state.trim_end_matches(']').trim() {
            "started" => "running",
            "stopped" => "stopped",
            "crashed" => "failed",
            _ => "unknown",
        };
        let entry = service(services, name);
        entry["state"] = Value::from(state);
        if in_runlevel {
            entry["enabled"] = Value::from(true);
        }
    }
}
