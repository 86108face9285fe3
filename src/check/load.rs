//! Loading a manifest and everything it includes, in order.
//!
//! Includes are expanded in place: the result is the flat list of op calls a reader would
//! meet reading top to bottom, each tagged with the [`Scope`] (file, variables, include
//! arguments) it was written in. Each file is read and parsed once, however often it is
//! included. Cycles are reported with both the include that closes the cycle and the one
//! that opened it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{Define, FactDecl, Item, Manifest, OpCall, Table};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::{self, Format, read_source, shown};

/// Index of a [`Scope`] in [`Loaded::scopes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ScopeId(pub usize);

/// One inclusion of one manifest file: the variables and arguments its ops see.
#[derive(Clone, Debug)]
pub struct Scope {
    pub parent: Option<ScopeId>,
    pub file: FileId,
    /// The file's own `vars` and `secrets` (defaults; the lowest precedence).
    pub defaults: Table,
    /// The including `include`'s `vars` and `secrets` (above host variables, below `-e`).
    pub params: Table,
    /// The names given under `secrets`, in `defaults` or `params`: their values are secret.
    pub secrets: Vec<String>,
    /// Global arguments of the including `include`, applied to every op inside.
    pub include_args: Table,
    /// The include's path, where this inclusion was made (`None` for the entry manifest).
    pub via: Option<Span>,
}

#[derive(Debug, Default)]
pub struct Loaded {
    pub calls: Vec<(OpCall, ScopeId)>,
    pub handlers: Vec<(OpCall, ScopeId)>,
    pub defines: Vec<(Define, ScopeId)>,
    /// Custom facts, from every file: one project, one probe.
    pub facts: Vec<FactDecl>,
    pub scopes: Vec<Scope>,
}

/// What an `include` passes to the file it expands (nothing, for the entry manifest).
struct Inclusion {
    parent: Option<ScopeId>,
    vars: Table,
    secrets: Table,
    args: Table,
    via: Option<Span>,
}

/// Nesting deeper than this is surely a mistake (and would risk the stack).
const MAX_INCLUDE_DEPTH: usize = 64;

struct Loader<'a> {
    sources: &'a mut SourceMap,
    diagnostics: &'a mut Diagnostics,
    /// Parsed files by canonical path; `None` for files with syntax errors.
    parsed: HashMap<PathBuf, Option<Rc<Manifest>>>,
    /// The chain of files being expanded: canonical path, the include that entered it, and
    /// its name as diagnostics show it.
    stack: Vec<(PathBuf, Option<Span>, String)>,
    loaded: Loaded,
}

/// Loads `entry` and its includes. `None` if the entry itself cannot be read.
pub fn load(
    sources: &mut SourceMap,
    entry: &Path,
    diagnostics: &mut Diagnostics,
) -> Option<Loaded> {
    let mut loader = Loader {
        sources,
        diagnostics,
        parsed: HashMap::new(),
        stack: Vec::new(),
        loaded: Loaded::default(),
    };
    let manifest = loader.parse(entry, None)?;
    let top = Inclusion {
        parent: None,
        vars: Vec::new(),
        secrets: Vec::new(),
        args: Vec::new(),
        via: None,
    };
    loader.expand(&manifest, entry, top);
    Some(loader.loaded)
}

