//! `kiln report show` and `kiln report merge`: the JSON reports of runs kiln did not watch
//! (a script's `--report`, each shard's `--format json`), shown as a live run shows its
//! own, and merged into one summary and one exit status: 0 when no host failed, else 1,
//! `kiln apply`'s rule. Reports that cannot be read or merged (a host in two files) are
//! refused with exit status 2, so a broken merge never passes for a failed host. Given the
//! inventory the runs were for (`-i`, `--limit`), a merge also fails (1) when a host of it
//! has no report, so a shard that never reported never passes for a fleet that converged.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::live::{print_host_outcomes, print_host_plan, print_summary, report_json};
use super::{LimitOption, outln, output};
use crate::live::HostReport;
use crate::live::report_files;

#[derive(Args, Debug)]
pub(super) struct ReportArgs {
    #[command(subcommand)]
    command: ReportCommand,
}

#[derive(Subcommand, Debug)]
enum ReportCommand {
    /// Show reports as a live run shows its own: each host's plan, or its failed ops
    /// (every op with `-v`), then a line per host.
    Show(ShowArgs),
    /// Merge many hosts' reports into one (a host in two files is an error).
    Merge(MergeArgs),
}

#[derive(Args, Debug)]
struct ShowArgs {
    /// Report files: a script's `--report`, or `kiln plan`/`apply --format json`'s output.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// Show more: `-v` every op and what it printed, `-vv` also the hosts' standard error.
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
}

#[derive(Args, Debug)]
struct MergeArgs {
    /// Report files: a script's `--report`, or `kiln plan`/`apply --format json`'s output.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// What to print: `human` (a line per host), or `json` (the merged report).
    #[arg(long, value_enum, default_value_t = MergeFormat::Human)]
    format: MergeFormat,
    /// Also write the merged report, as JSON, to this file (atomically, mode 0600).
    #[arg(short = 'o', long = "out", value_name = "OUT")]
    out: Option<PathBuf>,
    /// The inventory the runs were for (as for `kiln apply`; repeatable): every host of
    /// it (after `--limit`) must have a report, and no report may be of another host.
    #[arg(short = 'i', long = "inventory", value_name = "INVENTORY")]
    inventory: Vec<String>,
    #[command(flatten)]
    limit: LimitOption,
}

/// `kiln report merge --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum MergeFormat {
    Human,
    Json,
}

pub(super) fn run(args: ReportArgs) -> u8 {
    match args.command {
        ReportCommand::Show(args) => show(&args),
        ReportCommand::Merge(args) => merge(&args),
    }
}

fn show(args: &ShowArgs) -> u8 {
    let Some(hosts) = read(&args.files) else {
        return 2;
    };
    let reports: Vec<&HostReport> = hosts.iter().collect();
    for report in &reports {
        if is_plan(report) {
            print_host_plan(report);
        } else {
            print_host_outcomes(report, args.verbose);
        }
    }
    print_summary(&reports);
    exit_status(&reports)
}

fn merge(args: &MergeArgs) -> u8 {
    let Some(hosts) = read(&args.files) else {
        return 2;
    };
    let missing = if args.inventory.is_empty() {
        Vec::new()
    } else {
        match unreported(args, &hosts) {
            Ok(missing) => missing,
            Err(()) => return 2,
        }
    };
    let reports: Vec<&HostReport> = hosts.iter().collect();
    let json = report_json(&reports);
    // Whole or not at all, its owner's only; a link at `out` is replaced, not followed.
    if let Some(out) = &args.out
        && let Err(error) = crate::live::fetch::save(out, format!("{json}\n").as_bytes(), 0o600)
    {
        eprintln!("kiln: report merge: cannot write {error}");
        return 2;
    }
    match args.format {
        MergeFormat::Json => outln!("{json}"),
        MergeFormat::Human => print_summary(&reports),
    }
    for host in &missing {
        eprintln!("kiln: report merge: {host}: no report (its run never reported)");
    }
    if missing.is_empty() {
        exit_status(&reports)
    } else {
        1
    }
}

/// The hosts of the expected inventory (after `--limit`) that `hosts` has no report of;
/// `Err` (said) when the inventory cannot be read or a report is of a host not in it.
fn unreported(args: &MergeArgs, hosts: &[HostReport]) -> Result<Vec<String>, ()> {
    let mut project = crate::project::Project::new(&[], &[]);
    let mut inventory = project.load_inventory(&args.inventory);
    let diagnostics = project.take_diagnostics();
    output::print(&project.sources, &diagnostics, super::Format::Human);
    if output::exit_code(&diagnostics, false) != 0 || !args.limit.narrow(&mut inventory) {
        return Err(());
    }
    let expected: std::collections::BTreeSet<&str> =
        inventory.hosts.iter().map(|h| h.name.as_str()).collect();
    let strangers: Vec<&str> = hosts
        .iter()
        .map(|h| h.host.as_str())
        .filter(|name| !expected.contains(name))
        .collect();
    if !strangers.is_empty() {
        eprintln!(
            "kiln: report merge: not hosts of the inventory (after --limit): {}",
            strangers.join(", ")
        );
        return Err(());
    }
    Ok(inventory
        .hosts
        .iter()
        .filter(|h| !hosts.iter().any(|r| r.host == h.name))
        .map(|h| h.name.clone())
        .collect())
}

/// The hosts of every file, merged; `None` (said on standard error) when they cannot be.
fn read(files: &[PathBuf]) -> Option<Vec<HostReport>> {
    match report_files::merge(files) {
        Ok(report) => Some(report.hosts),
        Err(why) => {
            eprintln!("kiln: report: {why}");
            None
        }
    }
}

/// Whether a host's report is of a plan (`--check`): what would change, not what did.
fn is_plan(report: &HostReport) -> bool {
    report.status == "would-change"
        || report
            .ops
            .iter()
            .any(|op| op.status == "would-change" || op.status == "would-fail")
}

/// `kiln apply`'s rule: 1 when a host failed (or was unreachable), else 0.
fn exit_status(reports: &[&HostReport]) -> u8 {
    u8::from(reports.iter().any(|r| r.failed()))
}
