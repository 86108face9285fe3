//! The audit report of one host's script: everything the script will do, in the words a
//! reviewer signs off before it runs (`kiln audit`, and the `audit.md` / `audit.html` of a
//! bundle).
//!
//! A [`Report`] is made from the host's ops as bound and lowered for its script
//! (`project::Scripts::lowered`), so it says what the script does, not what the manifest
//! might: each op with its source (`file:line`), how it runs (its `when` conditions, a
//! reason it is skipped, the user it runs as), its arguments, the whole content of a file
//! it writes, and the handlers it notifies; then the handlers, each with the ops that
//! notify it. Rendered as Markdown ([`markdown`]) and HTML ([`html`]).
//!
//! Invariants: a secret value (a secret argument, content made from a secret, a loop item
//! made from one) appears only as `***`, with the same rule as the script's comments
//! (`BoundOp::is_secret`); content that is not text is summarised by its size and SHA-256;
//! the output is deterministic (the same inputs give the same bytes: no time, no controller
//! paths beyond the manifest names the script's header shows).

mod html;
mod markdown;

pub use html::html;
pub use markdown::markdown;

use crate::bind::BoundOp;
use crate::check::Compiled;
use crate::check::registered::is_command;
use crate::diagnostic::Diagnostics;
use crate::emit::Lowered;
use crate::facts::Facts;
use crate::inventory::Host;
use crate::opdef::ArgValue;
use crate::project::Scripts;
use crate::runtime::call::Index;
use crate::source::SourceMap;
use crate::template::secret::MASK;

/// What one host's script does.
#[derive(Debug)]
pub struct Report {
    pub host: String,
    /// Where the host is reached (`ssh://...`, `@local`, ...).
    pub target: String,
    /// The manifest files its ops are written in, sorted.
    pub sources: Vec<String>,
    pub ops: Vec<Entry>,
    pub handlers: Vec<Entry>,
    /// The packages a bundle carries for the script to install from, sorted by file: the
    /// versions that will be installed (empty outside a bundle: the host's sources decide).
    pub carried: Vec<Carried>,
}

/// A package file a bundle carries, as its own metadata names it.
#[derive(Debug, PartialEq, Eq)]
pub struct Carried {
    pub name: String,
    pub version: String,
    pub arch: String,
    /// Its file in the bundle's `packages/`.
    pub file: String,
    pub sha256: String,
}

/// One op (or one item of a looping op) or handler.
#[derive(Debug)]
pub struct Entry {
    /// Its index in the script and its reports: `3`, `3_1` (a loop's item), `h1`.
    pub index: String,
    /// Its `id`, else `file:line`: what `notify` names.
    pub id: String,
    pub label: String,
    /// The op's name: `files.put`, or a user-defined op's.
    pub op: String,
    /// `file:line` of the op in its manifest.
    pub origin: String,
    /// Why it does not run on this host, when it does not.
    pub skipped: Option<String>,
    /// Its `when` conditions, as written.
    pub when: Vec<String>,
    /// `sudo root`, `su app`: whom it runs as, when not the script's user.
    pub runs_as: Option<String>,
    /// Its arguments, each value in JSON notation or `***`.
    pub args: Vec<(String, String)>,
    /// The items of the loops it runs in: variable and value (`***` when secret).
    pub items: Vec<(String, String)>,
    /// The ids of the handlers it notifies.
    pub notifies: Vec<String>,
    /// The whole content of the file it writes, when it writes one.
    pub content: Option<Content>,
    /// What it is, for the report's summary.
    pub kind: Kind,
}

/// The content of a file an op writes.
#[derive(Debug, PartialEq, Eq)]
pub enum Content {
    /// UTF-8 text without control characters but tab and newline: shown whole.
    Text(String),
    /// Other bytes: their size and SHA-256.
    Binary { size: usize, sha256: String },
    /// Made from a secret, or of a `sensitive` op: only its size.
    Secret { size: usize },
}

