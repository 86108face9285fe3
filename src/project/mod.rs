//! The pipeline, driven once for every command: a [`Project`] loads the entry manifest
//! and the inventory, compiles, and binds and emits per host.
//!
//! Each stage is one method that returns its product and pushes its problems onto the
//! project's diagnostics, so a command picks the stages it needs (`check` stops after
//! compiling, `emit` writes the scripts, a live run makes each host's script once it has
//! the host's facts, [`Scripts`]) and reports everything at the end; no command calls the
//! stages' modules itself. The project also decides which hosts need their facts
//! ([`needs_facts`]), from what the ops and templates actually read.

pub mod needs_facts;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::bind::Secrets;
use crate::check::{Compiled, Context};
use crate::diagnostic::render::{HumanStyle, human};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::facts::Facts;
use crate::inventory::{ExtraVar, Host, Inventory, Target};
use crate::model::Value;
use crate::source::{FileId, SourceMap, Span};

pub use needs_facts::FactsNeed;

/// One run of the pipeline: the sources read so far, the problems found so far, and the
/// command line's variables (`-e`, `--secrets-file`), which every stage sees.
#[derive(Default)]
pub struct Project {
    pub sources: SourceMap,
    pub diagnostics: Diagnostics,
    /// Scripts keep every op its own step (`kiln emit --no-fuse`): no fused runs.
    pub no_fuse: bool,
    extra_vars: Vec<ExtraVar>,
}

impl Project {
    /// A project with the command line's variables: `extra_vars` (`-e`), then the secrets
    /// files (reported when they cannot be read).
    pub fn new(extra_vars: &[(String, Value)], secrets_files: &[String]) -> Project {
        let mut project = Project {
            extra_vars: extra_vars
                .iter()
                .map(|(name, value)| ExtraVar {
                    name: name.clone(),
                    value: value.clone(),
                    secret: false,
                })
                .collect(),
            ..Project::default()
        };
        for file in secrets_files {
            let secrets = crate::inventory::secrets_file::read(
                &mut project.sources,
                file,
                &mut project.diagnostics,
            );
            project.extra_vars.extend(secrets);
        }
        project
    }

    /// The entry manifests `path` names: a file is itself; a directory is its `main.toml`
    /// and `main.kdl`. None (reported) when a directory has neither.
    pub fn entries(&mut self, path: &Path) -> Vec<PathBuf> {
        let entries = if path.is_dir() {
            ["main.toml", "main.kdl"]
                .iter()
                .map(|name| path.join(name))
                .filter(|p| p.is_file())
                .collect()
        } else {
            vec![path.to_path_buf()]
        };
        if entries.is_empty() {
            let file = self.sources.add(path, String::new());
            self.diagnostics.push(
                Diagnostic::new(
                    Code::IncludeNotFound,
                    Span::new(file, 0..0),
                    format!("{} has no main.toml or main.kdl", path.display()),
                )
                .help("name a manifest file, or a directory holding main.toml or main.kdl"),
            );
        }
        entries
    }

    /// The one entry manifest of `path` (a directory's `main.toml`, else its `main.kdl`).
    pub fn entry(&mut self, path: &Path) -> Option<PathBuf> {
        self.entries(path).into_iter().next()
    }

    /// The inventory from `specs` (files, programs, targets); none given: `@local`.
    pub fn load_inventory(&mut self, specs: &[String]) -> Inventory {
        crate::inventory::load(
            &mut self.sources,
            specs,
            &self.extra_vars,
            &mut self.diagnostics,
        )
    }

    /// The project's own inventory, `inventory.toml` or `inventory.kdl`, in the directory
    /// `path` names or beside the manifest file it names; none when there is neither.
    pub fn project_inventory(&mut self, path: &Path) -> Option<Inventory> {
        let dir = if path.is_dir() { path } else { path.parent()? };
        let file = ["inventory.toml", "inventory.kdl"]
            .iter()
            .map(|name| dir.join(name))
            .find(|p| p.is_file())?;
        Some(self.load_inventory(&[file.display().to_string()]))
    }

    /// The hosts a run on the project at `path` works on: `specs` when given, else the
    /// project's inventory, else `@local`.
    pub fn inventory(&mut self, specs: &[String], path: &Path) -> Inventory {
        if specs.is_empty()
            && let Some(inventory) = self.project_inventory(path)
        {
            return inventory;
        }
        self.load_inventory(specs)
    }

