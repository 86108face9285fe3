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
mod reads;
mod select;
mod shared;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::bind::{Binder, BoundOp, Secrets, lockout};
use crate::check::{Compiled, Context};
use crate::diagnostic::render::{HumanStyle, human};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::emit::{Frame, Lowered, OpText, Runtimes};
use crate::facts::Facts;
use crate::inventory::{ExtraVar, Host, Inventory, Target};
use crate::model::Value;
use crate::runtime::call::Index;
use crate::source::{FileId, SourceMap, Span};

pub use needs_facts::FactsNeed;
pub use select::Selection;
use shared::{Shared, SharedOp};

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
        if let Some(dir) = entry.parent() {
            self.sources.set_project_dir(dir);
        }
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
                host_facts(given, host, need.host(host), &compiled.facts)
                    .map_err(|why| format!("facts for {}: {why}", host.name))
            })
            .collect()
    }

    /// Binds and emits the script of every host, in parallel (hosts are independent), each
    /// handed to `save` as soon as it is made: `save` gets the host and a function that
    /// writes the whole script to a writer, and says what became of it (a file, say).
    /// `facts[i]` are the facts of `inventory.hosts[i]`, when known. Ops that bind alike on
    /// every host are lowered once ([`shared`]). Returns what `save` said for each host
    /// whose script was made, in the inventory's order; the others are left out, with
    /// their diagnostics reported.
    pub fn write_scripts<T: Send>(
        &mut self,
        compiled: &Compiled,
        inventory: &Inventory,
        facts: &[Option<Facts>],
        save: impl Fn(&Host, &dyn Fn(&mut dyn Write) -> io::Result<()>) -> io::Result<T> + Sync,
    ) -> Vec<Saved<T>> {
        if !self.refuse_controller_ops(compiled) {
            return Vec::new();
        }
        let mut scripts = Scripts::new(&self.sources, compiled);
        scripts.fuse = !self.no_fuse;
        scripts.run_once_among(&inventory.hosts);
        let handlers: Vec<&str> = scripts.handlers.iter().map(String::as_str).collect();
        let shared = Shared::of(&self.sources, compiled, &inventory.hosts, facts, &handlers);
        let results: Vec<(Option<Saved<T>>, Diagnostics)> = inventory
            .hosts
            .par_iter()
            .enumerate()
            .map(|(i, host)| {
                let mut diagnostics = Diagnostics::default();
                let host_facts = facts.get(i).and_then(Option::as_ref);
                let saved = scripts
                    .lower(host, host_facts, &shared, &mut diagnostics)
                    .map(|(steps, _)| {
                        let write = |out: &mut dyn Write| scripts.write(out, host, &steps);
                        (host.name.clone(), save(host, &write))
                    });
                (saved, diagnostics)
            })
            .collect();
        let mut made = Vec::with_capacity(results.len());
        for (saved, diagnostics) in results {
            self.diagnostics.extend(diagnostics);
            made.extend(saved);
        }
        made
    }

    /// Whether no op of `compiled` needs a controller during the run (`files.get`), which
    /// an emitted script has not; each one that does is reported.
    fn refuse_controller_ops(&mut self, compiled: &Compiled) -> bool {
        let mut none = true;
        for op in compiled.ops.iter().chain(&compiled.handlers) {
            if let crate::check::OpKind::Builtin(def) = &op.kind
                && crate::ops::needs_controller(def)
            {
                none = false;
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::Unsupported,
                        op.origin,
                        "`files.get` copies a file to the controller, and an emitted script runs without one",
                    )
                    .label("needs a live run")
                    .help("run it with `kiln apply` (or `kiln plan`), or leave it out of the emitted scripts with `--skip-tags`"),
                );
            }
        }
        none
    }

    /// The diagnostics so far, sorted by place; the project keeps none.
    pub fn take_diagnostics(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.diagnostics).sorted()
    }
}

/// A host's name, and what became of its script.
type Saved<T> = (String, io::Result<T>);

/// Facts for one host: from `given`, else gathered for `@local` when `needed`, else
/// unknown.
fn host_facts(
    given: Option<&Path>,
    host: &Host,
    needed: bool,
    custom: &[crate::facts::Custom],
) -> Result<Option<Facts>, String> {
    let read = |path: &Path| -> Result<Option<Facts>, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let json = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Some(Facts(json)))
    };
    match given {
        Some(dir) if dir.is_dir() => read(&dir.join(format!("{}.json", host.name))),
        Some(file) => read(file),
        None if needed && host.target == Target::Local => crate::facts::local(custom)
            .map(Some)
            .map_err(|e| e.to_string()),
        None => Ok(None),
    }
}

/// The host's script, its number of ops (handlers not counted) and its secrets; or why it
/// cannot be made, rendered for the host's report.
pub struct HostScript {
    pub made: Result<(String, usize), String>,
    pub secrets: Secrets,
    /// The controller's files the script's `files.get` ops fill, by op index (`3`, `3_0`).
    pub fetches: Vec<(String, PathBuf)>,
}

