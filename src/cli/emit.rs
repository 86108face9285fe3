//! `kiln emit`: one standalone POSIX script per host.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::project::Project;

use super::{Format, InventoryOptions, LimitOption, output};

#[derive(Args, Debug)]
pub(super) struct EmitArgs {
    /// The manifest file, or a project directory (its `main.toml`, else `main.kdl`; its
    /// `inventory.toml` / `inventory.kdl` unless `-i` is given).
    #[arg(value_name = "PATH", default_value = ".")]
    path: PathBuf,
    #[command(flatten)]
    inventory: InventoryOptions,
    #[command(flatten)]
    limit: LimitOption,
    /// Write `DIR/<host>.sh` for every host (default: the script on stdout, for one host).
    #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Host facts as JSON (`kiln facts HOST --json`), for `when` conditions and templates
    /// that use `facts`: a file used for every host, or a directory of `<host>.json`.
    /// Facts of `@local` are gathered from this machine when not given and the manifest
    /// reads them.
    #[arg(long, value_name = "FILE|DIR")]
    facts: Option<PathBuf>,
    /// Keep every op its own step: no fused runs (consecutive edits of one file, directories
    /// made, files removed). A debugging aid: the scripts do the same either way.
    #[arg(long)]
    no_fuse: bool,
    /// Output format for diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub(super) fn run(args: EmitArgs) -> u8 {
    let mut project = args.inventory.project();
    project.no_fuse = args.no_fuse;
    let scripts = emit(&args, &mut project);
    let diagnostics = project.take_diagnostics();
    output::print(&project.sources, &diagnostics, args.format);
    let Some(scripts) = scripts else { return 1 };
    if output::exit_code(&diagnostics, false) != 0 {
        return 1;
    }
    match &args.out_dir {
        Some(dir) => {
            for (host, script) in &scripts {
                let path = dir.join(format!("{host}.sh"));
                if let Err(error) = write_atomically(&path, script.as_bytes()) {
                    eprintln!("kiln: cannot write {}: {error}", path.display());
                    return 1;
                }
                eprintln!("wrote {}", path.display());
            }
        }
        None => {
            let [(_, script)] = scripts.as_slice() else {
                eprintln!(
                    "kiln: {} hosts: give `-o DIR` to write one script per host",
                    scripts.len()
                );
                return 2;
            };
            if std::io::stdout().write_all(script.as_bytes()).is_err() {
                return 1;
            }
        }
    }
    0
}

/// Compiles, binds and emits for every host; `None` on errors (reported).
fn emit(args: &EmitArgs, project: &mut Project) -> Option<Vec<(String, String)>> {
    let entry = project.entry(&args.path)?;
    let mut inventory = project.inventory(&args.inventory.inventory, &args.path);
    let compiled = project.compile(&entry, Some(&inventory))?;
    // Ops name hosts and groups of the whole inventory; the limit applies after checking.
    if project.diagnostics.has_errors() || !args.limit.narrow(&mut inventory) {
        return None;
    }
    let facts = match project.facts(&compiled, &inventory, args.facts.as_deref()) {
        Ok(facts) => facts,
        Err(why) => {
            eprintln!("kiln: {why}");
            return None;
        }
    };
    let scripts = project.scripts(&compiled, &inventory, &facts);
    (!project.diagnostics.has_errors()).then_some(scripts)
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename,
/// so a reader never sees half a script. Scripts carry the secret values they write, so
/// the file is its owner's only (0700) from its creation on; the temporary file is created
/// anew (never through a link or a file planted at its name).
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.kiln-tmp",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("script")
    ));
    let result = (|| {
        match std::fs::remove_file(&tmp) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(error),
            _ => {}
        }
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o700)
            .open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