    /// Checks the manifest at `entry` and everything it includes, against `inventory`'s
    /// hosts, groups and variables when there is one.
    pub fn compile(&mut self, entry: &Path, inventory: Option<&Inventory>) -> Option<Compiled> {
        let context = Context {
            inventory,
            extra_vars: &self.extra_vars,
        };
        crate::check::compile(&mut self.sources, entry, &context, &mut self.diagnostics)
    }

    /// Every host's facts for emitting: read from `given` (a file for every host, or a
    /// directory of `HOST.json`), else gathered here for a `@local` host whose script
    /// reads them, else unknown. `Err` names the host whose facts cannot be had.
    pub fn facts(
        &self,
        compiled: &Compiled,
        inventory: &Inventory,
        given: Option<&Path>,
    ) -> Result<Vec<Option<Facts>>, String> {
        let need = FactsNeed::of(&self.sources, compiled);
        inventory
            .hosts
            .iter()
            .map(|host| {
                host_facts(given, host, need.host(host))
                    .map_err(|why| format!("facts for {}: {why}", host.name))
            })
            .collect()
    }

    /// Binds and emits the script of every host, in parallel (hosts are independent), in
    /// the inventory's order. `facts[i]` are the facts of `inventory.hosts[i]`, when known.
    /// Hosts whose script cannot be made are left out, with their diagnostics reported.
    pub fn scripts(
        &mut self,
        compiled: &Compiled,
        inventory: &Inventory,
        facts: &[Option<Facts>],
    ) -> Vec<(String, String)> {
        let mut scripts = Scripts::new(&self.sources, compiled);
        scripts.fuse = !self.no_fuse;
        let results: Vec<(Option<(String, String)>, Diagnostics)> = inventory
            .hosts
            .par_iter()
            .enumerate()
            .map(|(i, host)| {
                let mut diagnostics = Diagnostics::default();
                let host_facts = facts.get(i).and_then(Option::as_ref);
                let (script, _) = scripts.emit(host, host_facts, &mut diagnostics);
                let script = script.map(|(script, _)| (host.name.clone(), script));
                (script, diagnostics)
            })
            .collect();
        let mut made = Vec::with_capacity(results.len());
        for (script, diagnostics) in results {
            self.diagnostics.extend(diagnostics);
            made.extend(script);
        }
        made
    }

    /// The diagnostics so far, sorted by place; the project keeps none.
    pub fn take_diagnostics(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.diagnostics).sorted()
    }
}

/// Facts for one host: from `given`, else gathered for `@local` when `needed`, else
/// unknown.
fn host_facts(given: Option<&Path>, host: &Host, needed: bool) -> Result<Option<Facts>, String> {
    let read = |path: &Path| -> Result<Option<Facts>, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let json = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Some(Facts(json)))
    };
    match given {
        Some(dir) if dir.is_dir() => read(&dir.join(format!("{}.json", host.name))),
        Some(file) => read(file),
        None if needed && host.target == Target::Local => {
            crate::facts::local().map(Some).map_err(|e| e.to_string())
        }
        None => Ok(None),
    }
}

/// The host's script, its number of ops (handlers not counted) and its secrets; or why it
/// cannot be made, rendered for the host's report.
pub struct HostScript {
    pub made: Result<(String, usize), String>,
    pub secrets: Secrets,
}

/// What every host's script is made from: the checked manifest, bound per host and
/// emitted, with the facts the host has (a live run gathers them first, for the hosts that
/// [`Scripts::needs_facts`]).
pub struct Scripts<'a> {
    sources: &'a SourceMap,
    compiled: &'a Compiled,
    /// The manifest files, named in the scripts' headers.
    files: Vec<String>,
    facts: FactsNeed,
    /// Whether runs of ops are fused (`crate::emit::script`); true unless changed.
    pub fuse: bool,
}

impl<'a> Scripts<'a> {
    pub fn new(sources: &'a SourceMap, compiled: &'a Compiled) -> Self {
        let files = (0..sources.len())
            .map(|i| sources.file(FileId(i as u32)).name.clone())
            .filter(|name| crate::syntax::Format::of(Path::new(name)).is_some())
            .collect();
        Scripts {
            sources,
            compiled,
            files,
            facts: FactsNeed::of(sources, compiled),
            fuse: true,
        }
    }

