//! Every example project under `examples/` compiles cleanly, in both spellings, to the same
//! result.
//!
//! For each directory `examples/NAME/`:
//!
//! - `main.toml` and `main.kdl` both exist and compile with no error (warnings are allowed:
//!   an example that has one explains it in a comment);
//! - the two compiled manifests are equal (spans ignored) and not empty;
//! - every other manifest in the project (roles, included files) has its twin in the other
//!   spelling, so the KDL entry point includes KDL and the TOML one TOML;
//! - when both `inventory.toml` and `inventory.kdl` exist, they resolve to the same hosts,
//!   groups and variables.
//!
//! Examples are discovered, not listed, so a new example is covered as soon as it exists.
//!
//! The same checks keep `docs/manifest.md` honest: every TOML/KDL snippet pair there marked
//! `<!-- check: ... -->` is compiled (see [`manifest_reference_snippets_are_accurate`]).

use std::path::{Path, PathBuf};

use kiln::check::{self, Compiled, Context, OpKind, TypedOp};
use kiln::diagnostic::render::{HumanStyle, human};
use kiln::diagnostic::{Diagnostics, Severity};
use kiln::inventory::{self, Inventory, Target};
use kiln::model::Value;
use kiln::source::SourceMap;

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// The example project directories, sorted.
fn examples() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(examples_dir())
        .expect("examples/ exists")
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Renders diagnostics without colour, for assertion messages.
fn render(sources: &SourceMap, diagnostics: Diagnostics) -> String {
    human(
        sources,
        &diagnostics.sorted(),
        HumanStyle {
            color: false,
            width: 100,
        },
    )
}

/// `dir/NAME.EXT` for the first of `extensions` that exists.
fn first_existing(dir: &Path, name: &str, extensions: &[&str]) -> Option<PathBuf> {
    extensions
        .iter()
        .map(|ext| dir.join(format!("{name}.{ext}")))
        .find(|path| path.is_file())
}

/// Loads the project's inventory, preferring the file in the manifest's own spelling.
fn load_inventory(dir: &Path, spelling: &str) -> Result<Option<Inventory>, String> {
    let other = if spelling == "toml" { "kdl" } else { "toml" };
    let Some(path) = first_existing(dir, "inventory", &[spelling, other]) else {
        return Ok(None);
    };
    let mut sources = SourceMap::new();
    let mut diagnostics = Diagnostics::default();
    let resolved = inventory::load(
        &mut sources,
        &[path.display().to_string()],
        &[],
        &mut diagnostics,
    );
    if diagnostics.has_errors() {
        return Err(format!(
            "{} has errors:\n{}",
            path.display(),
            render(&sources, diagnostics)
        ));
    }
    Ok(Some(resolved))
}

/// Compiles `dir/main.SPELLING` with the project's inventory; errors are rendered.
fn compile(dir: &Path, spelling: &str) -> Result<Compiled, String> {
    let entry = dir.join(format!("main.{spelling}"));
    if !entry.is_file() {
        return Err(format!(
            "{} is missing: every example has main.toml and main.kdl",
            entry.display()
        ));
    }
    let inventory = load_inventory(dir, spelling)?;
    let context = Context {
        inventory: inventory.as_ref(),
        extra_vars: &[],
    };
    let mut sources = SourceMap::new();
    let mut diagnostics = Diagnostics::default();
    let compiled = check::compile(&mut sources, &entry, &context, &mut diagnostics);
    let errors = diagnostics.count(Severity::Error);
    match compiled {
        Some(compiled) if errors == 0 => Ok(compiled),
        _ => Err(format!(
            "{} does not compile ({errors} errors):\n{}",
            entry.display(),
            render(&sources, diagnostics)
        )),
    }
}

/// Every `.toml` / `.kdl` file under `dir`, relative to it.
fn manifest_files(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable directory") {
        let path = entry.expect("readable directory entry").path();
        if path.is_dir() {
            manifest_files(&path, base, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("toml" | "kdl")
        ) {
            out.push(path.strip_prefix(base).expect("under base").to_path_buf());
        }
    }
}

/// A resolved host without source positions: what two spellings must agree on.
#[derive(Debug, PartialEq)]
struct HostView {
    name: String,
    target: Target,
    groups: Vec<String>,
    /// Name, value (spans ignored by `Value`'s equality), the level it came from, and
    /// whether it is secret.
    vars: Vec<(String, Value, String, bool)>,
}

fn view(inventory: &Inventory) -> (Vec<String>, Vec<HostView>) {
    let hosts = inventory
        .hosts
        .iter()
        .map(|host| HostView {
            name: host.name.clone(),
            target: host.target.clone(),
            groups: host.groups.clone(),
            vars: host
                .vars
                .iter()
                .map(|v| (v.name.clone(), v.value.clone(), v.origin.clone(), v.secret))
                .collect(),
        })
        .collect();
    (inventory.groups.clone(), hosts)
}

