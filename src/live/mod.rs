//! Live runs: the compiled manifest, run on every host of the inventory through its
//! connector, many hosts at once.
//!
//! Per host, in a constant number of round trips whatever the number of ops: connect; then
//! one run that gathers the facts (only when the manifest uses them), makes the host's
//! script with them and runs it with `--check` (the plan), all on one channel (see
//! `host_run`); then, once confirmed, one more run for real (the apply). `apply -y` makes
//! and applies the script in its first run. The script re-probes every op right before
//! acting, so what changed between plan and apply is still handled correctly. Hosts are
//! independent: one failing, timing out or losing its connection never stops or corrupts
//! another.

mod host_run;
pub mod report;

use rayon::prelude::*;

use crate::bind::{Become, Secrets};
use crate::check::Compiled;
use crate::connect::local::{Place, ProcessConnector};
use crate::connect::{ConnectError, Connector, SshOptions, Stream};
use crate::diagnostic::Diagnostics;
use crate::diagnostic::render::{HumanStyle, human};
use crate::facts::Facts;
use crate::inventory::{Host, Inventory, Target};
use crate::runtime::call;
use crate::source::SourceMap;

pub use report::{HostReport, OpOutcome};

/// Told what every host is doing, from the pool's threads, as it happens: the live view
/// on a terminal, plain lines otherwise.
pub trait Progress: Sync {
    /// A host started a phase: `connecting`, `planning`, `applying`.
    fn host_started(&self, _host: &str, _phase: &str) {}
    /// An op started on a host: its index (`3`, `h1`) of `total` ops, and its label.
    fn op_started(&self, _host: &str, _index: &str, _total: usize, _label: &str) {}
    /// A host is done with the phase (its report says how it went).
    fn host_finished(&self, _report: &HostReport) {}
}

/// Opens a connection to `target`.
pub fn open(target: &Target, ssh: &SshOptions) -> Result<Box<dyn Connector>, ConnectError> {
    Ok(match target {
        Target::Local => Box::new(ProcessConnector::new(
            Place::Local,
            None,
            ssh.command_timeout,
        )),
        Target::Chroot { path, user } => Box::new(ProcessConnector::new(
            Place::Chroot(path.clone()),
            user.clone(),
            ssh.command_timeout,
        )),
        Target::Docker { container, user } => Box::new(ProcessConnector::new(
            Place::Docker(container.clone()),
            user.clone(),
            ssh.command_timeout,
        )),
        Target::Podman { container, user } => Box::new(ProcessConnector::new(
            Place::Podman(container.clone()),
            user.clone(),
            ssh.command_timeout,
        )),
        Target::Ssh {
            user,
            address,
            port,
        } => Box::new(crate::connect::ssh::SshConnector::connect(
            user.as_deref(),
            address,
            *port,
            ssh,
        )?),
    })
}

/// One host between plan and apply: its open connection, and its script once the first
/// run has made it.
pub struct Session<'a> {
    pub host: &'a Host,
    connection: Option<Box<dyn Connector>>,
    script: Option<String>,
    /// Ops in the script, handlers not counted.
    ops_total: usize,
    /// The host's secrets, masked in its report.
    secrets: Secrets,
    pub report: HostReport,
}

/// A marker no command output will contain by accident: status lines start with it.
fn marker() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("\u{1e}kiln-{:x}-{:x}\u{1e}", std::process::id(), nanos)
}

/// Whether the run may need the hosts' facts: any manifest mentions `facts`, or renders a
/// template file (which may). Otherwise the fact probe is not sent at all.
fn uses_facts(sources: &SourceMap, compiled: &Compiled) -> bool {
    let mentioned = (0..sources.len()).any(|i| {
        sources
            .file(crate::source::FileId(i as u32))
            .text
            .contains("facts")
    });
    let templates = compiled
        .ops
        .iter()
        .chain(&compiled.handlers)
        .any(|op| op.kind.name() == "files.template");
    mentioned || templates
}

/// What every host's script is made from: the checked manifest, bound per host.
pub struct Scripts<'a> {
    sources: &'a SourceMap,
    compiled: &'a Compiled,
    /// The manifest files, named in the scripts' headers.
    files: Vec<String>,
    needs_facts: bool,
}

