//! `kiln pull-units`: the files of pull mode for one host: `kiln-pull.service`,
//! `kiln-pull.timer` and the fetch script `kiln-pull` (made by `crate::pull`).

use std::path::PathBuf;

use clap::Args;

use crate::pull::{FETCH_SCRIPT, Units};

#[derive(Args, Debug)]
pub(super) struct PullUnitsArgs {
    /// The bundle's location: a directory holding `HOST.tar`, an `https://` URL under which
    /// it is, or `git+URL`, a git repository holding it at its top.
    #[arg(long, value_name = "DIR|URL|git+URL")]
    from: String,
    /// The host whose bundle is fetched (`HOST.tar`).
    #[arg(long, value_name = "HOST")]
    host: String,
    /// The allowed-signers file on the host (`ssh-keygen -Y verify -f`).
    #[arg(long, value_name = "FILE", default_value = "/etc/kiln/allowed_signers")]
    allowed_signers: String,
    /// The identity the bundle must be signed by, as the allowed-signers file names it.
    #[arg(long, value_name = "IDENTITY")]
    identity: String,
    /// The certificate authorities (a PEM file on the host) an `https://` bundle server is
    /// checked with, instead of the system's: for a server with a private CA.
    #[arg(long, value_name = "FILE")]
    ca: Option<String>,
    /// The period between the end of a run and the next one, as systemd writes a time
    /// span.
    #[arg(long, value_name = "SPAN", default_value = "30min")]
    every: String,
    /// How many reports are kept (in `/var/lib/kiln-pull/reports/`).
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    keep: u32,
    /// Where the fetch script is installed on the host.
    #[arg(long, value_name = "PATH", default_value = "/usr/local/sbin/kiln-pull")]
    script_path: String,
    /// The directory the three files are written to.
    #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
    out_dir: PathBuf,
}

pub(super) fn run(args: PullUnitsArgs) -> u8 {
    let units = Units {
        script_path: &args.script_path,
        from: &args.from,
        host: &args.host,
        allowed_signers: &args.allowed_signers,
        identity: &args.identity,
        ca: args.ca.as_deref(),
        every: &args.every,
        keep: args.keep,
    };
    if let Some(problem) = units.problem() {
        eprintln!("kiln: {problem}");
        return 2;
    }
    for (name, text, mode) in [
        ("kiln-pull.service", units.service(), 0o644),
        ("kiln-pull.timer", units.timer(), 0o644),
        ("kiln-pull", FETCH_SCRIPT.to_owned(), 0o755),
    ] {
        let path = args.out_dir.join(name);
        match write(&path, &text, mode) {
            Ok(()) => eprintln!("wrote {}", path.display()),
            Err(error) => {
                eprintln!("kiln: cannot write {}: {error}", path.display());
                return 1;
            }
        }
    }
    0
}

fn write(path: &std::path::Path, text: &str, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}