/// The parts of two compiled manifests that differ, item by item, so a failure shows the
/// op at fault rather than two whole manifests.
fn differences(toml: &Compiled, kdl: &Compiled) -> String {
    fn compare<T: PartialEq>(
        what: &str,
        a: &[T],
        b: &[T],
        show: impl Fn(&T) -> String,
        out: &mut Vec<String>,
    ) {
        if a.len() != b.len() {
            out.push(format!("{} {what} in TOML, {} in KDL", a.len(), b.len()));
        }
        for (index, (x, y)) in a.iter().zip(b).enumerate() {
            if x != y {
                out.push(format!(
                    "{what}[{index}] differs\n--- toml:\n{}\n--- kdl:\n{}",
                    show(x),
                    show(y)
                ));
            }
        }
    }
    let op = |op: &TypedOp| {
        let kind = match &op.kind {
            OpKind::Builtin(def) => def.name.to_owned(),
            user @ OpKind::User(_) => format!("{user:#?}"),
        };
        format!(
            "{kind} (scope {})\nargs: {:#?}\nglobals: {:#?}",
            op.scope.0, op.args, op.globals
        )
    };
    let mut out = Vec::new();
    compare("ops", &toml.ops, &kdl.ops, op, &mut out);
    compare("handlers", &toml.handlers, &kdl.handlers, op, &mut out);
    compare(
        "scopes",
        &toml.scopes,
        &kdl.scopes,
        |s| format!("{s:#?}"),
        &mut out,
    );
    out.join("\n")
}

