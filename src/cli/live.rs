//! `kiln plan`, `kiln apply`, `kiln facts` and `kiln exec`: live runs against the inventory.

use super::outln;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use serde_json::json;

use crate::bind::Become;
use crate::check::Compiled;
use crate::connect::{ConnectError, Connector, HostKeyPolicy, SshOptions, Stream};
use crate::inventory::Inventory;
use crate::live::{self, HostReport};
use crate::project::{Project, Scripts};

use super::progress::{self, Reporter, one_line};
use super::shard::ShardOption;
use super::{Format, InventoryOptions, LimitOption, SelectOption, output, passwords};

/// How to connect and how many hosts at once.
#[derive(Args, Debug)]
pub(super) struct ConnectArgs {
    /// Hosts worked on at once (the work waits on the network, not the CPU).
    #[arg(long, default_value_t = 32, value_name = "N")]
    parallel: usize,
    /// Add unknown SSH host keys to known_hosts (changed keys are still refused).
    #[arg(long)]
    ssh_accept_new: bool,
    /// Do not check SSH host keys at all.
    #[arg(long, conflicts_with = "ssh_accept_new")]
    ssh_insecure: bool,
    /// known_hosts file (default: ~/.ssh/known_hosts, or the ssh config's).
    #[arg(long, value_name = "FILE")]
    known_hosts: Option<PathBuf>,
    /// ssh_config file (default: ~/.ssh/config).
    #[arg(long, value_name = "FILE")]
    ssh_config: Option<PathBuf>,
    /// Private key to try first (repeatable).
    #[arg(long = "ssh-key", value_name = "FILE")]
    ssh_keys: Vec<PathBuf>,
    /// Seconds to wait for a host to answer (default: the ssh config's ConnectTimeout,
    /// else 10).
    #[arg(long, value_name = "SECONDS")]
    connect_timeout: Option<u64>,
    /// Longest a host's run may take, in seconds, on any connector (default: no limit).
    #[arg(long, value_name = "SECONDS")]
    command_timeout: Option<u64>,
    /// Ask once for the SSH login password (for servers that take passwords); without a
    /// terminal it is read from the KILN_SSH_PASSWORD environment variable.
    #[arg(short = 'k', long)]
    ask_pass: bool,
}

impl ConnectArgs {
    /// The SSH options; asks for the login password here with `-k`.
    fn ssh(&self) -> Result<SshOptions, String> {
        Ok(SshOptions {
            host_keys: if self.ssh_insecure {
                HostKeyPolicy::Off
            } else if self.ssh_accept_new {
                HostKeyPolicy::AcceptNew
            } else {
                HostKeyPolicy::Strict
            },
            known_hosts: self.known_hosts.clone(),
            config: self.ssh_config.clone(),
            identities: self.ssh_keys.clone(),
            password: self.ssh_password()?,
            connect_timeout: self.connect_timeout.map(Duration::from_secs),
            command_timeout: self.command_timeout.map(Duration::from_secs),
            ..SshOptions::default()
        })
    }

    /// The SSH password: from KILN_SSH_PASSWORD, or asked on the terminal with `-k`.
    fn ssh_password(&self) -> Result<Option<String>, String> {
        secret(self.ask_pass, passwords::SSH, "SSH password: ")
    }

    fn pool(&self) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(self.parallel.max(1))
            .build()
            .expect("a thread pool can be built")
    }
}

/// How a plan or apply runs its ops: as whom (the become password), and how hosts are
/// rolled (batches, a failure limit). Only `plan` and `apply` take these.
#[derive(Args, Debug)]
pub(super) struct RolloutArgs {
    /// Rolling changes: apply to this many hosts at a time (a count, or a percentage such as
    /// `25%`), batch after batch.
    #[arg(long, value_name = "N|PERCENT%")]
    serial: Option<String>,
    /// Stop starting new hosts once more than this percentage of hosts has failed.
    #[arg(long, value_name = "PERCENT", value_parser = clap::value_parser!(u8).range(0..=100))]
    fail_percent: Option<u8>,
    #[command(flatten)]
    become_password: BecomePasswordArg,
}

/// `-K`: the password sudo or su asks for.
#[derive(Args, Debug)]
pub(super) struct BecomePasswordArg {
    /// Ask once for the become password: sudo's (the connecting user's), for ops with
    /// `sudo`/`sudo_user`, or su's (the target user's), for ops with `su_user`. Without a
    /// terminal it is read from the KILN_BECOME_PASSWORD environment variable.
    #[arg(short = 'K', long)]
    ask_become_pass: bool,
}