    /// Whether `host`'s script reads the host's facts, which must then be gathered first.
    pub fn needs_facts(&self, host: &Host) -> bool {
        self.facts.host(host)
    }

    /// Binds and emits `host`'s script: the script and its number of ops, or `None`
    /// (reported); and the host's secrets, once it is bound.
    fn emit(
        &self,
        host: &Host,
        facts: Option<&Facts>,
        diagnostics: &mut Diagnostics,
    ) -> (Option<(String, usize)>, Secrets) {
        let Some(plan) = crate::bind::bind(self.sources, self.compiled, host, facts, diagnostics)
        else {
            return (None, Secrets::default());
        };
        let script = crate::emit::script(self.sources, &plan, &self.files, self.fuse, diagnostics);
        (script.map(|s| (s, plan.ops.len())), plan.secrets)
    }

    /// `host`'s script, made with `facts`; its problems rendered as text when it cannot be.
    pub fn make(&self, host: &Host, facts: Option<&Facts>) -> HostScript {
        let mut diagnostics = Diagnostics::default();
        let (script, secrets) = self.emit(host, facts, &mut diagnostics);
        let made = script.ok_or_else(|| {
            let rendered = human(
                self.sources,
                &diagnostics.sorted(),
                HumanStyle {
                    color: false,
                    width: 100,
                },
            );
            format!("cannot make the script for this host\n{rendered}")
        });
        HostScript { made, secrets }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name)
    }

    #[test]
    fn the_quickstart_goes_through_every_stage_without_facts() {
        let root = tempfile::tempdir().unwrap();
        let root_var = (
            "root".to_owned(),
            Value::Str(root.path().display().to_string()),
        );
        let mut project = Project::new(&[root_var], &[]);
        let path = example("quickstart");
        let entry = project.entry(&path).unwrap();
        assert_eq!(entry, path.join("main.toml"));
        let inventory = project.inventory(&[], &path);
        let hosts: Vec<&str> = inventory.hosts.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(hosts, ["@local"]);
        let compiled = project.compile(&entry, Some(&inventory)).unwrap();
        assert_eq!(compiled.ops.len(), 9);
        // Its ops and its template read no facts: none are gathered, even for `@local`.
        let facts = project.facts(&compiled, &inventory, None).unwrap();
        assert_eq!(facts, [None]);
        let scripts = project.scripts(&compiled, &inventory, &facts);
        let diagnostics = project.take_diagnostics();
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let [(host, script)] = scripts.as_slice() else {
            panic!("one script: {scripts:?}");
        };
        assert_eq!(host, "@local");
        assert!(script.starts_with("#!/bin/sh\n"));
        assert!(script.contains(&format!("{}/etc/motd", root.path().display())));
        assert!(
            !script.contains("k_gather"),
            "no facts gathered on the host"
        );
    }

    #[test]
    fn a_project_inventory_is_used_and_its_hosts_need_the_facts_a_when_reads() {
        let mut project = Project::default();
        let path = example("webserver");
        let inventory = project.inventory(&[], &path);
        assert_eq!(inventory.hosts.len(), 3);
        let entry = project.entry(&path).unwrap();
        let compiled = project.compile(&entry, Some(&inventory)).unwrap();
        assert!(!project.diagnostics.has_errors());
        let scripts = Scripts::new(&project.sources, &compiled);
        assert!(inventory.hosts.iter().all(|host| scripts.needs_facts(host)));
        // Without facts, the condition over them is decided on the host.
        let made = scripts.make(&inventory.hosts[0], None);
        let (script, ops) = made.made.unwrap();
        assert_eq!(ops, compiled.ops.len());
        assert!(script.contains("k_gather"));
    }

    #[test]
    fn a_directory_without_a_manifest_is_reported_with_a_hint() {
        let dir = tempfile::tempdir().unwrap();
        let mut project = Project::default();
        assert_eq!(project.entry(dir.path()), None);
        let diagnostics = project.take_diagnostics();
        let [diagnostic] = diagnostics.as_slice() else {
            panic!("one diagnostic: {diagnostics:?}");
        };
        assert_eq!(diagnostic.code, Code::IncludeNotFound);
        assert!(diagnostic.message.ends_with("has no main.toml or main.kdl"));
    }
}