/// Checks one example; `Err` describes everything wrong with it.
fn check_example(dir: &Path) -> Result<(), String> {
    let mut problems = Vec::new();

    let mut files = Vec::new();
    manifest_files(dir, dir, &mut files);
    for file in &files {
        let twin = match file.extension().and_then(|e| e.to_str()) {
            Some("toml") => file.with_extension("kdl"),
            _ => file.with_extension("toml"),
        };
        if !dir.join(&twin).is_file() {
            problems.push(format!("{} has no twin {}", file.display(), twin.display()));
        }
    }

    let toml = compile(dir, "toml");
    let kdl = compile(dir, "kdl");
    match (&toml, &kdl) {
        (Ok(toml), Ok(kdl)) => {
            if toml.ops.is_empty() {
                problems.push("main.toml compiles to no ops".into());
            }
            if toml != kdl {
                problems.push(format!(
                    "main.toml and main.kdl compile differently:\n{}",
                    differences(toml, kdl)
                ));
            }
        }
        _ => problems.extend(
            [toml.err(), kdl.err()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>(),
        ),
    }

    let inventory_toml = dir.join("inventory.toml");
    let inventory_kdl = dir.join("inventory.kdl");
    if inventory_toml.is_file() && inventory_kdl.is_file() {
        match (load_inventory(dir, "toml"), load_inventory(dir, "kdl")) {
            (Ok(Some(a)), Ok(Some(b))) => {
                let (a, b) = (view(&a), view(&b));
                if a != b {
                    problems.push(format!(
                        "inventory.toml and inventory.kdl resolve differently\n--- toml:\n{a:#?}\n--- kdl:\n{b:#?}"
                    ));
                }
                if a.1.is_empty() {
                    problems.push("the inventory has no hosts".into());
                }
            }
            (a, b) => problems.extend([a.err(), b.err()].into_iter().flatten()),
        }
    }

    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

#[test]
fn every_example_compiles_the_same_in_both_spellings() {
    let examples = examples();
    assert!(!examples.is_empty(), "no examples found");
    let mut failures = Vec::new();
    for dir in &examples {
        let name = dir.file_name().unwrap_or_default().to_string_lossy();
        if let Err(why) = check_example(dir) {
            failures.push(format!("== examples/{name}\n{why}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} examples failed:\n{}",
        failures.len(),
        examples.len(),
        failures.join("\n\n")
    );
}

/// A snippet pair in `docs/manifest.md` or `docs/ops.md` to check: a `<!-- check: ... -->` line, then a
/// ```` ```toml ```` block and a ```` ```kdl ```` block.
struct Snippet {
    /// The line of the marker, for messages.
    line: usize,
    /// `manifest`, `inventory`, `error CODE` or `warning CODE`, then optionally
    /// `with DIR...`: directories the snippet includes, created as stub roles.
    directive: String,
    toml: String,
    kdl: String,
}

/// The checked snippet pairs of a markdown document.
fn snippets(markdown: &str) -> Result<Vec<Snippet>, String> {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(directive) = lines[i]
            .trim()
            .strip_prefix("<!-- check:")
            .and_then(|rest| rest.strip_suffix("-->"))
        else {
            i += 1;
            continue;
        };
        let line = i + 1;
        let mut blocks = Vec::new();
        let mut j = i + 1;
        while blocks.len() < 2 && j < lines.len() {
            let fence = lines[j].trim_end();
            if let Some(lang) = fence.strip_prefix("```").filter(|l| !l.is_empty()) {
                let start = j + 1;
                let end = (start..lines.len())
                    .find(|&k| lines[k].trim_end() == "```")
                    .ok_or_else(|| format!("line {}: unclosed code block", j + 1))?;
                blocks.push((lang.to_owned(), lines[start..end].join("\n") + "\n"));
                j = end;
            }
            j += 1;
        }
        match blocks.as_slice() {
            [(a, toml), (b, kdl)] if a == "toml" && b == "kdl" => found.push(Snippet {
                line,
                directive: directive.trim().to_owned(),
                toml: toml.clone(),
                kdl: kdl.clone(),
            }),
            _ => {
                return Err(format!(
                    "line {line}: a check marker must be followed by a toml block, then a kdl block"
                ));
            }
        }
        i = j;
    }
    Ok(found)
}

/// A stub manifest for a directory a snippet includes.
const STUB_TOML: &str = "[[op]]\nop = \"files.directory\"\npath = \"/srv/stub\"\n";
const STUB_KDL: &str = "files.directory \"/srv/stub\"\n";

/// Compiles `dir/main.SPELLING`, returning every diagnostic's (severity, code name).
fn diagnostics_of(dir: &Path, spelling: &str) -> Vec<(Severity, &'static str)> {
    let mut sources = SourceMap::new();
    let mut diagnostics = Diagnostics::default();
    check::compile(
        &mut sources,
        &dir.join(format!("main.{spelling}")),
        &Context::default(),
        &mut diagnostics,
    );
    diagnostics
        .iter()
        .map(|d| (d.severity, d.code.name()))
        .collect()
}

fn check_snippet(snippet: &Snippet) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let dir = dir.path();
    let (kind, rest) = snippet
        .directive
        .split_once(' ')
        .unwrap_or((&snippet.directive, ""));
    let (argument, stubs) = match rest.split_once("with ") {
        Some((argument, stubs)) => (argument.trim(), stubs.split_whitespace().collect()),
        None => (rest.trim(), Vec::new()),
    };
    for stub in stubs {
        std::fs::create_dir_all(dir.join(stub)).map_err(|e| e.to_string())?;
        std::fs::write(dir.join(stub).join("main.toml"), STUB_TOML).map_err(|e| e.to_string())?;
        std::fs::write(dir.join(stub).join("main.kdl"), STUB_KDL).map_err(|e| e.to_string())?;
    }
    let base = if kind == "inventory" {
        "inventory"
    } else {
        "main"
    };
    for (spelling, text) in [("toml", &snippet.toml), ("kdl", &snippet.kdl)] {
        std::fs::write(dir.join(format!("{base}.{spelling}")), text).map_err(|e| e.to_string())?;
    }
    match kind {
        "manifest" => {
            let toml = compile(dir, "toml")?;
            let kdl = compile(dir, "kdl")?;
            if toml != kdl {
                return Err(format!(
                    "the two spellings compile differently:\n{}",
                    differences(&toml, &kdl)
                ));
            }
        }
        "inventory" => {
            let (Some(toml), Some(kdl)) =
                (load_inventory(dir, "toml")?, load_inventory(dir, "kdl")?)
            else {
                unreachable!("both files were just written");
            };
            let (toml, kdl) = (view(&toml), view(&kdl));
            if toml != kdl {
                return Err(format!(
                    "the two spellings resolve differently\n--- toml:\n{toml:#?}\n--- kdl:\n{kdl:#?}"
                ));
            }
        }
        "error" | "warning" => {
            let code = format!("kiln::{argument}");
            for spelling in ["toml", "kdl"] {
                let found = diagnostics_of(dir, spelling);
                let has_code = found.iter().any(|(_, name)| *name == code);
                let errors = found.iter().any(|(s, _)| *s == Severity::Error);
                if !has_code || (kind == "warning" && errors) {
                    return Err(format!(
                        "main.{spelling}: expected {kind} `{code}`, got {found:?}"
                    ));
                }
            }
        }
        other => return Err(format!("unknown check `{other}`")),
    }
    Ok(())
}

/// The manifest reference shows every construct in both spellings: each pair marked
/// `<!-- check: ... -->` must compile (or fail) as the marker says, and the two spellings
/// must agree.
#[test]
fn manifest_reference_snippets_are_accurate() {
    assert_snippets_are_accurate("docs/manifest.md", 15);
}

/// The operations reference's examples (in its "Differences from Ansible"), likewise.
#[test]
fn ops_reference_snippets_are_accurate() {
    assert_snippets_are_accurate("docs/ops.md", 2);
}

/// Every checked snippet pair of the markdown file `doc` (at least `min` of them) compiles
/// (or fails) as its marker says, the same in both spellings.
#[track_caller]
fn assert_snippets_are_accurate(doc: &str, min: usize) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(doc);
    let markdown = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{doc}: {e}"));
    let snippets = snippets(&markdown).unwrap_or_else(|e| panic!("{doc}: {e}"));
    assert!(
        snippets.len() >= min,
        "only {} checked snippets in {doc}",
        snippets.len()
    );
    let failures: Vec<String> = snippets
        .iter()
        .filter_map(|s| {
            check_snippet(s)
                .err()
                .map(|why| format!("{doc}:{} ({}): {why}", s.line, s.directive))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} snippets failed:\n\n{}",
        failures.len(),
        snippets.len(),
        failures.join("\n\n")
    );
}
