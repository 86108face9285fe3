//! The command line: argument parsing and dispatch. Each subcommand lives in its own file
//! and returns the process exit code.
//!
//! Exit codes: 0 success; 1 errors found (or, with `--deny-warnings`, warnings); 2 bad usage.

mod audit;
mod bundle;
mod check;
mod emit;
mod init;
mod inventory;
mod live;
mod output;
mod passwords;
mod progress;
mod pull;
mod report;
mod schema;
mod shard;
mod targets;
mod transfer;

use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::model::Value;
use crate::project::{Project, Selection};

#[derive(Parser, Debug)]
#[command(
    name = "kiln",
    version,
    about = "Agentless configuration management: declarative manifests, plain shell."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Validate manifests: syntax, op arguments, templates, variables, handlers, includes.
    Check(check::CheckArgs),
    /// Write one standalone, idempotent POSIX shell script per host.
    Emit(emit::EmitArgs),
    /// Probe every host and show what would change, with diffs.
    Plan(live::PlanArgs),
    /// Show the plan, ask, then apply it on every host.
    Apply(live::ApplyArgs),
    /// Write per host a report of everything its script will do (Markdown and HTML).
    Audit(audit::AuditArgs),
    /// Write one verifiable, reproducible archive per host: its script and the apt packages
    /// it installs, for hosts with no network (`kiln bundle verify` checks one).
    Bundle(bundle::BundleArgs),
    /// Show hosts' facts (OS, architecture, init system, package manager, users...).
    Facts(live::FactsArgs),
    /// Run an ad-hoc shell command on hosts: `kiln exec TARGETS... -- COMMAND`.
    Exec(live::ExecArgs),
    /// Copy a local file to hosts, atomically: `kiln put TARGETS... --src FILE --dest PATH`.
    Put(transfer::PutArgs),
    /// Copy a file from hosts to DEST/HOST/PATH: `kiln fetch TARGETS... --src PATH --dest DIR`.
    Fetch(transfer::FetchArgs),
    /// Show the resolved hosts, their groups and merged variables.
    Inventory(inventory::InventoryArgs),
    /// Write pull mode's systemd service and timer and its fetch script, for one host.
    PullUnits(pull::PullUnitsArgs),
    /// Show or merge JSON reports of runs: scripts' `--report`, shards' `--format json`.
    Report(report::ReportArgs),
    /// Print the JSON Schema of TOML manifests (or of inventories), for editors.
    Schema(schema::SchemaArgs),
    /// Start a project: a manifest, an inventory and a template (never overwrites).
    Init(init::InitArgs),
    /// Print a shell completion script: `kiln completions bash > /etc/bash_completion.d/kiln`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Options shared by commands that read an inventory.
#[derive(Args, Debug, Default)]
pub struct InventoryOptions {
    /// Inventory file (TOML/KDL), inventory program, or target: `@local`,
    /// `ssh://[user@]host[:port]`, `@docker/NAME`, `@podman/NAME`, `@chroot/PATH`, a host
    /// name. Repeatable.
    #[arg(short = 'i', long = "inventory", value_name = "INVENTORY")]
    pub inventory: Vec<String>,
    /// Set a variable, overriding every other source: `NAME=VALUE`, or a JSON object.
    /// Repeatable.
    #[arg(short = 'e', long = "extra-vars", value_name = "NAME=VALUE", value_parser = parse_extra_var)]
    pub extra_vars: Vec<Vec<(String, Value)>>,
    /// Secret variables, at the level of `-e`, from a TOML, KDL or JSON file (`-`: standard
    /// input); their values are never shown. Repeatable.
    #[arg(long = "secrets-file", value_name = "FILE")]
    pub secrets_files: Vec<String>,
}

impl InventoryOptions {
    /// A project with the command line's variables: `-e`, then the secrets files
    /// (reported when they cannot be read).
    pub fn project(&self) -> Project {
        let extra_vars: Vec<(String, Value)> = self.extra_vars.iter().flatten().cloned().collect();
        Project::new(&extra_vars, &self.secrets_files)
    }
}

/// `--limit`: the hosts of the inventory a command works on.
#[derive(Args, Debug, Default)]
pub struct LimitOption {
    /// Only these hosts: comma-separated host or group names, with `*`/`?` wildcards;
    /// `!PATTERN` leaves hosts out (`web*,!web3`).
    #[arg(short = 'l', long, value_name = "PATTERNS")]
    pub limit: Option<String>,
}

