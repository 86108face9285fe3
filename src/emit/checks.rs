//! What an op's probe checks, in one line: said when the probe still fails after the op
//! applied ("applied, but the check after it still fails: /etc/hosts needs no further
//! edit", under the op's status line, which names it; a file is named when the op's label
//! does not). Only ops whose act cannot prove their state run the probe again
//! (`Step::verify`): a write, `mkdir`, `ln` or `rm` has no line here.
//!
//! Op kinds whose probe is easy to name get their own line, built from their arguments; a
//! define's is its probe command; every other op gets the generic one (`the state
//! server.sysctl vm.swappiness asks for`). A secret value is never part of the line (it is
//! `***`, as in labels), nor is the probe of a define that uses a secret.

use crate::bind::BoundOp;
use crate::template::secret::MASK;

/// What `op`'s probe checks.
pub(super) fn describe(op: &BoundOp) -> String {
    let kind = op.op.kind.name();
    let arg = |name: &str| value(op, name);
    let path = || subject(op, arg("path").unwrap_or_default());
    let dest = || subject(op, arg("dest").unwrap_or_default());
    let attrs = || attributes(op);
    match kind {
        "files.download" => format!("{} has the content asked for{}", dest(), attrs()),
        "files.line" | "files.block" | "files.replace" => {
            format!("{} needs no further edit{}", path(), attrs())
        }
        "files.sync" => format!(
            "{} holds a copy of {}{}",
            dest(),
            arg("src").unwrap_or_default(),
            attrs()
        ),
        "git.repo" => format!("{} is a checkout of the revision asked for", dest()),
        "service.service" | "systemd.service" | "openrc.service" | "sysvinit.service" => format!(
            "service {} is running (or stopped) and enabled as asked",
            arg("service").unwrap_or_default()
        ),
        _ if kind.ends_with(".packages") => format!(
            "packages {} are in the state asked for",
            arg("packages").unwrap_or_default()
        ),
        _ => match op.user_scripts.as_ref().and_then(|s| s.probe.as_ref()) {
            // A define's probe is the user's own words for what it checks.
            Some(probe) if !op.secret_content => {
                format!("its probe succeeds: {}", one_line(&probe.0))
            }
            Some(_) => "its probe succeeds".to_owned(),
            None => format!("the state {} asks for", generic_subject(op)),
        },
    }
}

/// `it` when the op's label (which its status line shows) is the op and `path`, else
/// `path`: the line is written into the script once per op, so it says no more than it
/// must.
fn subject(op: &BoundOp, path: String) -> String {
    let kind = op.op.kind.name();
    let named = op
        .label
        .strip_prefix(kind)
        .and_then(|rest| rest.strip_prefix(' '))
        .is_some_and(|rest| rest == path);
    if named { "it".to_owned() } else { path }
}

/// `text` on one line: its lines joined by `; `.
fn one_line(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines.join("; ")
}

/// The op and its main argument, as bind's labels show it without a `name`.
fn generic_subject(op: &BoundOp) -> String {
    let kind = op.op.kind.name();
    match op.op.kind.main_arg().and_then(|main| value(op, main)) {
        Some(main) if !main.is_empty() => format!("{kind} {main}"),
        _ => kind.to_owned(),
    }
}

/// ` (mode 0640, owner www-data)`: the attributes the op asks for, if any.
fn attributes(op: &BoundOp) -> String {
    let asked: Vec<String> = ["mode", "owner", "group"]
        .iter()
        .filter_map(|name| Some(format!("{name} {}", value(op, name)?)))
        .collect();
    if asked.is_empty() {
        String::new()
    } else {
        format!(" ({})", asked.join(", "))
    }
}

/// An argument as text (a list's items joined by spaces), `***` when secret.
fn value(op: &BoundOp, name: &str) -> Option<String> {
    let value = &op.args.get(name)?.value;
    if op.is_secret(name) {
        return Some(MASK.to_owned());
    }
    match value.as_list() {
        Some(items) => Some(
            items
                .iter()
                .filter_map(|item| item.value.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        None => value.as_str().map(str::to_owned),
    }
}
