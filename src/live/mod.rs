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

mod error;
pub(crate) mod fetch;
mod host_run;
pub(crate) mod report;
pub(crate) mod report_files;

use rayon::prelude::*;

use crate::bind::{Become, Secrets};
use crate::connect::{Connector, SshOptions, Stream};
use crate::facts::Facts;
use crate::inventory::{Host, Inventory};
use crate::project::Scripts;
use crate::runtime::call;

pub(crate) use error::{FactsError, HostError};
pub(crate) use report::{HostReport, OpOutcome};

/// Told what every host is doing, from the pool's threads, as it happens: the live view
/// on a terminal, plain lines otherwise.
pub(crate) trait Progress: Sync {
    /// A host started a phase: `connecting`, `planning`, `applying`.
    fn host_started(&self, _host: &str, _phase: &str) {}
    /// An op started on a host: its index (`3`, `h1`) of `total` ops, and its label.
    fn op_started(&self, _host: &str, _index: &str, _total: usize, _label: &str) {}
    /// A host is done with the phase (its report says how it went).
    fn host_finished(&self, _report: &HostReport) {}
}

/// One host between plan and apply: its open connection, and its script once the first
/// run has made it.
pub(crate) struct Session<'a> {
    pub host: &'a Host,
    connection: Option<Box<dyn Connector>>,
    script: Option<String>,
    /// Ops in the script, handlers not counted.
    ops_total: usize,
    /// The host's secrets, masked in its report.
    secrets: Secrets,
    /// The controller files its script's `files.get` ops fill, by op index.
    fetches: Vec<(String, std::path::PathBuf)>,
    pub report: HostReport,
}

/// A marker no command output will contain by accident: status lines start with it.
fn marker() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("\u{1e}kiln-{:x}-{:x}\u{1e}", std::process::id(), nanos)
}

/// Connects to every host, in parallel on `pool`.
pub(crate) fn prepare<'a>(
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
        fetches: Vec::new(),
        report: HostReport {
            host: host.name.clone(),
            target: host.target.to_string(),
            status: "ok".into(),
            ..HostReport::default()
        },
    };
    match crate::connect::connector(&host.target, ssh) {
        Ok(connection) => session.connection = Some(connection),
        Err(error) => session.report.fail(HostError::Unreachable(error)),
    }
    session
}

/// Runs the fact probe on the host: the built-in facts (`kiln facts` knows no manifest).
pub(crate) fn gather(connection: &mut dyn Connector) -> Result<Facts, FactsError> {
    let mut stdout = Vec::new();
    let status = connection.run(crate::facts::GATHER, &[], &mut |stream, chunk| {
        if stream == Stream::Stdout {
            stdout.extend_from_slice(chunk);
        }
    })?;
    if status != 0 {
        return Err(FactsError::Probe(status));
    }
    Ok(crate::facts::parse(&String::from_utf8_lossy(&stdout), &[]))
}

/// How to run the prepared scripts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RunOptions<'a> {
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
pub(crate) fn run(
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
    let claimed = fetch::Claimed::default();
    for batch in sessions.chunks_mut(batch.max(1)) {
        pool.install(|| {
            batch.par_iter_mut().for_each(|session| {
                if session.report.failed() {
                    return;
                }
                if max_failures.is_some_and(|max| failures.load(Ordering::SeqCst) >= max) {
                    session.report.fail(HostError::NotStarted);
                    progress.host_finished(&session.report);
                    return;
                }
                let phase = if check { "planning" } else { "applying" };
                progress.host_started(&session.host.name, phase);
                let how = HowToRun {
                    check,
                    become_password: options.become_password,
                    claimed: &claimed,
                };
                run_host(session, scripts, &how, progress);
                if session.report.failed() {
                    failures.fetch_add(1, Ordering::SeqCst);
                }
                progress.host_finished(&session.report);
            });
        });
    }
}

/// How one host's script runs: in check mode or for real, with the become password, and
/// the controller files this run's `files.get` ops wrote so far.
struct HowToRun<'a> {
    check: bool,
    become_password: Option<&'a str>,
    claimed: &'a fetch::Claimed,
}

fn run_host(
    session: &mut Session<'_>,
    scripts: &Scripts<'_>,
    how: &HowToRun<'_>,
    progress: &dyn Progress,
) {
    let HowToRun {
        check,
        become_password,
        claimed,
    } = *how;
    let Some(connection) = session.connection.as_mut() else {
        return;
    };
    let mark = marker();
    let host = session.host;
    let made_secrets = std::cell::RefCell::new(None);
    let make = |facts: Option<&Facts>| {
        let made = scripts.make(host, facts);
        *made_secrets.borrow_mut() = Some((made.secrets, made.fetches));
        made.made
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
            needs_facts: scripts.needs_facts(host),
            custom_facts: scripts.custom_facts(),
        },
        &op_started,
    );
    let args: &[&str] = if check { &["--check"] } else { &[] };
    let started = std::time::Instant::now();
    let result = connection.converse(args, &mut conversation);
    session.report.seconds = report::seconds(started.elapsed());
    session.report.round_trips = connection.round_trips();
    if result.is_err() {
        session.connection = None;
    }
    let host_run::Outcome {
        made,
        mut ops,
        stderr,
        error,
    } = conversation.finish();
    if let Some((script, ops)) = made {
        session.script = Some(script);
        session.ops_total = ops;
    }
    if let Some((secrets, fetches)) = made_secrets.into_inner() {
        session.secrets = secrets;
        session.fetches = fetches;
        // A host has no business printing the become password; if one does, it is masked.
        if let Some(password) = become_password {
            session.secrets.add(password);
        }
    }
    if !check {
        fetch::write(&host.name, &mut ops, &session.fetches, claimed);
    }
    session.report.stderr.push_str(&stderr);
    session.report.count(ops);
    session.report.settle(result, error, check);
    // The last line of defence: a secret the host printed is not shown.
    session.report.mask(&session.secrets);
}

/// The script that runs `command` as `become_`'s user (the current user: the command
/// alone), through the runtime's `k_as`; the password, when given, is checked once
/// first and handed over in memory only.
pub(crate) fn become_script(become_: &Become, command: &str, password: Option<&str>) -> String {
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