impl BecomePasswordArg {
    /// The become password: from KILN_BECOME_PASSWORD, or asked on the terminal with `-K`.
    fn get(&self) -> Result<Option<String>, String> {
        secret(
            self.ask_become_pass,
            passwords::BECOME,
            "become password (sudo/su): ",
        )
    }
}

impl RolloutArgs {
    /// The batch size: `--serial`, else the smallest `serial` an op of the manifest asks
    /// for, else every host at once.
    fn batch(&self, hosts: usize, compiled: &Compiled) -> Result<usize, String> {
        let Some(serial) = &self.serial else {
            let from_ops = compiled
                .ops
                .iter()
                .filter_map(|op| op.globals.serial)
                .map(|serial| match serial {
                    crate::check::Serial::Count(n) => n as usize,
                    crate::check::Serial::Percent(p) => (hosts * usize::from(p)).div_ceil(100),
                })
                .min();
            return Ok(from_ops.unwrap_or(hosts).max(1));
        };
        let size = match serial.strip_suffix('%') {
            Some(percent) => {
                let percent: usize = percent
                    .parse()
                    .map_err(|_| format!("`{serial}` is not a percentage"))?;
                (hosts * percent).div_ceil(100)
            }
            None => serial
                .parse()
                .map_err(|_| format!("`{serial}` is not a number of hosts"))?,
        };
        Ok(size.max(1))
    }

    /// How many failed hosts stop the run, out of `hosts`.
    fn max_failures(&self, hosts: usize) -> Option<usize> {
        self.fail_percent
            .map(|percent| hosts * usize::from(percent) / 100 + 1)
    }
}

#[derive(Args, Debug)]
pub(super) struct PlanArgs {
    /// The manifest file, or a project directory.
    #[arg(value_name = "PATH", default_value = ".")]
    path: PathBuf,
    #[command(flatten)]
    inventory: InventoryOptions,
    #[command(flatten)]
    limit: LimitOption,
    #[command(flatten)]
    shard: ShardOption,
    #[command(flatten)]
    select: SelectOption,
    #[command(flatten)]
    connect: ConnectArgs,
    #[command(flatten)]
    rollout: RolloutArgs,
    /// `human`, or `json` for a machine-readable report.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Show more: `-v` every op and what it printed, `-vv` also the hosts' standard error.
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
}

#[derive(Args, Debug)]
pub(super) struct ApplyArgs {
    #[command(flatten)]
    plan: PlanArgs,
    /// Apply without showing the plan and asking first.
    #[arg(short = 'y', long = "yes")]
    yes: bool,
}

pub(super) fn plan(args: PlanArgs) -> u8 {
    live_run(&args, false, false)
}

pub(super) fn apply(args: ApplyArgs) -> u8 {
    live_run(&args.plan, true, args.yes)
}

fn live_run(args: &PlanArgs, apply: bool, yes: bool) -> u8 {
    let mut project = args.inventory.project();
    let Some((compiled, inventory)) = checked(args, &mut project) else {
        return 1;
    };
    let become_password = match args.rollout.become_password.get() {
        Ok(password) => password,
        Err(why) => {
            eprintln!("kiln: {why}");
            return 1;
        }
    };
    let ssh = match args.connect.ssh() {
        Ok(ssh) => ssh,
        Err(why) => {
            eprintln!("kiln: {why}");
            return 1;
        }
    };
    let human = args.format == Format::Human;
    let mut scripts = Scripts::new(&project.sources, &compiled);
    scripts.run_once_among(&inventory.hosts);
    let run = LiveRun {
        pool: args.connect.pool(),
        scripts,
        become_password: become_password.as_deref(),
        live_view: human && progress::live_view_possible(),
        human,
    };
    let connecting = Reporter::new(run.live_view, "connecting", inventory.hosts.len(), false);
    let mut sessions = live::prepare(&run.pool, &inventory, &ssh, &connecting);
    connecting.finish();
    let plan_needed = !(apply && yes);
    if plan_needed {
        run.plan(&mut sessions);
    }
    if apply {
        let changes = sessions.iter().any(|s| s.report.changed > 0);
        if plan_needed && !changes {
            if human {
                outln!("Nothing to change.");
            }
        } else if yes || confirm() {
            let batch = match args.rollout.batch(sessions.len(), &compiled) {
                Ok(batch) => batch,
                Err(why) => {
                    eprintln!("kiln: --serial: {why}");
                    return 2;
                }
            };
            let max_failures = args.rollout.max_failures(sessions.len());
            run.apply(&mut sessions, batch, max_failures, args.verbose);
        } else {
            eprintln!("kiln: not applied");
            return 1;
        }
    }
    report(&sessions, args.format)
}