/// What an op does, as the summary groups it.
#[derive(Debug, PartialEq, Eq)]
pub enum Kind {
    /// It installs or removes these packages (each as written, with its version when
    /// pinned: `nginx=1.22*`).
    Packages(Vec<String>),
    /// It runs these commands.
    Commands(Vec<String>),
    /// It writes this file.
    File(String),
    Other,
}

impl Report {
    /// The report of every one of `hosts`, in order, made with its facts (`facts[i]` are
    /// `hosts[i]`'s); `None` for a host whose script cannot be made (its problems pushed
    /// onto `diagnostics`).
    pub fn of_hosts(
        sources: &SourceMap,
        compiled: &Compiled,
        hosts: &[Host],
        facts: &[Option<Facts>],
        diagnostics: &mut Diagnostics,
    ) -> Vec<Option<Report>> {
        let mut scripts = Scripts::new(sources, compiled);
        scripts.run_once_among(hosts);
        hosts
            .iter()
            .enumerate()
            .map(|(i, host)| {
                let facts = facts.get(i).and_then(Option::as_ref);
                Report::of(&scripts, host, facts, diagnostics)
            })
            .collect()
    }

    /// The report of `host`'s script, made with `facts`; `None` when the script cannot be
    /// made (its problems pushed onto `diagnostics`).
    pub fn of(
        scripts: &Scripts,
        host: &Host,
        facts: Option<&Facts>,
        diagnostics: &mut Diagnostics,
    ) -> Option<Report> {
        let lowered = scripts.lowered(host, facts, diagnostics)?;
        let handler_ids = scripts.handler_ids();
        let (mut ops, mut handlers) = (Vec::new(), Vec::new());
        for (index, lowered) in &lowered {
            let entry = entry(*index, lowered, handler_ids);
            match index {
                Index::Handler(_) => handlers.push(entry),
                _ => ops.push(entry),
            }
        }
        // The manifests as the origins name them (relative to the project): no path of the
        // controller's.
        let sources: std::collections::BTreeSet<&str> = ops
            .iter()
            .chain(&handlers)
            .map(|entry: &Entry| entry.origin.rsplit_once(':').map_or("", |(file, _)| file))
            .collect();
        Some(Report {
            host: host.name.clone(),
            target: host.target.to_string(),
            sources: sources.into_iter().map(str::to_owned).collect(),
            ops,
            handlers,
            carried: Vec::new(),
        })
    }

    /// The indices of the ops that notify the handler `id`.
    pub fn notifiers(&self, id: &str) -> Vec<&str> {
        self.ops
            .iter()
            .filter(|op| op.notifies.iter().any(|n| n == id))
            .map(|op| op.index.as_str())
            .collect()
    }
}

/// The entry of the op `lowered`, at `index` of the script.
fn entry(index: Index, lowered: &Lowered, handler_ids: &[String]) -> Entry {
    let op = &lowered.op;
    let writes = lowered.step.as_ref().is_some_and(|s| s.content.is_some());
    // The content of a file written is shown whole below, not as an argument too.
    let args = op
        .args
        .iter()
        .filter(|(name, _)| !(writes && *name == "content"))
        .map(|(name, value)| (name.to_owned(), shown(op, name, &value.value)))
        .collect();
    let items = op
        .iteration
        .iter()
        .flat_map(|iteration| &iteration.items)
        .map(|item| {
            let value = if item.secret {
                MASK.to_owned()
            } else {
                item.value.to_string()
            };
            (item.var.clone(), value)
        })
        .collect();
    let content = lowered
        .step
        .as_ref()
        .and_then(|step| step.content.as_deref())
        .map(|bytes| content(op, bytes));
    Entry {
        index: match index {
            Index::Handler(i) => format!("h{i}"),
            other => other.to_string(),
        },
        id: op.id.clone(),
        label: op.label.clone(),
        op: op.op.kind.name().to_owned(),
        origin: op.origin.clone(),
        skipped: op.skip.clone(),
        when: op.op.globals.when.iter().map(|w| w.value.clone()).collect(),
        runs_as: op.become_.how().map(|(how, user)| format!("{how} {user}")),
        args,
        items,
        notifies: op.notify.iter().map(|&i| handler_ids[i].clone()).collect(),
        kind: kind(op, writes),
        content,
    }
}