impl<'a> Scripts<'a> {
    pub fn new(sources: &'a SourceMap, compiled: &'a Compiled) -> Self {
        let files = (0..sources.len())
            .map(|i| sources.file(crate::source::FileId(i as u32)).name.clone())
            .filter(|name| crate::syntax::Format::of(std::path::Path::new(name)).is_some())
            .collect();
        Scripts {
            sources,
            compiled,
            files,
            needs_facts: uses_facts(sources, compiled),
        }
    }

    /// The host's script and its number of ops, or why it cannot be made; and the host's
    /// secrets.
    fn make(&self, host: &Host, facts: Option<&Facts>) -> (host_run::Made, Secrets) {
        let mut diagnostics = Diagnostics::default();
        let mut ops = 0;
        let mut secrets = Secrets::default();
        let script = crate::bind::bind(self.sources, self.compiled, host, facts, &mut diagnostics)
            .and_then(|plan| {
                ops = plan.ops.len();
                secrets = plan.secrets.clone();
                crate::emit::script(self.sources, &plan, &self.files, &mut diagnostics)
            });
        let made = script.map(|script| (script, ops)).ok_or_else(|| {
            let rendered = human(
                self.sources,
                &diagnostics.sorted(),
                HumanStyle {
                    color: false,
                    width: 100,
                },
            );
            format!("cannot make the script for this host\n{rendered}")
        });
        (made, secrets)
    }
}

/// Connects to every host, in parallel on `pool`.
pub fn prepare<'a>(
    pool: &rayon::ThreadPool,
    inventory: &'a Inventory,
    ssh: &SshOptions,
    progress: &dyn Progress,
) -> Vec<Session<'a>> {
    pool.install(|| {
        inventory
            .hosts
            .par_iter()
            .map(|host| {
                progress.host_started(&host.name, "connecting");
                let session = connect(host, ssh);
                progress.host_finished(&session.report);
                session
            })
            .collect()
    })
}

fn connect<'a>(host: &'a Host, ssh: &SshOptions) -> Session<'a> {
    let mut session = Session {
        host,
        connection: None,
        script: None,
        ops_total: 0,
        secrets: Secrets::default(),
        report: HostReport {
            host: host.name.clone(),
            target: host.target.to_string(),
            status: "ok".into(),
            ..HostReport::default()
        },
    };
    match open(&host.target, ssh) {
        Ok(connection) => session.connection = Some(connection),
        Err(error) => {
            session.report.status = "unreachable".into();
            session.report.error = Some(error.message);
        }
    }
    session
}

/// Runs the fact probe on the host.
pub fn gather(connection: &mut dyn Connector) -> Result<Facts, ConnectError> {
    let mut stdout = Vec::new();
    let status = connection.run(crate::facts::GATHER, &[], &mut |stream, chunk| {
        if stream == Stream::Stdout {
            stdout.extend_from_slice(chunk);
        }
    })?;
    if status != 0 {
        return Err(ConnectError::new(
            format!("the fact probe exited {status}"),
            false,
        ));
    }
    Ok(crate::facts::parse(&String::from_utf8_lossy(&stdout)))
}

/// How to run the prepared scripts.
#[derive(Clone, Copy, Debug)]
pub struct RunOptions<'a> {
    /// Report what would change, change nothing (`--check`).
    pub check: bool,
    /// Hosts not yet started are skipped once this many have failed.
    pub max_failures: Option<usize>,
    /// Hosts run at once, batch after batch.
    pub batch: usize,
    /// The sudo password, handed to the script in memory (see `k_as` in `src/runtime/become.sh`).
    pub become_password: Option<&'a str>,
}

