//! The inventory: which hosts there are, how to reach them, and their variables.
//!
//! Hosts come from inventory files (TOML or KDL), from inventory programs that print JSON,
//! and from targets on the command line (`@local`, `ssh://user@host:port`, ...). Variables
//! merge by precedence, lowest first:
//!
//! 1. the manifest's `vars` (defaults; applied at bind time, not here),
//! 2. the inventory's top-level `vars` (every host),
//! 3. group `vars`, parent groups before their `children`, then by group name,
//! 4. the host's own `vars`,
//! 5. `-e NAME=VALUE` and `--secrets-file` from the command line.
//!
//! A later level replaces a whole value; tables are not merged key by key (as in Ansible's
//! default). Each level may mark variables secret (`secrets` beside `vars`); a variable is
//! secret on a host when any level that gives it a value for that host marks it so, so
//! overriding a secret with a plain value never makes it shown.
//!
//! For an op in an included file, two more levels come in: the included file's own `vars`
//! are defaults too (above the includer's, below the inventory), and the include's `vars`
//! sit above the host's own variables, below `-e`. With nested includes, the inner one wins
//! at each of these levels (the chain is applied outermost first; see `bind::vars`).

mod dynamic;
mod limit;
mod resolve;
pub mod secrets_file;
pub mod shard;
pub mod target;

use std::path::Path;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{InventoryFile, Value};
use crate::source::{SourceMap, Span};

pub use target::Target;

/// A resolved host.
#[derive(Clone, Debug, PartialEq)]
pub struct Host {
    pub name: String,
    pub target: Target,
    /// `all` first, then the groups it belongs to in precedence order.
    pub groups: Vec<String>,
    /// Merged variables, in first-defined order.
    pub vars: Vec<HostVar>,
}

#[derive(Clone, Debug)]
pub struct HostVar {
    pub name: String,
    pub value: Value,
    /// Where the winning value was written (none for the command line).
    pub span: Option<Span>,
    /// Which level it came from: `inventory`, `group NAME`, `host`, `-e`, `--secrets-file`.
    pub origin: String,
    /// Its value is never shown (see the module docs).
    pub secret: bool,
}

impl HostVar {
    /// Whether it was given on the command line, the level above include parameters.
    pub fn from_command_line(&self) -> bool {
        self.origin == "-e" || self.origin == SECRETS_FILE
    }
}

/// Where a value was written is not what it is: the same inventory in two spellings
/// resolves to equal hosts.
impl PartialEq for HostVar {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.value == other.value
            && self.origin == other.origin
            && self.secret == other.secret
    }
}

/// The origin of variables read from `--secrets-file`.
pub const SECRETS_FILE: &str = "--secrets-file";

/// A variable given on the command line: `-e NAME=VALUE`, or a secret from
/// `--secrets-file`.
#[derive(Clone, Debug, PartialEq)]
pub struct ExtraVar {
    pub name: String,
    pub value: Value,
    pub secret: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Inventory {
    pub hosts: Vec<Host>,
    /// Group names, in precedence order (`all` first).
    pub groups: Vec<String>,
}

impl Inventory {
    pub fn host(&self, name: &str) -> Option<&Host> {
        self.hosts.iter().find(|h| h.name == name)
    }

    pub fn has_group(&self, name: &str) -> bool {
        self.groups.iter().any(|g| g == name)
    }

    pub fn group_names(&self) -> impl Iterator<Item = &str> {
        self.groups.iter().map(String::as_str)
    }

    /// Every variable name any host has.
    pub fn variable_names(&self) -> impl Iterator<Item = String> + '_ {
        self.hosts
            .iter()
            .flat_map(|h| h.vars.iter().map(|v| v.name.clone()))
    }
}

/// Builds the inventory from `-i` arguments (files, programs or targets) and `-e` variables.
/// With no arguments, the inventory is `@local`.
pub fn load(
    sources: &mut SourceMap,
    specs: &[String],
    extra_vars: &[ExtraVar],
    diagnostics: &mut Diagnostics,
) -> Inventory {
    let mut files: Vec<InventoryFile> = Vec::new();
    let mut targets: Vec<(String, Target)> = Vec::new();
    let specs: Vec<String> = if specs.is_empty() {
        vec!["@local".into()]
    } else {
        specs.to_vec()
    };
    for spec in &specs {
        match Target::parse(spec) {
            Some(Ok(target)) => targets.push((spec.clone(), target)),
            Some(Err(why)) => diagnostics.push(command_line_error(sources, spec, &why)),
            None => {
                let path = Path::new(spec);
                if path.is_file()
                    && crate::syntax::Format::of(path).is_none()
                    && dynamic::is_executable(path)
                {
                    if let Some(file) = dynamic::run(sources, path, diagnostics) {
                        files.push(file);
                    }
                } else if crate::syntax::Format::of(path).is_some() || path.exists() {
                    let Some(id) = crate::syntax::read_source(sources, path, None, diagnostics)
                    else {
                        continue;
                    };
                    if let Some(file) = crate::syntax::inventory(sources, id, diagnostics) {
                        files.push(file);
                    }
                } else if spec.contains(['/', ' ']) {
                    diagnostics.push(command_line_error(sources, spec, "no such inventory file"));
                } else {
                    // A bare name is a host reached over SSH, as with `ssh NAME`.
                    targets.push((
                        spec.clone(),
                        Target::Ssh {
                            user: None,
                            address: spec.clone(),
                            port: None,
                        },
                    ));
                }
            }
        }
    }
    resolve::resolve(files, targets, extra_vars, diagnostics)
}

/// A diagnostic about a command-line argument, shown against the argument itself.
fn command_line_error(sources: &mut SourceMap, spec: &str, why: &str) -> Diagnostic {
    let file = sources.add(Path::new("<command line>"), spec.to_owned());
    Diagnostic::new(Code::InvalidTarget, Span::new(file, 0..spec.len()), format!("invalid target `{spec}`: {why}"))
        .label(why.to_owned())
        .help("targets are an inventory file, an inventory program, `@local`, `ssh://[user@]host[:port]`, `@docker/NAME`, `@podman/NAME` or `@chroot/PATH`")
}
