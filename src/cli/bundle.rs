//! `kiln bundle`: one verifiable, reproducible archive per host, with its script and the
//! apt or dnf packages it installs (`crate::bundle` makes and checks them); and `kiln bundle
//! verify`, which checks one on the controller as the host would.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::project::Project;

use super::emit::Pending;
use super::targets::ScriptTargets;
use super::{Format, output};

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(super) struct BundleArgs {
    #[command(subcommand)]
    command: Option<BundleCommand>,
    #[command(flatten)]
    make: MakeArgs,
}

#[derive(Subcommand, Debug)]
enum BundleCommand {
    /// Check a bundle: every file against its SHA256SUMS, and the signature of that list
    /// against an OpenSSH allowed-signers file.
    Verify(VerifyArgs),
}

#[derive(Args, Debug)]
struct MakeArgs {
    #[command(flatten)]
    targets: ScriptTargets,
    /// Write `DIR/<host>.tar` for every host.
    #[arg(short = 'o', long = "out-dir", value_name = "DIR", required = true)]
    out_dir: Option<PathBuf>,
    /// A sources.list line apt fetches the hosts' packages from, on this machine
    /// (`deb [trusted=yes] http://deb.debian.org/debian bookworm main`). Repeatable;
    /// needed when the manifest installs apt packages.
    #[arg(long = "apt-source", value_name = "LINE")]
    apt_sources: Vec<String>,
    /// The base URL of a repository dnf fetches the hosts' packages from, on this machine
    /// (`https://dl.rockylinux.org/pub/rocky/$releasever/BaseOS/$basearch/os/`). Repeatable;
    /// needed when the manifest installs dnf or yum packages.
    #[arg(long = "dnf-repo", value_name = "URL")]
    dnf_repos: Vec<String>,
    /// Sign each bundle's SHA256SUMS with this OpenSSH private key (`ssh-keygen -Y sign`).
    #[arg(long = "sign-key", value_name = "KEY")]
    sign_key: Option<PathBuf>,
    /// Output format for diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Args, Debug)]
struct VerifyArgs {
    /// The bundle, `HOST.tar`.
    #[arg(value_name = "BUNDLE")]
    bundle: PathBuf,
    /// An OpenSSH allowed-signers file naming the keys allowed to sign bundles.
    #[arg(long = "allowed-signers", value_name = "FILE")]
    allowed_signers: PathBuf,
    /// The signer's identity in that file (default: whichever principal the key is).
    #[arg(long, value_name = "ID")]
    identity: Option<String>,
}

pub(super) fn run(args: BundleArgs) -> u8 {
    match args.command {
        Some(BundleCommand::Verify(args)) => verify(&args),
        None => make(&args.make),
    }
}

fn verify(args: &VerifyArgs) -> u8 {
    let name = args.bundle.display();
    let archive = match std::fs::read(&args.bundle) {
        Ok(archive) => archive,
        Err(error) => {
            eprintln!("kiln: {name}: {error}");
            return 1;
        }
    };
    match crate::bundle::verify(&archive, &args.allowed_signers, args.identity.as_deref()) {
        Ok(verified) => {
            super::outln!(
                "{name}: the bundle of {}, {} files, all as listed in SHA256SUMS, signed by {}",
                verified.host,
                verified.files,
                verified.signer
            );
            0
        }
        Err(problems) => {
            for problem in problems {
                eprintln!("kiln: {name}: {problem}");
            }
            eprintln!("kiln: {name}: the bundle is not intact: do not run it");
            1
        }
    }
}

fn make(args: &MakeArgs) -> u8 {
    let mut project = args.targets.inventory.project();
    let made = bundles(args, &mut project);
    let diagnostics = project.take_diagnostics();
    output::print(&project.sources, &diagnostics, args.format);
    let bundles = match made {
        Ok(bundles) if output::exit_code(&diagnostics, false) == 0 => bundles,
        Ok(_) => return 1,
        Err(why) => {
            if let Some(why) = why {
                eprintln!("kiln: {why}");
            }
            return 1;
        }
    };
    let dir = args.out_dir.as_deref().unwrap_or(std::path::Path::new("."));
    // Every bundle, or none: each appears under its name only once all were written.
    let mut pending = Vec::new();
    for (host, archive) in bundles {
        let write = |out: &mut dyn Write| out.write_all(&archive);
        match Pending::write(&dir.join(format!("{host}.tar")), &write) {
            Ok(file) => pending.push(file),
            Err(error) => {
                eprintln!("kiln: {error}");
                pending.into_iter().for_each(Pending::abandon);
                return 1;
            }
        }
    }
    let mut status = 0;
    for file in pending {
        match file.commit() {
            Ok(path) => eprintln!("wrote {}", path.display()),
            Err(error) => {
                eprintln!("kiln: {error}");
                status = 1;
            }
        }
    }
    status
}

/// Each host's bundle, by host name; `Err` when one cannot be made (with why, unless it
/// is among the project's diagnostics).
fn bundles(
    args: &MakeArgs,
    project: &mut Project,
) -> Result<Vec<(String, Vec<u8>)>, Option<String>> {
    let (compiled, inventory) = args.targets.compile(project).ok_or(None)?;
    let mtime = source_date_epoch()?;
    let facts = args
        .targets
        .facts(project, &compiled, &inventory)
        .ok_or(None)?;
    let scripts = project.write_scripts(&compiled, &inventory, &facts, |_, write| {
        let mut script = Vec::new();
        write(&mut script)?;
        Ok(script)
    });
    let audits = crate::audit::Report::of_hosts(
        &project.sources,
        &compiled,
        &inventory.hosts,
        &facts,
        &mut project.diagnostics,
    );
    let mut wanted = Vec::new();
    for (host, facts) in inventory.hosts.iter().zip(&facts) {
        // The script's own making reported what cannot be bound; nothing twice.
        let plan = crate::bind::bind(
            &project.sources,
            &compiled,
            host,
            facts.as_ref(),
            &mut crate::diagnostic::Diagnostics::default(),
        );
        let packages = match plan {
            Some(plan) => {
                crate::bundle::refuse_network(&plan, &mut project.diagnostics);
                crate::bundle::packages(&plan, facts.as_ref(), &mut project.diagnostics)
            }
            None => crate::bundle::Wanted::default(),
        };
        let local = matches!(host.target, crate::inventory::Target::Local);
        wanted.push((packages, facts.as_ref().map(|f| &f.0), local));
    }
    if project.diagnostics.has_errors() {
        return Err(None);
    }
    // Hosts that install the same packages for the same architecture (and release) share
    // one fetch.
    let mut fetched: HashMap<Fetch, crate::bundle::Files> = HashMap::new();
    let mut bundles = Vec::new();
    for (((name, script), (packages, facts, local)), audit) in
        scripts.into_iter().zip(wanted).zip(audits)
    {
        let script = script.map_err(|e| Some(e.to_string()))?;
        let in_host = |why: String| Some(format!("{name}: {why}"));
        let files = match Fetch::of(packages, facts, local).map_err(in_host)? {
            None => Vec::new(),
            Some(key) => {
                if !fetched.contains_key(&key) {
                    let files = key.fetch(args, mtime).map_err(in_host)?;
                    fetched.insert(key.clone(), files);
                }
                fetched[&key].clone()
            }
        };
        let audit = audit.map(|mut report| {
            report.carried = crate::bundle::carried(&files);
            (crate::audit::markdown(&report), crate::audit::html(&report))
        });
        let contents = crate::bundle::Contents {
            host: &name,
            script: &script,
            audit: audit.as_ref(),
            packages: files,
            sign_key: args.sign_key.as_deref(),
            mtime,
        };
        bundles.push((
            name.clone(),
            crate::bundle::build(&contents).map_err(in_host)?,
        ));
    }
    Ok(bundles)
}

/// What one fetch of packages is: for which manager, packages, architecture and release.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Fetch {
    /// For `crate::bundle::fetch_apt`: the dpkg architecture, the packages with their
    /// Recommends, those without.
    Apt(String, Vec<String>, Vec<String>),
    /// For `crate::bundle::fetch_dnf`: the host's `uname -m`, its `$releasever`, the packages.
    Dnf(Option<String>, Option<String>, Vec<String>),
}

