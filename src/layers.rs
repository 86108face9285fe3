//! The layers of the crate, lowest first, and the check that keeps imports flowing down.
//!
//! kiln is one crate whose top-level modules form a pipeline: text is read ([`crate::syntax`])
//! into the model, checked against the op definitions ([`crate::opdef`], [`crate::ops`]) into
//! typed ops ([`crate::check`]), bound to each host ([`crate::bind`]), lowered and emitted as
//! shell ([`crate::emit`]), and run ([`crate::connect`], [`crate::live`]) by the commands
//! ([`crate::cli`]). A module may use only modules in layers *below* its own; modules that
//! share a layer do not use each other. The test below reads every `crate::` path in `src/`
//! and fails on one that points up or sideways, so a cycle between modules cannot come back.
//! `docs/architecture.md` explains what each layer owns.

/// Top-level modules by layer, lowest first.
const LAYERS: &[&[&str]] = &[
    &["source"],
    &["diagnostic", "regex", "shell"],
    &["model", "runtime", "facts"],
    &["syntax"],
    &["opdef"],
    &["template"],
    &["steps"],
    &["ops"],
    &["inventory"],
    &["check"],
    &["bind"],
    &["emit"],
    &["project"],
    &["audit", "pull"],
    &["connect"],
    &["live", "bundle"],
    &["docs", "schema"],
    &["cli"],
];

/// The layer `module` is in, if it is declared.
fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The top-level modules a piece of Rust source names through `crate::` paths, outside
/// comments: `crate::a::b` and each item of `crate::{a, b::c}` name `a` (and `b`).
fn crate_uses(source: &str) -> Vec<&str> {
    let mut found = Vec::new();
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let mut depth = 0;
                let mut start = 0;
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => {
                            found.push(first_segment(&group[start..i]));
                            break;
                        }
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            found.push(first_segment(&group[start..i]));
                            start = i + 1;
                        }
                        _ => {}
                    }
                }
            } else {
                found.push(first_segment(rest));
            }
        }
    }
    found.retain(|name| !name.is_empty() && *name != "self");
    found
}

fn first_segment(path: &str) -> &str {
    let path = path.trim_start();
    let end = path
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(path.len());
    &path[..end]
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;

    /// `(file, top-level module)` for every `.rs` file under `src/`.
    fn sources() -> Vec<(PathBuf, String)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("src is readable") {
                let path = entry.expect("a directory entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let relative = path.strip_prefix(&root).expect("under src");
                    let first = relative.components().next().expect("a component");
                    let module = first.as_os_str().to_string_lossy();
                    let module = module.strip_suffix(".rs").unwrap_or(&module).to_owned();
                    files.push((path, module));
                }
            }
        }
        files.sort();
        files
    }

    /// The imports of `module`'s source that go against [`LAYERS`].
    fn violations(module: &str, source: &str) -> Vec<String> {
        let Some(own) = layer_of(module) else {
            return vec![format!("`{module}` is in no layer of `LAYERS`")];
        };
        crate_uses(source)
            .into_iter()
            .filter(|used| *used != module)
            .filter_map(|used| match layer_of(used) {
                Some(layer) if layer < own => None,
                Some(layer) if layer == own => {
                    Some(format!("`{module}` uses `{used}`, which shares its layer"))
                }
                Some(_) => Some(format!("`{module}` uses `{used}`, which is a higher layer")),
                None => Some(format!("`{module}` uses `{used}`, which is in no layer")),
            })
            .collect()
    }

    #[test]
    fn every_import_goes_down_the_layers() {
        let mut problems = Vec::new();
        for (path, module) in sources() {
            if matches!(module.as_str(), "lib" | "main" | "layers") {
                continue;
            }
            let source = std::fs::read_to_string(&path).expect("a source file");
            for problem in violations(&module, &source) {
                problems.push(format!("{}: {problem}", path.display()));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn every_module_is_in_exactly_one_layer() {
        let lib = include_str!("lib.rs");
        let declared: Vec<&str> = lib
            .lines()
            .filter_map(|line| {
                ["pub mod ", "pub(crate) mod ", "mod "]
                    .iter()
                    .find_map(|prefix| line.strip_prefix(prefix))
            })
            .map(|name| name.trim_end_matches(';'))
            .filter(|name| *name != "layers")
            .collect();
        for name in &declared {
            let count = LAYERS.iter().filter(|layer| layer.contains(name)).count();
            assert_eq!(count, 1, "`{name}` must be in exactly one layer");
        }
        for name in LAYERS.iter().flat_map(|layer| layer.iter()) {
            assert!(
                declared.contains(name),
                "`{name}` is in LAYERS but not a module"
            );
        }
    }

    /// `docs/architecture.md` shows the layers as a table: it must be this order.
    #[test]
    fn the_architecture_doc_shows_these_layers() {
        let doc = include_str!("../docs/architecture.md");
        let shown: Vec<Vec<&str>> = doc
            .lines()
            .filter_map(|line| {
                let cells: Vec<&str> = line.split('|').map(str::trim).collect();
                (cells.len() > 3 && cells[1].parse::<usize>().is_ok()).then(|| {
                    cells[2]
                        .split(", ")
                        .map(|name| name.trim_matches('`'))
                        .collect()
                })
            })
            .collect();
        let declared: Vec<Vec<&str>> = LAYERS.iter().map(|layer| layer.to_vec()).collect();
        assert_eq!(shown, declared);
    }

    #[test]
    fn an_upward_or_sideways_import_is_caught() {
        assert!(violations("check", "use crate::inventory::Host;").is_empty());
        assert_eq!(
            violations("inventory", "use crate::check::load::read_source;"),
            ["`inventory` uses `check`, which is a higher layer"]
        );
        assert_eq!(
            violations("regex", "fn f() { crate::shell::quote(\"x\"); }"),
            ["`regex` uses `shell`, which shares its layer"]
        );
        assert_eq!(
            violations("syntax", "use crate::{model::Value, ops::CATALOG};"),
            ["`syntax` uses `ops`, which is a higher layer"]
        );
        assert!(violations("syntax", "// see crate::ops").is_empty());
    }

    #[test]
    fn grouped_paths_name_each_module() {
        assert_eq!(crate_uses("use crate::{a::{b, c}, d, self};"), ["a", "d"]);
    }
}