/// What `op` is for the summary; `writes` says whether its step writes a whole file.
fn kind(op: &BoundOp, writes: bool) -> Kind {
    let strings = |name: &str| -> Vec<String> {
        match op.args.get(name).map(|v| &v.value) {
            Some(_) if op.is_secret(name) => vec![MASK.to_owned()],
            Some(ArgValue::Str(s)) => vec![s.clone()],
            Some(ArgValue::List(items)) => items
                .iter()
                .map(|item| match &item.value {
                    ArgValue::Str(s) => s.clone(),
                    other => json(other),
                })
                .collect(),
            Some(other) => vec![json(other)],
            None => Vec::new(),
        }
    };
    let name = op.op.kind.name();
    if name.ends_with(".packages") {
        Kind::Packages(strings("packages"))
    } else if is_command(&op.op.kind) {
        let main = ["commands", "argv", "src"]
            .into_iter()
            .find(|arg| op.args.contains(arg));
        Kind::Commands(main.map(strings).unwrap_or_else(|| vec![op.label.clone()]))
    } else if writes && let Some(dest) = op.args.str("dest") {
        Kind::File(dest.to_owned())
    } else {
        Kind::Other
    }
}

/// The value of argument `name` as the report shows it: JSON notation, or `***`.
fn shown(op: &BoundOp, name: &str, value: &ArgValue) -> String {
    if op.is_secret(name) {
        MASK.to_owned()
    } else {
        json(value)
    }
}

/// `value` in JSON notation (a string quoted, a list in brackets, a map in braces).
fn json(value: &ArgValue) -> String {
    to_json(value).to_string()
}

fn to_json(value: &ArgValue) -> serde_json::Value {
    match value {
        ArgValue::Str(s) => s.as_str().into(),
        ArgValue::Bool(b) => (*b).into(),
        ArgValue::Int(i) => (*i).into(),
        ArgValue::List(items) => items.iter().map(|i| to_json(&i.value)).collect(),
        ArgValue::Map(entries) => entries
            .iter()
            .map(|(k, v)| (k.value.clone(), to_json(&v.value)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
    }
}

/// The content `op` writes, as the report shows it.
fn content(op: &BoundOp, bytes: &[u8]) -> Content {
    if op.hides_diff() {
        return Content::Secret { size: bytes.len() };
    }
    match std::str::from_utf8(bytes) {
        Ok(text)
            if !text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t') =>
        {
            Content::Text(text.to_owned())
        }
        _ => Content::Binary {
            size: bytes.len(),
            sha256: crate::opdef::sha256_hex(bytes),
        },
    }
}

/// The summary at the head of a report: each file written, package installed or removed
/// and command run, with the index of its op, in the script's order.
#[derive(Default)]
struct Summary<'r> {
    files: Vec<(&'r str, &'r str)>,
    packages: Vec<(&'r str, &'r str)>,
    commands: Vec<(&'r str, &'r str)>,
}

impl<'r> Summary<'r> {
    fn of(report: &'r Report) -> Self {
        let mut summary = Summary::default();
        for op in report.ops.iter().filter(|op| op.skipped.is_none()) {
            let index = op.index.as_str();
            match &op.kind {
                Kind::File(dest) => summary.files.push((dest, index)),
                Kind::Packages(packages) => {
                    summary
                        .packages
                        .extend(packages.iter().map(|p| (p.as_str(), index)));
                }
                Kind::Commands(commands) => {
                    summary
                        .commands
                        .extend(commands.iter().map(|c| (c.as_str(), index)));
                }
                Kind::Other => {}
            }
        }
        summary
    }
}
