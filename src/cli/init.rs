//! `kiln init`: a new project to start from — a manifest, an inventory and a template, in
//! TOML or KDL — that `kiln check` passes and that changes nothing outside its own `root`
//! directory when applied. Existing files are never overwritten.

use std::path::{Path, PathBuf};

use clap::Args;

use super::outln;

#[derive(Args, Debug)]
pub(super) struct InitArgs {
    /// The project directory (created if missing).
    #[arg(value_name = "DIR", default_value = ".")]
    dir: PathBuf,
    /// Write the manifest and inventory in KDL instead of TOML.
    #[arg(long)]
    kdl: bool,
}

const MAIN_TOML: &str = r#"# A kiln project. Check it, see what it would do, then do it:
#
#     kiln check .
#     kiln plan .
#     kiln apply .
#
# Ops run top to bottom; each one checks the host first and changes only what differs.
# Every path here is under `root`, a scratch directory, until you point it elsewhere.

[vars]
root = "/tmp/kiln-project"
greeting = "Hello"

[[op]]
op = "files.directory"
path = "{{ root }}/etc"
mode = "0755"

[[op]]
op = "files.template"
src = "templates/motd.j2"
dest = "{{ root }}/etc/motd"
mode = "0644"
"#;

const MAIN_KDL: &str = r#"// A kiln project. Check it, see what it would do, then do it:
//
//     kiln check .
//     kiln plan .
//     kiln apply .
//
// Ops run top to bottom; each one checks the host first and changes only what differs.
// Every path here is under `root`, a scratch directory, until you point it elsewhere.

vars {
    root "/tmp/kiln-project"
    greeting "Hello"
}

files.directory "{{ root }}/etc" mode="0755"

files.template "{{ root }}/etc/motd" src="templates/motd.j2" mode="0644"
"#;

const INVENTORY_TOML: &str = r#"# The hosts this project manages. `kiln plan` and `kiln apply` read this file when no
# `-i` is given. Add SSH hosts as `[hosts.NAME]` with `address`, `user`, `port`.

[hosts.localhost]
connector = "local"
"#;

const INVENTORY_KDL: &str = r#"// The hosts this project manages. `kiln plan` and `kiln apply` read this file when no
// `-i` is given. Add SSH hosts as `host "NAME" address="..." user="..."`.

host "localhost" connector="local"
"#;

const MOTD: &str =
    "{{ greeting }} from {{ host.name }} ({{ facts.os.name | default('unknown OS') }})\n";

pub(super) fn run(args: InitArgs) -> u8 {
    let (main, inventory) = if args.kdl {
        (("main.kdl", MAIN_KDL), ("inventory.kdl", INVENTORY_KDL))
    } else {
        (("main.toml", MAIN_TOML), ("inventory.toml", INVENTORY_TOML))
    };
    let files = [main, inventory, ("templates/motd.j2", MOTD)];
    // A project is one manifest: either spelling already there is in the way.
    let taken: std::collections::BTreeSet<PathBuf> = files
        .iter()
        .map(|(name, _)| *name)
        .chain(["main.toml", "main.kdl", "inventory.toml", "inventory.kdl"])
        .map(|name| args.dir.join(name))
        .filter(|path| path.exists())
        .collect();
    if !taken.is_empty() {
        for path in &taken {
            eprintln!("kiln: {} already exists", path.display());
        }
        eprintln!("kiln: nothing was written (init never overwrites; pick an empty directory)");
        return 1;
    }
    for (name, text) in files {
        if let Err(why) = write_new(&args.dir.join(name), text) {
            eprintln!("kiln: {why}");
            return 1;
        }
        outln!("created {}", args.dir.join(name).display());
    }
    outln!("next: kiln check {0} && kiln plan {0}", args.dir.display());
    0
}

/// Creates `path` (and its directory) with `text`; fails if it appeared meanwhile.
fn write_new(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))
}
