//! Writes one `#[test]` per fixture case for the integration tests (`tests/it`), so that a
//! case runs alone by name and adding a fixture directory adds its test without editing Rust:
//!
//! - `$OUT_DIR/op_cases.rs`, included by `tests/it/ops.rs`: for every
//!   `fixtures/ops/<op>/<case>/`, the test `ops::<op>::<case>`;
//! - `$OUT_DIR/diagnostic_cases.rs`, included by `tests/it/diagnostics.rs`: for every
//!   `fixtures/diagnostics/<case>/`, the test `diagnostics::case::<case>`;
//! - `$OUT_DIR/fact_cases.rs`, included by `tests/it/facts.rs`: for every
//!   `fixtures/facts/<case>/`, the test `facts::case::<case>`.
//!
//! In a test's name, `.` and `-` are written `_` (`files.line/crlf-endings` is
//! `ops::files_line::crlf_endings`). Each file also lists the cases it was written from
//! (`CASES`), which the tests compare with the fixture directories as they are when they
//! run. Nothing here is part of the `kiln` library or binary, but cargo runs build scripts
//! per package: a changed fixture also relinks the library and binary (incrementally).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo::rerun-if-changed=build.rs");
    for root in ["ops", "diagnostics", "facts"] {
        println!("cargo::rerun-if-changed=fixtures/{root}");
    }
    let write = |name: &str, code: String| {
        let path = out.join(name);
        std::fs::write(&path, code).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    };
    write("op_cases.rs", op_cases(&fixtures.join("ops")));
    write(
        "diagnostic_cases.rs",
        flat_cases(&fixtures.join("diagnostics"), "diagnostics", "check_case"),
    );
    write(
        "fact_cases.rs",
        flat_cases(&fixtures.join("facts"), "facts", "check_case"),
    );
}

/// `ops::<op>::<case>` for every case directory, and `CASES`: every (op, case).
fn op_cases(root: &Path) -> String {
    let mut code = String::from(
        "// Written by build.rs from fixtures/ops: one test per case.\n\n\
         /// Every case the tests below were written from, as (op, case).\n\
         const CASES: &[(&str, &str)] = &[\n",
    );
    let ops: Vec<(String, Vec<String>)> = directories(root)
        .into_iter()
        .map(|op| {
            let cases = directories(&root.join(&op));
            (op, cases)
        })
        .collect();
    for (op, cases) in &ops {
        for case in cases {
            writeln!(code, "    ({op:?}, {case:?}),").unwrap();
        }
    }
    code.push_str("];\n");
    let mut modules = Names::default();
    for (op, cases) in &ops {
        writeln!(code, "\nmod {} {{", modules.ident(op, root)).unwrap();
        let mut tests = Names::default();
        for case in cases {
            let test = tests.ident(case, &root.join(op));
            writeln!(
                code,
                "    #[test]\n    fn {test}() {{\n        crate::ops::case({op:?}, {case:?});\n    }}"
            )
            .unwrap();
        }
        code.push_str("}\n");
    }
    code
}

/// `case::<case>` for every case directory of `fixtures/<module>`, each calling
/// `crate::<module>::<check>`, and `CASES`: every case.
fn flat_cases(root: &Path, module: &str, check: &str) -> String {
    let cases = directories(root);
    let mut code = format!(
        "// Written by build.rs from fixtures/{module}: one test per case.\n\n\
         /// Every case the tests below were written from.\n\
         const CASES: &[&str] = &[\n",
    );
    for case in &cases {
        writeln!(code, "    {case:?},").unwrap();
    }
    code.push_str("];\n\nmod case {\n");
    let mut tests = Names::default();
    for case in &cases {
        let test = tests.ident(case, root);
        writeln!(
            code,
            "    #[test]\n    fn {test}() {{\n        crate::{module}::{check}({case:?});\n    }}"
        )
        .unwrap();
    }
    code.push_str("}\n");
    code
}

/// The names of the directories in `dir`, sorted; none when `dir` does not exist (the
/// tests then find the fixtures missing and say so).
fn directories(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .map(|entry| entry.unwrap_or_else(|e| panic!("read {}: {e}", dir.display())))
        .filter(|entry| entry.path().is_dir())
        .map(|entry| {
            entry.file_name().into_string().unwrap_or_else(|name| {
                panic!("{}: {name:?} is not UTF-8", dir.display());
            })
        })
        .collect();
    names.sort();
    names
}

/// The identifiers given so far in one module, to refuse two names that would read the same.
#[derive(Default)]
struct Names(Vec<(String, String)>);

impl Names {
    /// `name` (a directory in `dir`) as an identifier: `.` and `-` become `_`.
    fn ident(&mut self, name: &str, dir: &Path) -> String {
        let ident = name.replace(['.', '-'], "_");
        let valid = ident.starts_with(|c: char| c.is_ascii_lowercase())
            && ident
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && !KEYWORDS.contains(&ident.as_str());
        assert!(
            valid,
            "{}/{name}: a fixture's name must be lowercase letters, digits, `.` and `-`, \
             start with a letter and not be a Rust keyword: it names a test",
            dir.display()
        );
        if let Some((other, _)) = self.0.iter().find(|(_, seen)| *seen == ident) {
            panic!(
                "{}: `{other}` and `{name}` would both be the test `{ident}`: rename one",
                dir.display()
            );
        }
        self.0.push((name.to_owned(), ident.clone()));
        ident
    }
}

/// Rust's keywords, strict and reserved (2024 edition), which cannot name a test.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];