/// The checked manifest and the hosts it runs on (`--limit`, then `--shard`, applied), or `None` when the
/// manifest has errors (reported; as people read them, even with `--format json`).
fn checked(args: &PlanArgs, project: &mut Project) -> Option<(Compiled, Inventory)> {
    let entry = project.entry(&args.path);
    let mut inventory = project.inventory(&args.inventory.inventory, &args.path);
    let compiled = entry.and_then(|entry| project.compile(&entry, Some(&inventory)));
    let diagnostics = project.take_diagnostics();
    let format = if args.format == Format::Json {
        Format::Human
    } else {
        args.format
    };
    output::print(&project.sources, &diagnostics, format);
    let mut compiled = compiled.filter(|_| output::exit_code(&diagnostics, false) == 0)?;
    // Ops name hosts and groups of the whole inventory; the limit applies after checking,
    // as the selection of ops does.
    if !(args.limit.narrow(&mut inventory) && args.select.narrow(project, &mut compiled)) {
        return None;
    }
    args.shard.narrow(&mut inventory);
    Some((compiled, inventory))
}

/// What the phases of a plan or apply share.
struct LiveRun<'a> {
    pool: rayon::ThreadPool,
    scripts: Scripts<'a>,
    become_password: Option<&'a str>,
    /// The live view of hosts and ops, on a terminal.
    live_view: bool,
    human: bool,
}

