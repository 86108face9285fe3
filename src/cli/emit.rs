//! `kiln emit`: one standalone POSIX script per host.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use crate::project::Project;

use super::targets::ScriptTargets;
use super::{Format, output};

#[derive(Args, Debug)]
pub(super) struct EmitArgs {
    #[command(flatten)]
    targets: ScriptTargets,
    /// Write `DIR/<host>.sh` for every host (default: the script on stdout, for one host).
    #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Keep every op its own step: no fused runs (consecutive edits of one file, directories
    /// made, files removed). A debugging aid: the scripts do the same either way.
    #[arg(long)]
    no_fuse: bool,
    /// What is written: the scripts, with diagnostics for people (`human`), as JSON or as
    /// GitHub annotations; or `cloud-init`: each script as cloud-config user-data that
    /// writes it (root's, mode 0700) and runs it at first boot (`<host>.user-data` with
    /// `-o`), diagnostics for people. The user-data holds the script's secrets.
    #[arg(long, value_enum, default_value_t = EmitFormat::Human)]
    format: EmitFormat,
}

/// `kiln emit --format`: a format of diagnostics, or the scripts as cloud-init user-data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum EmitFormat {
    Human,
    Json,
    Github,
    CloudInit,
}

impl EmitFormat {
    fn diagnostics(self) -> Format {
        match self {
            EmitFormat::Human | EmitFormat::CloudInit => Format::Human,
            EmitFormat::Json => Format::Json,
            EmitFormat::Github => Format::Github,
        }
    }
}

pub(super) fn run(args: EmitArgs) -> u8 {
    let mut project = args.targets.inventory.project();
    project.no_fuse = args.no_fuse;
    let written = emit(&args, &mut project);
    let diagnostics = project.take_diagnostics();
    output::print(&project.sources, &diagnostics, args.format.diagnostics());
    let written = match written {
        Emitted::Failed => return 1,
        Emitted::TooManyHosts(hosts) => {
            eprintln!("kiln: {hosts} hosts: give `-o DIR` to write one script per host");
            return 2;
        }
        Emitted::Written(written) => written,
    };
    let failed = output::exit_code(&diagnostics, false) != 0;
    let mut status = 0;
    for (_, saved) in &written {
        if let Err(error) = saved {
            eprintln!("kiln: {error}");
            status = 1;
        }
    }
    // Every script, or none: a script appears under its name only once all were made.
    for (_, saved) in written {
        match saved {
            Ok(Saved::File(pending)) if failed || status != 0 => pending.abandon(),
            Ok(Saved::File(pending)) => match pending.commit() {
                Ok(path) => eprintln!("wrote {}", path.display()),
                Err(error) => {
                    eprintln!("kiln: {error}");
                    status = 1;
                }
            },
            Ok(Saved::Stdout) | Err(_) => {}
        }
    }
    if failed { 1 } else { status }
}

/// What `kiln emit` did.
enum Emitted {
    /// Nothing: the manifest, the inventory or the facts could not be read (reported).
    Failed,
    /// Several hosts, and no directory to write their scripts to.
    TooManyHosts(usize),
    /// Each host's script that was made, and what became of it.
    Written(Vec<(String, std::io::Result<Saved>)>),
}

/// Where a host's script went.
enum Saved {
    Stdout,
    /// Into a temporary file, renamed once every script is made.
    File(Pending),
}

/// Compiles, binds and emits for every host, writing each script as it is made.
fn emit(args: &EmitArgs, project: &mut Project) -> Emitted {
    let Some((compiled, inventory)) = args.targets.compile(project) else {
        return Emitted::Failed;
    };
    if args.out_dir.is_none() && inventory.hosts.len() != 1 {
        return Emitted::TooManyHosts(inventory.hosts.len());
    }
    let Some(facts) = args.targets.facts(project, &compiled, &inventory) else {
        return Emitted::Failed;
    };
    let cloud_init = args.format == EmitFormat::CloudInit;
    let written = project.write_scripts(&compiled, &inventory, &facts, |host, script| {
        let user_data = |out: &mut dyn Write| {
            let mut text = Vec::new();
            script(&mut text)?;
            out.write_all(crate::pull::cloud_init(&host.name, &text).as_bytes())
        };
        let (write, extension): (&WriteTo<'_>, _) = if cloud_init {
            (&user_data, "user-data")
        } else {
            (script, "sh")
        };
        match &args.out_dir {
            Some(dir) => Pending::write(&dir.join(format!("{}.{extension}", host.name)), write)
                .map(Saved::File),
            None => {
                let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                write(&mut out)?;
                out.flush()?;
                Ok(Saved::Stdout)
            }
        }
    });
    Emitted::Written(written)
}

/// What writes a host's file (its script, or its user-data) to a writer.
type WriteTo<'a> = dyn Fn(&mut dyn Write) -> std::io::Result<()> + 'a;

/// A script written to a temporary file beside its destination, not yet renamed over it,
/// so a reader never sees half a script, nor some hosts' scripts of a run that failed.
/// Scripts carry the secret values they write, so the file is its owner's only (0700)
/// from its creation on; the temporary file is created anew (never through a link or a
/// file planted at its name).
pub(super) struct Pending {
    tmp: PathBuf,
    path: PathBuf,
}

impl Pending {
    /// Writes the script `write` writes to a temporary beside `path`. A failed write
    /// leaves nothing behind.
    pub(super) fn write(path: &Path, write: &WriteTo) -> std::io::Result<Pending> {
        use std::os::unix::fs::OpenOptionsExt;
        let in_context = |error: std::io::Error| {
            std::io::Error::new(
                error.kind(),
                format!("cannot write {}: {error}", path.display()),
            )
        };
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(in_context)?;
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
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o700)
                .open(&tmp)?;
            let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
            write(&mut out)?;
            out.into_inner()
                .map_err(std::io::IntoInnerError::into_error)?
                .sync_all()
        })();
        match result {
            Ok(()) => Ok(Pending {
                tmp,
                path: path.to_path_buf(),
            }),
            Err(error) => {
                let _ = std::fs::remove_file(&tmp);
                Err(in_context(error))
            }
        }
    }

    /// Renames the script over its destination; its path.
    pub(super) fn commit(self) -> std::io::Result<PathBuf> {
        match std::fs::rename(&self.tmp, &self.path) {
            Ok(()) => Ok(self.path),
            Err(error) => {
                self.abandon_ref();
                Err(std::io::Error::new(
                    error.kind(),
                    format!("cannot write {}: {error}", self.path.display()),
                ))
            }
        }
    }

    /// Removes the script unwritten.
    pub(super) fn abandon(self) {
        self.abandon_ref();
    }

    fn abandon_ref(&self) {
        let _ = std::fs::remove_file(&self.tmp);
    }
}