/// What every host's script is made from: the checked manifest, bound per host and
/// emitted, with the facts the host has (a live run gathers them first, for the hosts that
/// [`Scripts::needs_facts`]).
pub struct Scripts<'a> {
    sources: &'a SourceMap,
    compiled: &'a Compiled,
    /// The manifest files, named in the scripts' headers.
    files: Vec<String>,
    /// The handlers' ids, which ops notify.
    handlers: Vec<String>,
    facts: FactsNeed,
    runtimes: Runtimes,
    /// The host each `run_once` op (and handler, after the ops) runs on, by its place
    /// ([`Scripts::run_once_among`]).
    run_once: Vec<Option<String>>,
    /// Whether runs of like ops are fused (`crate::emit::fuse`); true unless changed.
    pub fuse: bool,
}

impl<'a> Scripts<'a> {
    pub fn new(sources: &'a SourceMap, compiled: &'a Compiled) -> Self {
        let files = (0..sources.len())
            .map(|i| sources.file(FileId(i as u32)).name.clone())
            .filter(|name| crate::syntax::Format::of(Path::new(name)).is_some())
            .collect();
        let handlers = compiled
            .handlers
            .iter()
            .map(|handler| crate::bind::id(handler, &crate::bind::origin(sources, handler)))
            .collect();
        Scripts {
            sources,
            compiled,
            files,
            handlers,
            facts: FactsNeed::of(sources, compiled),
            runtimes: Runtimes::default(),
            run_once: Vec::new(),
            fuse: true,
        }
    }