impl Loader<'_> {
    fn parse(&mut self, path: &Path, from: Option<Span>) -> Option<Rc<Manifest>> {
        let key = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        if let Some(cached) = self.parsed.get(&key) {
            return cached.clone();
        }
        let parsed = read_source(self.sources, path, from, self.diagnostics)
            .and_then(|file| syntax::manifest(self.sources, file, self.diagnostics))
            .map(Rc::new);
        self.parsed.insert(key, parsed.clone());
        parsed
    }

    fn expand(&mut self, manifest: &Manifest, path: &Path, inclusion: Inclusion) {
        let key = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let via = inclusion.via;
        self.stack.push((key, via, shown(path)));
        let scope = ScopeId(self.loaded.scopes.len());
        let secrets = manifest
            .secrets
            .iter()
            .chain(&inclusion.secrets)
            .map(|(name, _)| name.value.clone())
            .collect();
        self.loaded.scopes.push(Scope {
            parent: inclusion.parent,
            file: manifest.file,
            defaults: [manifest.vars.as_slice(), &manifest.secrets].concat(),
            params: [inclusion.vars, inclusion.secrets].concat(),
            secrets,
            include_args: inclusion.args,
            via,
        });
        for define in &manifest.defines {
            self.loaded.defines.push((define.clone(), scope));
        }
        self.loaded.facts.extend(manifest.facts.iter().cloned());
        for handler in &manifest.handlers {
            self.loaded.handlers.push((handler.clone(), scope));
        }
        for item in &manifest.items {
            match item {
                Item::Op(call) => self.loaded.calls.push((call.clone(), scope)),
                Item::Include(include) => {
                    let Some(target) = self.resolve(path, &include.path.value, include.path.span)
                    else {
                        continue;
                    };
                    if self.closes_cycle(&target, include.path.span) {
                        continue;
                    }
                    if self.stack.len() >= MAX_INCLUDE_DEPTH {
                        self.diagnostics.push(
                            Diagnostic::new(
                                Code::IncludeCycle,
                                include.path.span,
                                "includes are nested too deeply",
                            )
                            .label(format!("more than {MAX_INCLUDE_DEPTH} levels"))
                            .help("flatten the role structure"),
                        );
                        continue;
                    }
                    if let Some(included) = self.parse(&target, Some(include.path.span)) {
                        let inclusion = Inclusion {
                            parent: Some(scope),
                            vars: include.vars.clone(),
                            secrets: include.secrets.clone(),
                            args: include.args.clone(),
                            via: Some(include.path.span),
                        };
                        self.expand(&included, &target, inclusion);
                    }
                }
            }
        }
        self.stack.pop();
    }

    fn closes_cycle(&mut self, target: &Path, at: Span) -> bool {
        let key = target
            .canonicalize()
            .unwrap_or_else(|_| target.to_path_buf());
        let Some(index) = self.stack.iter().position(|(p, _, _)| *p == key) else {
            return false;
        };
        // The files and includes that go round the cycle, from the repeated file on.
        let around = &self.stack[index + 1..];
        let through: Vec<String> = around.iter().map(|(_, _, name)| name.clone()).collect();
        let message = if through.is_empty() {
            format!("{} includes itself", shown(target))
        } else {
            format!(
                "{} includes itself through {}",
                shown(target),
                through.join(", ")
            )
        };
        let mut diagnostic = Diagnostic::new(Code::IncludeCycle, at, message)
            .label("this include closes the cycle")
            .help("remove one of the includes; a manifest cannot contain itself");
        for (n, via) in around.iter().filter_map(|(_, via, _)| *via).enumerate() {
            let text = if n == 0 {
                "the cycle starts with this include"
            } else {
                "then this one"
            };
            diagnostic = diagnostic.with_label(via, text);
        }
        self.diagnostics.push(diagnostic);
        true
    }

    /// The file an include names: relative to the including file; a directory means its
    /// `main.toml` or `main.kdl` (the including file's spelling first).
    fn resolve(&mut self, from: &Path, target: &str, span: Span) -> Option<PathBuf> {
        let base = from.parent().unwrap_or(Path::new("."));
        let joined = base.join(target);
        let preferred = Format::of(from).unwrap_or(Format::Toml);
        let other = if preferred == Format::Toml {
            Format::Kdl
        } else {
            Format::Toml
        };
        let candidates: Vec<PathBuf> = if joined.is_dir() {
            vec![
                joined.join(format!("main.{}", preferred.extension())),
                joined.join(format!("main.{}", other.extension())),
            ]
        } else if Format::of(&joined).is_some() {
            vec![joined.clone()]
        } else {
            vec![
                joined.with_extension(preferred.extension()),
                joined.with_extension(other.extension()),
            ]
        };
        if let Some(found) = candidates.iter().find(|c| c.is_file()) {
            return Some(found.clone());
        }
        let help = if joined.is_dir() {
            format!("{} has no main.toml or main.kdl", shown(&joined))
        } else {
            let mut tried: Vec<String> = candidates.iter().map(|c| shown(c)).collect();
            if Format::of(&joined).is_none() {
                tried.push(format!("a directory {}", shown(&joined)));
            }
            let last = tried.pop().unwrap_or_default();
            let tried = if tried.is_empty() {
                last
            } else {
                format!("{} or {last}", tried.join(", "))
            };
            format!(
                "there is no {tried}; include paths are relative to the directory of {}",
                shown(from)
            )
        };
        self.diagnostics.push(
            Diagnostic::new(
                Code::IncludeNotFound,
                span,
                format!("cannot find `{target}` to include"),
            )
            .label("no such manifest")
            .help(help),
        );
        None
    }
}
