//! `kiln audit`: per host, the report of everything its script will do, for a reviewer
//! (`DIR/HOST.md` and `DIR/HOST.html`, made by `crate::audit`).

use std::path::PathBuf;

use clap::Args;

use crate::audit::Report;
use crate::project::Project;

use super::targets::ScriptTargets;
use super::{Format, output};

#[derive(Args, Debug)]
pub(super) struct AuditArgs {
    #[command(flatten)]
    targets: ScriptTargets,
    /// Write `DIR/<host>.md` and `DIR/<host>.html` for every host.
    #[arg(short = 'o', long = "out-dir", value_name = "DIR", required = true)]
    out_dir: PathBuf,
    /// Output format for diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub(super) fn run(args: AuditArgs) -> u8 {
    let mut project = args.targets.inventory.project();
    let reports = reports(&args, &mut project);
    let diagnostics = project.take_diagnostics();
    output::print(&project.sources, &diagnostics, args.format);
    let Some(reports) = reports else {
        return 1;
    };
    if output::exit_code(&diagnostics, false) != 0 {
        return 1;
    }
    for report in &reports {
        for (extension, text) in [
            ("md", crate::audit::markdown(report)),
            ("html", crate::audit::html(report)),
        ] {
            let path = args.out_dir.join(format!("{}.{extension}", report.host));
            let written =
                std::fs::create_dir_all(&args.out_dir).and_then(|()| std::fs::write(&path, text));
            match written {
                Ok(()) => eprintln!("wrote {}", path.display()),
                Err(error) => {
                    eprintln!("kiln: cannot write {}: {error}", path.display());
                    return 1;
                }
            }
        }
    }
    0
}

/// Compiles, binds and lowers for every host, and makes each host's report; `None` when
/// the manifest, the inventory or the facts cannot be read (reported).
fn reports(args: &AuditArgs, project: &mut Project) -> Option<Vec<Report>> {
    let (compiled, inventory) = args.targets.compile(project)?;
    let facts = args.targets.facts(project, &compiled, &inventory)?;
    let reports = Report::of_hosts(
        &project.sources,
        &compiled,
        &inventory.hosts,
        &facts,
        &mut project.diagnostics,
    );
    Some(reports.into_iter().flatten().collect())
}