    /// The custom facts the host's probe gathers too.
    pub fn custom_facts(&self) -> &'a [crate::facts::Custom] {
        &self.compiled.facts
    }

    /// Makes each `run_once` op run on the first of `hosts` (the run's, in inventory order)
    /// it applies to, and be skipped on the others. Without it, every host runs it.
    pub fn run_once_among(&mut self, hosts: &[Host]) {
        let compiled = self.compiled;
        self.run_once = compiled
            .ops
            .iter()
            .chain(&compiled.handlers)
            .map(|op| crate::bind::run_once_host(op, hosts).map(str::to_owned))
            .collect();
    }

    /// Whether `host`'s script reads the host's facts, which must then be gathered first.
    pub fn needs_facts(&self, host: &Host) -> bool {
        self.facts.host(host)
    }

    /// Binds and lowers `host`'s ops, but those of `shared`, which are lowered already:
    /// the host's list of steps, in order (ops, then handlers), or `None` (reported); and
    /// the host's secrets.
    fn lower<'s>(
        &self,
        host: &Host,
        facts: Option<&Facts>,
        shared: &'s Shared,
        diagnostics: &mut Diagnostics,
    ) -> Option<(Vec<(Index, HostStep<'s, 'a>)>, Secrets)> {
        let mut binder = Binder::new(self.sources, self.compiled, host, facts);
        let start_item = self.compiled.start_item.as_deref();
        let runs = binder.runs(&self.compiled.ops, start_item);
        // The firewall ops bound again, by a binder of their own whose problems the host's
        // reports: the lockout check reads them all before any is lowered.
        let mut firewall = Binder::new(self.sources, self.compiled, host, facts);
        let firewall: Vec<BoundOp> = runs
            .iter()
            .filter(|run| lockout::concerns(run.op))
            .map(|run| {
                self.once(
                    run.place,
                    firewall.item(run.op, run.iteration.as_ref()),
                    host,
                )
            })
            .collect();
        let safe = lockout::check(self.sources, host, &firewall, diagnostics);
        let ops = runs.iter().map(|run| {
            let index = match &run.iteration {
                Some(iteration) => Index::Item(run.place + 1, iteration.number),
                None => Index::Op(run.place + 1),
            };
            (run.place, index, run.op, run.iteration.as_ref())
        });
        // A handler's place follows the ops' (as `run_once_among` counts them).
        let first_handler = self.compiled.ops.len();
        let handlers = self.compiled.handlers.iter().enumerate();
        let handlers = handlers.map(|(i, op)| (first_handler + i, Index::Handler(i + 1), op, None));
        let mut steps = Vec::with_capacity(runs.len() + self.compiled.handlers.len());
        let mut lowered = true;
        for (place, index, op, iteration) in ops.chain(handlers) {
            let step = match shared.get(index) {
                Some(shared) => HostStep::Shared(shared),
                None => {
                    let bound = self.once(place, binder.item(op, iteration), host);
                    match crate::emit::lower(self.sources, bound) {
                        Ok(own) => HostStep::Own(Box::new(own)),
                        Err(diagnostic) => {
                            diagnostics.push(diagnostic);
                            lowered = false;
                            continue;
                        }
                    }
                }
            };
            steps.push((index, step));
        }
        let secrets = binder.finish(diagnostics)?;
        (lowered && safe).then_some((steps, secrets))
    }

    /// `host`'s ops, then its handlers, as bound and lowered, each with its index, for a
    /// report of what its script does (`crate::audit`); `None` when the script cannot be
    /// made (its problems pushed onto `diagnostics`).
    pub(crate) fn lowered(
        &self,
        host: &Host,
        facts: Option<&Facts>,
        diagnostics: &mut Diagnostics,
    ) -> Option<Vec<(Index, Lowered<'a>)>> {
        let none = Shared::default();
        let (steps, _) = self.lower(host, facts, &none, diagnostics)?;
        let own = steps.into_iter().filter_map(|(index, step)| match step {
            HostStep::Own(own) => Some((index, *own)),
            HostStep::Shared(_) => None,
        });
        Some(own.collect())
    }

    /// The handlers' ids, by their place (`BoundOp::notify` indexes them).
    pub(crate) fn handler_ids(&self) -> &[String] {
        &self.handlers
    }

    /// `bound`, the op at `place`, skipped on `host` when it runs once, on another host.
    fn once<'c>(&self, place: usize, mut bound: BoundOp<'c>, host: &Host) -> BoundOp<'c> {
        if let Some(Some(first)) = self.run_once.get(place)
            && *first != host.name
            && bound.skip.is_none()
        {
            bound.skip = Some(format!("run_once: runs on {first} only"));
        }
        bound
    }

    /// Writes the script of `host`, whose steps are `steps`, to `out`.
    fn write(
        &self,
        out: &mut dyn Write,
        host: &Host,
        steps: &[(Index, HostStep)],
    ) -> io::Result<()> {
        let handlers: Vec<&str> = self.handlers.iter().map(String::as_str).collect();
        let texts: Vec<Text> = steps
            .iter()
            .map(|(index, step)| match step {
                HostStep::Shared(shared) => Text::Shared(&shared.text),
                HostStep::Own(own) => Text::Own(own.text(*index, &handlers)),
            })
            .collect();
        let texts: Vec<&OpText> = texts.iter().map(Text::get).collect();
        let (ops, handlers) = texts.split_at(op_count(steps));
        let frame = Frame {
            host,
            files: &self.files,
            runtimes: &self.runtimes,
            fuse: self.fuse,
        };
        crate::emit::write(out, &frame, ops, handlers)
    }

    /// `host`'s script, made with `facts`; its problems rendered as text when it cannot be.
    pub fn make(&self, host: &Host, facts: Option<&Facts>) -> HostScript {
        let mut diagnostics = Diagnostics::default();
        let none = Shared::default();
        let Some((steps, secrets)) = self.lower(host, facts, &none, &mut diagnostics) else {
            let rendered = human(
                self.sources,
                &diagnostics.sorted(),
                HumanStyle {
                    color: false,
                    width: 100,
                },
            );
            return HostScript {
                made: Err(format!("cannot make the script for this host\n{rendered}")),
                secrets: Secrets::default(),
                fetches: Vec::new(),
            };
        };
        let fetches = steps
            .iter()
            .filter_map(|(index, step)| match step {
                HostStep::Own(own) => own
                    .step
                    .as_ref()
                    .and_then(|step| step.fetch.clone())
                    .map(|dest| (index.to_string(), dest)),
                HostStep::Shared(_) => None,
            })
            .collect();
        let mut script = Vec::new();
        let made = match self.write(&mut script, host, &steps) {
            Ok(()) => Ok((
                String::from_utf8_lossy(&script).into_owned(),
                op_count(&steps),
            )),
            Err(error) => Err(format!("cannot make the script for this host: {error}")),
        };
        HostScript {
            made,
            secrets,
            fetches,
        }
    }
}

/// How many of a host's steps are ops (each item of a loop one), not handlers.
fn op_count(steps: &[(Index, HostStep)]) -> usize {
    steps
        .iter()
        .filter(|(index, _)| !matches!(index, Index::Handler(_)))
        .count()
}

/// One step of a host's script: lowered once for every host, or for this one. The list of
/// a host's steps is there to be rewritten before it is written (a pass that fuses steps
/// replaces them with its own).
enum HostStep<'s, 'c> {
    Shared(&'s SharedOp),
    Own(Box<Lowered<'c>>),
}

/// An op's text: the shared one, or the host's own.
enum Text<'s> {
    Shared(&'s OpText),
    Own(OpText),
}

impl Text<'_> {
    fn get(&self) -> &OpText {
        match self {
            Text::Shared(text) => text,
            Text::Own(text) => text,
        }
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
        let scripts = project.write_scripts(&compiled, &inventory, &facts, |_, write| {
            let mut script = Vec::new();
            write(&mut script)?;
            Ok(String::from_utf8(script).unwrap())
        });
        let diagnostics = project.take_diagnostics();
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let [(host, Ok(script))] = scripts.as_slice() else {
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