impl LimitOption {
    /// Narrows `inventory`; false (reported) when a pattern matches nothing.
    pub fn narrow(&self, inventory: &mut crate::inventory::Inventory) -> bool {
        let Some(patterns) = &self.limit else {
            return true;
        };
        match inventory.limit(patterns) {
            Ok(()) => true,
            Err(why) => {
                eprintln!("kiln: --limit: {why}");
                false
            }
        }
    }
}

/// `--tags`, `--skip-tags`, `--start-at`: the ops of the manifest a command works on.
#[derive(Args, Debug, Default)]
pub struct SelectOption {
    /// Only ops with one of these tags (comma-separated), and ops tagged `always`; `all`,
    /// `tagged` and `untagged` select as in Ansible. Ops tagged `never` run only when one of
    /// their tags is asked for.
    #[arg(long, value_name = "TAGS", value_delimiter = ',')]
    pub tags: Vec<String>,
    /// Leave out ops with one of these tags (comma-separated; `always` ones too).
    #[arg(long = "skip-tags", value_name = "TAGS", value_delimiter = ',')]
    pub skip_tags: Vec<String>,
    /// Start at the op of this id (its `id`, else `file:line`, as reports show it),
    /// leaving out the ops before it.
    #[arg(long = "start-at", value_name = "ID")]
    pub start_at: Option<String>,
}

impl SelectOption {
    /// Keeps the ops of `compiled` asked for; false (reported) when a tag or the id is on
    /// no op.
    pub fn narrow(&self, project: &Project, compiled: &mut crate::check::Compiled) -> bool {
        let selection = Selection {
            tags: self.tags.clone(),
            skip_tags: self.skip_tags.clone(),
            start_at: self.start_at.clone(),
        };
        match selection.apply(&project.sources, compiled) {
            Ok(()) => true,
            Err(why) => {
                eprintln!("kiln: {why}");
                false
            }
        }
    }
}

/// How diagnostics and reports are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Graphical, for people (colour on a terminal unless NO_COLOR is set).
    #[default]
    Human,
    /// One JSON document on stdout.
    Json,
    /// GitHub Actions workflow annotations on stdout.
    Github,
}

fn parse_extra_var(text: &str) -> Result<Vec<(String, Value)>, String> {
    if text.trim_start().starts_with('{') {
        let json: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
        let serde_json::Value::Object(map) = json else {
            return Err("expected a JSON object".into());
        };
        let nowhere = crate::source::Span::new(crate::source::FileId(0), 0..0);
        return map
            .into_iter()
            .map(|(k, v)| {
                let value = crate::model::value::from_json(v, nowhere)
                    .map_err(|_| format!("`{k}` is null; leave it out instead"))?;
                Ok((k, value.value))
            })
            .collect();
    }
    let (name, value) = text.split_once('=').ok_or("expected NAME=VALUE")?;
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if !valid {
        return Err(format!(
            "`{name}` is not a variable name (letters, digits and `_`)"
        ));
    }
    Ok(vec![(name.to_owned(), Value::Str(value.to_owned()))])
}

/// Writes to standard output like `print!`. When the reader has gone away
/// (`kiln ... | head`), ends the process quietly instead of panicking, like any Unix filter
/// (SIGPIPE stays ignored: kiln writes to its children's pipes too, and must survive a
/// child that exits early).
pub fn write_out(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = stdout.write_fmt(args).and_then(|()| stdout.flush())
        && error.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(141);
    }
}

/// `println!` through [`write_out`].
macro_rules! outln {
    () => { $crate::cli::write_out(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::cli::write_out(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `print!` through [`write_out`].
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::write_out(format_args!($($arg)*)) };
}

pub(crate) use {out, outln};

pub fn main() -> ExitCode {
    passwords::take_from_environment();
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Emit(args) => emit::run(args),
        Command::Plan(args) => live::plan(args),
        Command::Apply(args) => live::apply(args),
        Command::Audit(args) => audit::run(args),
        Command::Bundle(args) => bundle::run(args),
        Command::Facts(args) => live::facts(args),
        Command::Exec(args) => live::exec(args),
        Command::Put(args) => transfer::put(args),
        Command::Fetch(args) => transfer::fetch(args),
        Command::Inventory(args) => inventory::run(args),
        Command::PullUnits(args) => pull::run(args),
        Command::Report(args) => report::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Init(args) => init::run(args),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "kiln", &mut script);
            out!("{}", String::from_utf8_lossy(&script));
            0
        }
    };
    ExitCode::from(code)
}