impl Fetch {
    /// The fetch a host with these `facts` (`local`: the host is `@local`, this machine)
    /// needs for the packages it installs, if any.
    fn of(
        wanted: crate::bundle::Wanted,
        facts: Option<&serde_json::Value>,
        local: bool,
    ) -> Result<Option<Fetch>, String> {
        let machine = facts.and_then(|f| f.get("arch")?.as_str());
        let apt = !wanted.apt.is_empty() || !wanted.apt_no_recommends.is_empty();
        // This machine's architecture is a fact of `@local` only: another host's would be
        // a guess.
        if machine.is_none() && !local && (apt || !wanted.dnf.is_empty()) {
            return Err("its architecture is unknown, and its packages are fetched for it: give its facts with `--facts` (`kiln facts HOST --json` writes them), whose `arch` says it".into());
        }
        match (apt, wanted.dnf.is_empty()) {
            (false, true) => Ok(None),
            (true, true) => Ok(Some(Fetch::Apt(
                crate::bundle::architecture(machine)?,
                wanted.apt,
                wanted.apt_no_recommends,
            ))),
            (false, false) => Ok(Some(Fetch::Dnf(
                machine.map(str::to_owned),
                facts.and_then(crate::bundle::release),
                wanted.dnf,
            ))),
            (true, false) => Err(
                "its script installs both apt and dnf packages, and a host has one package manager: a bundle carries one's packages (decide with `when` on `pkg.manager`, or `--skip-tags`)".into(),
            ),
        }
    }

    /// The files of the bundle's `packages/`, fetched from the sources `args` names.
    fn fetch(&self, args: &MakeArgs, mtime: u64) -> Result<crate::bundle::Files, String> {
        match self {
            Fetch::Apt(arch, packages, no_recommends) => {
                crate::bundle::fetch_apt(packages, no_recommends, &args.apt_sources, arch)
            }
            Fetch::Dnf(machine, release, packages) => crate::bundle::fetch_dnf(
                packages,
                &args.dnf_repos,
                machine.as_deref(),
                release.as_deref(),
                mtime,
            ),
        }
    }
}

/// The time every entry of a bundle bears: `SOURCE_DATE_EPOCH` (seconds), else 0.
fn source_date_epoch() -> Result<u64, String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(text) => text
            .trim()
            .parse()
            .map_err(|_| format!("SOURCE_DATE_EPOCH=`{text}` is not a number of seconds")),
        Err(_) => Ok(0),
    }
}
