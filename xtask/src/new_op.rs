//! `cargo xtask new-op module.op`: everything a new built-in operation needs before its
//! lowering is written, so adding one is filling in blanks, not finding the places.
//!
//! It writes the op file (`src/ops/module/op.rs`: a definition with no arguments and a
//! lowering that refuses with a diagnostic, so `kiln check` accepts the op and `kiln emit`
//! says it cannot run it yet, never panics), adds `pub mod op;` to the module (creating the
//! module, and its `mod` line in `src/ops/mod.rs`, when it is new), adds the catalog entry
//! in name order, and makes a first fixture case (`fixtures/ops/module.op/first/`). Every
//! file is computed before any is written, so a refusal leaves the tree as it was.

use std::path::{Path, PathBuf};

use crate::op_name::OpName;

/// The summary of an op scaffolded without one, until its author writes it.
const NO_SUMMARY: &str = "Not described yet.";

/// Writes the new op's files and entries under `root` (a kiln checkout); returns the paths
/// written, in the order written.
pub(crate) fn scaffold(
    root: &Path,
    name: &OpName,
    summary: Option<&str>,
) -> Result<Vec<PathBuf>, String> {
    let ops = root.join("src/ops");
    let catalog_path = ops.join("mod.rs");
    let module_path = ops.join(&name.module).join("mod.rs");
    let op_path = op_path(root, name);
    let case = root
        .join("fixtures/ops")
        .join(name.to_string())
        .join("first");
    for taken in [&op_path, &case] {
        if taken.exists() {
            return Err(format!("`{name}` exists already: {}", taken.display()));
        }
    }
    let catalog = read(&catalog_path)?;
    let mut catalog = crate::sorted::insert(
        &catalog,
        catalog_entry,
        &format!("    &{}::{}::DEF,", name.module, name.op),
    )
    .map_err(|why| format!("{}: {why}", catalog_path.display()))?;
    let module = if module_path.exists() {
        read(&module_path)?
    } else {
        catalog = crate::sorted::insert(&catalog, module_line, &format!("mod {};", name.module))
            .map_err(|why| format!("{}: {why}", catalog_path.display()))?;
        String::new()
    };
    let module =
        add_op_module(&module, name).map_err(|why| format!("{}: {why}", module_path.display()))?;

    let files = [
        (op_path, op_file(name, summary.unwrap_or(NO_SUMMARY))),
        (module_path, module),
        (catalog_path, catalog),
        (case.join("main.toml"), fixture_manifest(name)),
        // `after/` is what the sandbox must hold after one apply: nothing, until the case
        // says otherwise. Git keeps no empty directory; the fixture tests skip `.gitkeep`.
        (case.join("after/.gitkeep"), String::new()),
    ];
    for (path, text) in &files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(files.into_iter().map(|(path, _)| path).collect())
}

/// The new op's source file.
pub(crate) fn op_path(root: &Path, name: &OpName) -> PathBuf {
    root.join("src/ops")
        .join(&name.module)
        .join(format!("{}.rs", name.op))
}