/// Runs every prepared host's script, in check mode (`check`) or for real, in parallel,
/// `batch` hosts at a time (rolling changes: a batch starts when the previous one is done).
/// Once `max_failures` hosts have failed, hosts not yet started are not started (they are
/// reported `skipped`). `progress` is told what every host is doing.
pub fn run(
    pool: &rayon::ThreadPool,
    sessions: &mut [Session<'_>],
    scripts: &Scripts<'_>,
    options: &RunOptions<'_>,
    progress: &dyn Progress,
) {
    let RunOptions {
        check,
        max_failures,
        batch,
        ..
    } = *options;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let failures = AtomicUsize::new(sessions.iter().filter(|s| s.report.failed()).count());
    for batch in sessions.chunks_mut(batch.max(1)) {
        pool.install(|| {
            batch.par_iter_mut().for_each(|session| {
                if session.report.failed() {
                    return;
                }
                if max_failures.is_some_and(|max| failures.load(Ordering::SeqCst) >= max) {
                    session.report.status = "skipped".into();
                    session.report.error =
                        Some("not started: too many hosts failed (--fail-percent)".into());
                    progress.host_finished(&session.report);
                    return;
                }
                let phase = if check { "planning" } else { "applying" };
                progress.host_started(&session.host.name, phase);
                run_host(session, scripts, check, options.become_password, progress);
                if session.report.failed() {
                    failures.fetch_add(1, Ordering::SeqCst);
                }
                progress.host_finished(&session.report);
            });
        });
    }
}

fn run_host(
    session: &mut Session<'_>,
    scripts: &Scripts<'_>,
    check: bool,
    become_password: Option<&str>,
    progress: &dyn Progress,
) {
    let Some(connection) = session.connection.as_mut() else {
        return;
    };
    let mark = marker();
    let host = session.host;
    let made_secrets = std::cell::RefCell::new(None);
    let make = |facts: Option<&Facts>| {
        let (made, secrets) = scripts.make(host, facts);
        *made_secrets.borrow_mut() = Some(secrets);
        made
    };
    let op_started =
        |index: &str, total, label: &str| progress.op_started(&host.name, index, total, label);
    let mut conversation = host_run::HostRun::new(
        &mark,
        become_password,
        session.script.as_deref(),
        session.ops_total,
        host_run::Maker {
            make: &make,
            needs_facts: scripts.needs_facts,
        },
        &op_started,
    );
    let args: &[&str] = if check { &["--check"] } else { &[] };
    let started = std::time::Instant::now();
    let result = connection.converse(args, &mut conversation);
    let report = &mut session.report;
    report.seconds = report::seconds(started.elapsed());
    report.round_trips = connection.round_trips();
    let outcome = conversation.finish();
    if let Some((script, ops)) = outcome.made {
        session.script = Some(script);
        session.ops_total = ops;
    }
    if let Some(secrets) = made_secrets.into_inner() {
        session.secrets = secrets;
        // A host has no business printing the become password; if one does, it is masked.
        if let Some(password) = become_password {
            session.secrets.add(password);
        }
    }
    report.stderr.push_str(&outcome.stderr);
    report.ops = outcome.ops;
    let count = |statuses: &[&str]| {
        report
            .ops
            .iter()
            .filter(|o| statuses.contains(&o.status.as_str()))
            .count()
    };
    report.ok = count(&["ok"]);
    report.changed = count(&["changed", "would-change"]);
    report.failed = count(&["failed", "would-fail"]);
    report.skipped = count(&["skipped"]);
    report.not_run = count(&["not-run"]);
    report.status = match (result, outcome.error) {
        (Err(error), _) => {
            report.error = Some(format!("connection lost: {error}"));
            session.connection = None;
            "failed"
        }
        (Ok(_), Some(error)) => {
            report.error = Some(error);
            "failed"
        }
        (Ok(0), None) if report.changed > 0 && check => "would-change",
        (Ok(0), None) if report.changed > 0 => "changed",
        (Ok(0), None) => "ok",
        (Ok(code), None) => {
            if report.failed == 0 {
                report.error = Some(format!(
                    "the script exited {code}: {}",
                    report.stderr.trim()
                ));
            }
            "failed"
        }
    }
    .into();
    // The last line of defence: a secret the host printed is not shown.
    report.mask(&session.secrets);
}

/// The script that runs `command` as `become_`'s user (the current user: the command
/// alone), through the runtime's `k_as`; the password, when given, is checked once
/// first and handed over in memory only.
pub fn become_script(become_: &Become, command: &str, password: Option<&str>) -> String {
    let Some((how, user)) = become_.how() else {
        return command.to_owned();
    };
    let mut run = call::become_check(how, user);
    run.code(" || exit 1\n")
        .push(&call::run_as(how, user, command))
        .code("\n");
    format!(
        "{}{}{}\n{}",
        host_run::become_head(password),
        crate::runtime::for_code(run.text()),
        call::runtime_for_others(&crate::runtime::for_code(command)),
        run.text()
    )
}
