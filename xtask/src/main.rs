//! kiln's development tasks, run as `cargo xtask TASK` (the alias is in
//! `.cargo/config.toml`). Written in Rust rather than shell so that each task is tested
//! with the crate (`cargo test --workspace`) and behaves the same on every machine that
//! builds kiln.
//!
//! Tasks:
//! - `new-op module.op ["One-line summary."]`: scaffolds a built-in operation (see
//!   [`new_op`] and CONTRIBUTING.md).

mod new_op;
mod op_name;
mod sorted;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use op_name::OpName;

const USAGE: &str = "usage: cargo xtask new-op MODULE.OP [SUMMARY]

Scaffolds a built-in operation: its definition and a lowering that refuses to run
(src/ops/MODULE/OP.rs), its module and catalog entries, a first fixture case
(fixtures/ops/MODULE.OP/first/), then regenerates the reference docs.";

/// The command that rewrites the generated docs and schemas (`tests/it/generated.rs`).
const BLESS: &[&str] = &["test", "--quiet", "--test", "it", "generated::"];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["new-op", name] => new_op(name, None),
        ["new-op", name, summary] => new_op(name, Some(summary)),
        ["-h" | "--help" | "help"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn new_op(name: &str, summary: Option<&str>) -> ExitCode {
    let name = match OpName::parse(name) {
        Ok(name) => name,
        Err(problem) => {
            eprintln!("error: {problem}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let root = repository_root();
    let written = match new_op::scaffold(&root, &name, summary) {
        Ok(written) => written,
        Err(problem) => {
            eprintln!("error: {problem}");
            return ExitCode::FAILURE;
        }
    };
    for path in &written {
        println!("wrote {}", path.display());
    }
    // The op file's layout is rustfmt's, whatever the summary's length.
    let op_file = new_op::op_path(&root, &name);
    let formatted = Command::new("rustfmt")
        .args(["--edition", "2024"])
        .arg(&op_file)
        .status();
    if !formatted.is_ok_and(|status| status.success()) {
        eprintln!(
            "warning: rustfmt failed on {}; run `cargo fmt --all`",
            op_file.display()
        );
    }
    println!(
        "regenerating docs/ops.md and schemas/ (KILN_BLESS=1 cargo {})",
        BLESS.join(" ")
    );
    let blessed = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(BLESS)
        .env("KILN_BLESS", "1")
        .current_dir(&root)
        .status();
    match blessed {
        Ok(status) if status.success() => {
            println!("{}", new_op::next_steps(&name));
            ExitCode::SUCCESS
        }
        Ok(_) | Err(_) => {
            eprintln!(
                "error: regenerating the docs failed (the new files stay); fix the build, then run `KILN_BLESS=1 cargo {}`",
                BLESS.join(" ")
            );
            ExitCode::FAILURE
        }
    }
}

/// The repository this task was built from: the parent of `xtask/`.
fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ sits in the repository")
        .to_path_buf()
}