/// What is left to do once the scaffold is in place.
pub(crate) fn next_steps(name: &OpName) -> String {
    format!(
        "next, for `{name}` (CONTRIBUTING.md, \"Adding an operation\"):
  1. src/ops/{m}/{o}.rs: the summary, arguments, rules, and the lowering (built from src/steps/)
  2. fixtures/ops/{name}/first/: the op's arguments in main.toml, the files it must leave in after/
  3. INSTA_UPDATE=always cargo test --test it ops::{m}_{o}::, and review the new snapshot
  4. KILN_BLESS=1 cargo test --test it generated::, after each change to the definition",
        m = name.module,
        o = name.op
    )
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// A catalog line, `    &module::op::DEF,`, by the op name it stands for (`module.op`).
fn catalog_entry(line: &str) -> Option<String> {
    let path = line.trim().strip_prefix('&')?.strip_suffix("::DEF,")?;
    let (module, op) = path.split_once("::")?;
    Some(format!("{module}.{op}"))
}

/// An op module's line in `src/ops/mod.rs`, `mod module;`, by the module's name.
fn module_line(line: &str) -> Option<String> {
    Some(line.strip_prefix("mod ")?.strip_suffix(';')?.to_owned())
}

/// An op's line in its module's `mod.rs`, `pub mod op;`, by the op's name.
fn op_line(line: &str) -> Option<String> {
    Some(line.strip_prefix("pub mod ")?.strip_suffix(';')?.to_owned())
}

/// The module's `mod.rs` with the op's line added (the whole file, for a new module).
fn add_op_module(module: &str, name: &OpName) -> Result<String, String> {
    let mut entry = String::new();
    if name.op == name.module {
        entry.push_str(&format!(
            "#[expect(clippy::module_inception, reason = \"the op `{name}` is named like its module\")]\n"
        ));
    }
    entry.push_str(&format!("pub mod {};", name.op));
    if module.lines().any(|l| op_line(l).is_some()) {
        crate::sorted::insert(module, op_line, &entry)
    } else {
        Ok(format!("{module}{entry}\n"))
    }
}

/// The op's source: its definition, and a lowering that refuses until it is written.
fn op_file(name: &OpName, summary: &str) -> String {
    // `{:?}` writes a Rust string literal: quotes and backslashes in the summary stay text.
    format!(
        r#"//! `{name}`: {summary}

use crate::diagnostic::{{Code, Diagnostic}};
use crate::opdef::prelude::*;
use crate::opdef::{{LowerInput, Step}};

pub const DEF: OpDef = OpDef::new(
    "{name}",
    {summary:?},
    // Whether its script reaches the network from the host (`kiln bundle` refuses it
    // then): decide, see `opdef::Network`.
    Network::Never,
    lower,
);

/// Not written yet: refuses, so a script never carries an op that does nothing. Build the
/// probe, act and diff from `crate::steps` (CONTRIBUTING.md, "Adding an operation").
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {{
    Err(Diagnostic::new(
        Code::Unsupported,
        input.origin,
        format!("`{{}}` cannot be run yet", input.def.name),
    )
    .label("checked, but it has no shell lowering")
    .help("this operation is validated by `kiln check`; running it is not implemented yet"))
}}
"#
    )
}

/// The first fixture case's manifest (see `tests/it/ops.rs` for the layout).
fn fixture_manifest(name: &OpName) -> String {
    format!(
        r#"# The first case of `{name}`: give the op its arguments (every path under `{{{{ root }}}}`,
# the sandbox), put what the sandbox starts with in `before/` and what it must hold after
# one apply in `after/`. The layout is described in tests/it/ops.rs.
[[op]]
op = "{name}"
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A kiln checkout's `src/ops/mod.rs` and one module, copied from this repository, in a
    /// temporary directory.
    fn checkout() -> tempfile::TempDir {
        let repository = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let temp = tempfile::tempdir().unwrap();
        for file in [
            "src/ops/mod.rs",
            "src/ops/server/mod.rs",
            "src/ops/service/mod.rs",
        ] {
            let to = temp.path().join(file);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(repository.join(file), to).unwrap();
        }
        temp
    }

    fn read(root: &Path, file: &str) -> String {
        std::fs::read_to_string(root.join(file)).unwrap()
    }

    fn catalog(root: &Path) -> Vec<String> {
        read(root, "src/ops/mod.rs")
            .lines()
            .filter_map(catalog_entry)
            .collect()
    }

    fn is_sorted(names: &[String]) -> bool {
        names.windows(2).all(|pair| pair[0] < pair[1])
    }

    #[test]
    fn adds_an_op_to_an_existing_module() {
        let temp = checkout();
        let root = temp.path();
        let before = catalog(root);
        let name = OpName::parse("server.swap").unwrap();
        let written = scaffold(root, &name, Some("Ensure a \"swap\" file.")).unwrap();
        assert_eq!(written.len(), 5);
        assert!(written.iter().all(|p| p.exists()), "{written:?}");

        let after = catalog(root);
        assert_eq!(after.len(), before.len() + 1);
        assert!(after.contains(&"server.swap".to_owned()) && is_sorted(&after));
        let ops: Vec<String> = read(root, "src/ops/server/mod.rs")
            .lines()
            .filter_map(op_line)
            .collect();
        assert!(
            ops.contains(&"swap".to_owned()) && is_sorted(&ops),
            "{ops:?}"
        );
        // No new module: `src/ops/mod.rs` changed by the catalog line alone.
        assert_eq!(
            read(root, "src/ops/mod.rs").lines().count(),
            std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../src/ops/mod.rs")
            )
            .unwrap()
            .lines()
            .count()
                + 1
        );

        let op = read(root, "src/ops/server/swap.rs");
        assert!(op.contains("OpDef::new(\n    \"server.swap\",\n    \"Ensure a \\\"swap\\\" file.\",\n    // Whether its script reaches the network from the host (`kiln bundle` refuses it\n    // then): decide, see `opdef::Network`.\n    Network::Never,\n    lower,\n)"), "{op}");
        assert!(
            op.contains("Code::Unsupported") && !op.contains("panic!") && !op.contains("todo!")
        );
        let manifest = read(root, "fixtures/ops/server.swap/first/main.toml");
        assert!(
            manifest.contains("[[op]]\nop = \"server.swap\"\n"),
            "{manifest}"
        );
        assert!(manifest.contains("`{{ root }}`"), "{manifest}");
        assert!(
            root.join("fixtures/ops/server.swap/first/after/.gitkeep")
                .exists()
        );
    }

    #[test]
    fn adds_a_new_module() {
        let temp = checkout();
        let root = temp.path();
        let name = OpName::parse("xbps.packages").unwrap();
        scaffold(root, &name, None).unwrap();
        assert_eq!(read(root, "src/ops/xbps/mod.rs"), "pub mod packages;\n");
        let modules: Vec<String> = read(root, "src/ops/mod.rs")
            .lines()
            .filter_map(module_line)
            .collect();
        assert!(
            modules.ends_with(&["xbps".to_owned(), "yum".to_owned(), "zypper".to_owned()]),
            "{modules:?}"
        );
        assert!(is_sorted(&modules[1..]), "{modules:?}");
        assert!(catalog(root).contains(&"xbps.packages".to_owned()) && is_sorted(&catalog(root)));
        assert!(read(root, "src/ops/xbps/packages.rs").contains(&format!("{NO_SUMMARY:?}")));
    }

    #[test]
    fn an_op_named_like_its_module_expects_module_inception() {
        let temp = checkout();
        let root = temp.path();
        scaffold(root, &OpName::parse("xbps.xbps").unwrap(), None).unwrap();
        let module = read(root, "src/ops/xbps/mod.rs");
        assert!(
            module.starts_with("#[expect(clippy::module_inception"),
            "{module}"
        );
        assert!(module.ends_with("]\npub mod xbps;\n"), "{module}");
    }

    #[test]
    fn refuses_an_existing_op_and_changes_nothing() {
        let temp = checkout();
        let root = temp.path();
        let name = OpName::parse("server.swap").unwrap();
        scaffold(root, &name, None).unwrap();
        let catalog_before = read(root, "src/ops/mod.rs");
        let problem = scaffold(root, &name, None).unwrap_err();
        assert!(
            problem.starts_with("`server.swap` exists already"),
            "{problem}"
        );
        assert_eq!(read(root, "src/ops/mod.rs"), catalog_before);

        // An op listed in the catalog without a file (a hand edit gone wrong) is refused
        // before anything is written.
        let listed = OpName::parse("service.service").unwrap();
        std::fs::remove_dir_all(root.join("fixtures")).unwrap();
        let problem = scaffold(root, &listed, None).unwrap_err();
        assert!(
            problem.ends_with("`service.service` is already listed"),
            "{problem}"
        );
        assert!(!root.join("src/ops/service/service.rs").exists());
        assert!(!root.join("fixtures").exists());
    }
}