impl LiveRun<'_> {
    /// Runs every host's script in check mode and shows what would change.
    fn plan(&self, sessions: &mut [live::Session<'_>]) {
        let options = live::RunOptions {
            check: true,
            max_failures: None,
            batch: usize::MAX,
            become_password: self.become_password,
        };
        let planning = Reporter::new(self.live_view, "planning", sessions.len(), false);
        live::run(&self.pool, sessions, &self.scripts, &options, &planning);
        planning.finish();
        if self.human {
            print_plan(sessions);
        }
    }

    /// Runs every host's script for real, `batch` hosts at a time, and shows what failed.
    fn apply(
        &self,
        sessions: &mut [live::Session<'_>],
        batch: usize,
        max_failures: Option<usize>,
        verbose: u8,
    ) {
        let options = live::RunOptions {
            check: false,
            max_failures,
            batch,
            become_password: self.become_password,
        };
        let applying = Reporter::new(self.live_view, "applying", sessions.len(), self.human);
        live::run(&self.pool, sessions, &self.scripts, &options, &applying);
        applying.finish();
        if self.human {
            print_outcomes(sessions, verbose);
        }
    }
}

/// The hosts' reports, as JSON or as a summary; the exit status: 1 when a host failed.
fn report(sessions: &[live::Session<'_>], format: Format) -> u8 {
    let reports: Vec<&HostReport> = sessions.iter().map(|s| &s.report).collect();
    if format == Format::Json {
        outln!("{}", report_json(&reports));
    } else {
        print_summary(&reports);
    }
    u8::from(reports.iter().any(|r| r.failed()))
}

/// The JSON document of a run's reports (`{"hosts": [...]}`, what `live::report::RunReport` reads back).
pub(super) fn report_json(reports: &[&HostReport]) -> String {
    serde_json::to_string_pretty(&json!({ "hosts": reports })).expect("reports serialize")
}

/// A password from the environment variable `variable`, else asked once on the terminal
/// when `ask`, never echoed.
fn secret(ask: bool, variable: &str, prompt: &str) -> Result<Option<String>, String> {
    if let Some(password) = passwords::from_environment(variable) {
        return Ok(Some(password));
    }
    if !ask {
        return Ok(None);
    }
    rpassword::prompt_password(prompt).map(Some).map_err(|e| {
        format!("cannot read the password: {e} (set {variable} when there is no terminal)")
    })
}

/// Asks on the terminal; anything but yes is no. Without a terminal, refuses (use `-y`).
fn confirm() -> bool {
    if !std::io::stdin().is_terminal() {
        eprintln!("kiln: not a terminal, so not asking: pass -y to apply");
        return false;
    }
    eprint!("Apply these changes? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    matches!(answer.trim(), "y" | "Y" | "yes" | "Yes")
}

fn print_plan(sessions: &[live::Session<'_>]) {
    for session in sessions {
        print_host_plan(&session.report);
    }
}

/// A host's plan: what would change (or fail), and its counts.
pub(super) fn print_host_plan(report: &HostReport) {
    outln!("\n{} ({})", report.host, report.target);
    if let Some(error) = &report.error {
        outln!("  {}: {error}", report.status);
        return;
    }
    for op in report.ops.iter().filter(|o| o.status != "ok") {
        print_op(op);
    }
    let would_fail = if report.failed > 0 {
        format!(", {} would fail", report.failed)
    } else {
        String::new()
    };
    outln!(
        "  {} ok, {} to change{would_fail}, {} skipped",
        report.ok,
        report.changed,
        report.skipped
    );
}

fn print_outcomes(sessions: &[live::Session<'_>], verbose: u8) {
    for session in sessions {
        print_host_outcomes(&session.report, verbose);
    }
}

/// After an apply, a host's failed ops, each with what it printed, and ops not run after
/// them, and the host's errors; with `-v` every op, with `-vv` also the host's standard
/// error printed outside any op.
pub(super) fn print_host_outcomes(report: &HostReport, verbose: u8) {
    let shown: Vec<&live::OpOutcome> = report
        .ops
        .iter()
        .filter(|o| verbose > 0 || o.status.starts_with("failed") || o.status == "not-run")
        .collect();
    // Why a host failed as a whole (unreachable, no script, a lost connection), in full:
    // the summary line has room for its first line only.
    let error = report.error.as_ref().filter(|_| report.failed());
    if !shown.is_empty() || error.is_some() {
        outln!("\n{} ({})", report.host, report.target);
    }
    if let Some(error) = error {
        for line in error.lines() {
            outln!("  {line}");
        }
    }
    for op in shown {
        print_op(op);
    }
    let failed = report.ops.iter().any(|o| o.status.starts_with("failed"));
    if (failed || verbose > 1) && !report.stderr.trim().is_empty() {
        outln!("  standard error:");
        for line in report.stderr.lines() {
            outln!("      {line}");
        }
    }
}

/// An op's status line, then what the script said of it, what it printed, and its
/// standard error.
fn print_op(op: &live::OpOutcome) {
    outln!("  {:<13} {}  [{}]", op.status, op.label, op.origin);
    for line in op.note.lines().chain(op.detail.lines()) {
        outln!("      {line}");
    }
    if !op.stderr.trim().is_empty() {
        outln!("      standard error:");
        for line in op.stderr.lines() {
            outln!("        {line}");
        }
    }
}

pub(super) fn print_summary(reports: &[&HostReport]) {
    outln!();
    for report in reports {
        outln!("{:<24} {}", report.host, one_line(report));
    }
    let failed = reports.iter().filter(|r| r.failed()).count();
    outln!("{} hosts, {failed} failed", reports.len());
}

#[derive(Args, Debug)]
pub(super) struct FactsArgs {
    /// Targets or inventory files (default `@local`).
    #[arg(value_name = "TARGET")]
    targets: Vec<String>,
    #[command(flatten)]
    limit: LimitOption,
    #[command(flatten)]
    connect: ConnectArgs,
    /// Print JSON (one object per host, by name; with one host, just its facts).
    #[arg(long)]
    json: bool,
}

pub(super) fn facts(args: FactsArgs) -> u8 {
    let Some(adhoc) = AdHoc::new(&args.targets, &args.limit, &args.connect) else {
        return 1;
    };
    let results = adhoc.on_every_host(|connection| live::gather(connection));
    let mut failed = false;
    if args.json {
        let mut all = serde_json::Map::new();
        for (host, facts) in &results {
            match facts {
                Ok(facts) => {
                    all.insert(host.clone(), facts.0.clone());
                }
                Err(error) => {
                    failed = true;
                    eprintln!("kiln: {host}: {error}");
                }
            }
        }
        let value = if results.len() == 1 {
            all.into_iter().next().map_or(json!({}), |(_, v)| v)
        } else {
            serde_json::Value::Object(all)
        };
        outln!(
            "{}",
            serde_json::to_string_pretty(&value).expect("facts serialize")
        );
    } else {
        for (host, facts) in &results {
            match facts {
                Ok(facts) => {
                    outln!("{host}");
                    print_facts(&facts.0, "  ");
                }
                Err(error) => {
                    failed = true;
                    outln!("{host}: unreachable: {error}");
                }
            }
        }
    }
    u8::from(failed)
}

fn print_facts(value: &serde_json::Value, prefix: &str) {
    let Some(map) = value.as_object() else { return };
    for (key, value) in map {
        match value {
            serde_json::Value::Object(_) => {
                outln!("{prefix}{key}:");
                print_facts(value, &format!("{prefix}  "));
            }
            serde_json::Value::String(s) => outln!("{prefix}{key}: {s}"),
            other => outln!("{prefix}{key}: {other}"),
        }
    }
}

#[derive(Args, Debug)]
pub(super) struct ExecArgs {
    /// Targets or inventory files, then `--` and the command.
    #[arg(value_name = "TARGET", required = true)]
    targets: Vec<String>,
    /// The shell command to run on every host.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    command: Vec<String>,
    #[command(flatten)]
    limit: LimitOption,
    #[command(flatten)]
    connect: ConnectArgs,
    /// Run the command as another user (`--become-user`, default root), as Ansible's `-b`.
    #[arg(short = 'b', long = "become")]
    become_: bool,
    /// The user to become (implies `--become`).
    #[arg(long, value_name = "USER")]
    become_user: Option<String>,
    /// How to become that user.
    #[arg(long, value_enum, default_value_t = BecomeMethod::Sudo)]
    become_method: BecomeMethod,
    #[command(flatten)]
    become_password: BecomePasswordArg,
}

/// `--become-method`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum BecomeMethod {
    Sudo,
    Su,
}

pub(super) fn exec(args: ExecArgs) -> u8 {
    let Some(adhoc) = AdHoc::new(&args.targets, &args.limit, &args.connect) else {
        return 1;
    };
    let command = args.command.join(" ");
    let script = if args.become_ || args.become_user.is_some() {
        let password = match args.become_password.get() {
            Ok(password) => password,
            Err(why) => {
                eprintln!("kiln: {why}");
                return 1;
            }
        };
        let user = args.become_user.clone().unwrap_or_else(|| "root".into());
        let become_ = match args.become_method {
            BecomeMethod::Sudo => Become::Sudo(user),
            BecomeMethod::Su => Become::Su(user),
        };
        live::become_script(&become_, &command, password.as_deref())
    } else {
        command
    };
    let results = adhoc.on_every_host(|connection| {
        let mut output = Vec::new();
        let status = connection.run(&script, &[], &mut |_: Stream, chunk: &[u8]| {
            output.extend_from_slice(chunk)
        })?;
        Ok::<_, ConnectError>((status, String::from_utf8_lossy(&output).into_owned()))
    });
    print_results(results, |host, (status, output)| {
        outln!("{host}: exit {status}");
        for line in output.lines() {
            outln!("  {line}");
        }
        status == 0
    })
}

/// Prints each host's line: `reached` prints a reached host's and says whether it
/// succeeded; an unreachable host is `HOST: unreachable: WHY`. The exit status: 1 when any
/// host failed.
pub(super) fn print_results<T>(
    results: Vec<(String, Result<T, String>)>,
    mut reached: impl FnMut(&str, T) -> bool,
) -> u8 {
    let mut failed = false;
    for (host, result) in results {
        match result {
            Ok(value) => failed |= !reached(&host, value),
            Err(error) => {
                failed = true;
                outln!("{host}: unreachable: {error}");
            }
        }
    }
    u8::from(failed)
}

/// What an ad-hoc command (`facts`, `exec`, `put`, `fetch`) works with: the hosts named
/// on its command line, and how to reach them.
pub(super) struct AdHoc {
    pub inventory: Inventory,
    pub ssh: SshOptions,
    pub pool: rayon::ThreadPool,
}

impl AdHoc {
    /// `None` (reported) when a target is invalid or a password cannot be read.
    pub(super) fn new(
        targets: &[String],
        limit: &LimitOption,
        connect: &ConnectArgs,
    ) -> Option<AdHoc> {
        let mut project = Project::default();
        let mut inventory = project.load_inventory(targets);
        let sorted = project.take_diagnostics();
        output::print(&project.sources, &sorted, Format::Human);
        if output::exit_code(&sorted, false) != 0 || !limit.narrow(&mut inventory) {
            return None;
        }
        let ssh = match connect.ssh() {
            Ok(ssh) => ssh,
            Err(why) => {
                eprintln!("kiln: {why}");
                return None;
            }
        };
        Some(AdHoc {
            inventory,
            ssh,
            pool: connect.pool(),
        })
    }

    /// Connects to every host in parallel and runs `work` on each connection: each host's
    /// name and what `work` made of it (or why the host could not be reached).
    pub(super) fn on_every_host<T: Send, E: From<ConnectError> + std::fmt::Display>(
        &self,
        work: impl Fn(&mut dyn Connector) -> Result<T, E> + Sync,
    ) -> Vec<(String, Result<T, String>)> {
        use rayon::prelude::*;
        self.pool.install(|| {
            self.inventory
                .hosts
                .par_iter()
                .map(|host| {
                    let result = crate::connect::connector(&host.target, &self.ssh)
                        .map_err(E::from)
                        .and_then(|mut connection| work(connection.as_mut()));
                    (host.name.clone(), result.map_err(|e| e.to_string()))
                })
                .collect()
        })
    }
}
