//! A [`Report`] as Markdown (CommonMark). Every value from the manifest is a code span or a
//! fenced block whose fence is longer than any run of backticks it holds, and other text
//! from it has its punctuation escaped, so no value can become markup (a link, raw HTML).

use std::fmt::Write;

use super::{Content, Entry, Report, Summary};

/// `report` as a Markdown document.
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let sources: Vec<String> = report.sources.iter().map(|s| code(s)).collect();
    let _ = writeln!(out, "# What the script of {} does\n", text(&report.host));
    let _ = writeln!(
        out,
        "Host {} ({}), made from {}. Each op runs in this order; a probe on the host decides, \
         right before it acts, whether anything needs doing.\n",
        code(&report.host),
        code(&report.target),
        sources.join(", ")
    );
    summary(&mut out, report);
    carried(&mut out, report);
    out.push_str("## Ops\n");
    for op in &report.ops {
        entry(&mut out, op, &[]);
    }
    if !report.handlers.is_empty() {
        out.push_str("\n## Handlers\n\nEach runs once, after the ops, when an op that notifies it changed something.\n");
        for handler in &report.handlers {
            entry(&mut out, handler, &report.notifiers(&handler.id));
        }
    }
    out
}

/// The summary: how many ops, then the files, packages and commands.
fn summary(out: &mut String, report: &Report) {
    let skipped = report.ops.iter().filter(|op| op.skipped.is_some()).count();
    let _ = writeln!(
        out,
        "## Summary\n\n- {} ops ({skipped} skipped on this host), {} handlers.",
        report.ops.len(),
        report.handlers.len()
    );
    let summary = Summary::of(report);
    for (title, rows) in [
        ("Files written", &summary.files),
        ("Packages", &summary.packages),
        ("Commands", &summary.commands),
    ] {
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "- {title}:");
        for (what, index) in rows {
            let _ = writeln!(out, "  - {} ([{index}])", code(what));
        }
    }
    out.push('\n');
}

/// The packages the bundle carries: the exact versions the script installs.
fn carried(out: &mut String, report: &Report) {
    if report.carried.is_empty() {
        return;
    }
    out.push_str(
        "## Packages carried\n\nThe script installs from these files of the bundle's `packages/` only \
         (the packages it names and their dependencies):\n\n",
    );
    for package in &report.carried {
        let _ = writeln!(
            out,
            "- {} {} ({}): {}, SHA-256 {}",
            code(&package.name),
            code(&package.version),
            code(&package.arch),
            code(&package.file),
            code(&package.sha256)
        );
    }
    out.push('\n');
}

/// One op's or handler's section; `notified_by` are the ops that notify a handler.
fn entry(out: &mut String, entry: &Entry, notified_by: &[&str]) {
    let _ = writeln!(out, "\n### [{}] {}\n", entry.index, text(&entry.label));
    let _ = writeln!(out, "{} at {}\n", code(&entry.op), code(&entry.origin));
    if let Some(reason) = &entry.skipped {
        let _ = writeln!(out, "- skipped on this host: {}", text(reason));
    }
    for condition in &entry.when {
        let _ = writeln!(out, "- when: {}", code(condition));
    }
    if let Some(user) = &entry.runs_as {
        let _ = writeln!(out, "- runs as: {}", code(user));
    }
    for (var, value) in &entry.items {
        let _ = writeln!(out, "- loop item: {} = {}", code(var), code(value));
    }
    if !entry.notifies.is_empty() {
        let ids: Vec<String> = entry.notifies.iter().map(|id| code(id)).collect();
        let _ = writeln!(out, "- notifies: {}", ids.join(", "));
    }
    if !notified_by.is_empty() {
        let ops: Vec<String> = notified_by.iter().map(|i| format!("[{i}]")).collect();
        let _ = writeln!(out, "- notified by: {}", ops.join(", "));
    }
    if !entry.args.is_empty() {
        out.push_str("- arguments:\n");
        for (name, value) in &entry.args {
            let _ = writeln!(out, "  - {} = {}", code(name), code(value));
        }
    }
    match &entry.content {
        None => {}
        Some(Content::Text(content)) => {
            let fence = "`".repeat(longest_backtick_run(content).max(2) + 1);
            let newline = if content.ends_with('\n') { "" } else { "\n" };
            let _ = writeln!(
                out,
                "\nContent ({} bytes):\n\n{fence}text\n{content}{newline}{fence}",
                content.len()
            );
        }
        Some(Content::Binary { size, sha256 }) => {
            let _ = writeln!(
                out,
                "\nContent: binary, {size} bytes, SHA-256 {}",
                code(sha256)
            );
        }
        Some(Content::Secret { size }) => {
            let _ = writeln!(out, "\nContent: `***` (secret), {size} bytes");
        }
    }
}

/// `value` as one code span on one line.
fn code(value: &str) -> String {
    let value = value.replace(['\n', '\r'], " ");
    let ticks = "`".repeat(longest_backtick_run(&value) + 1);
    // A span that starts or ends with a backtick needs a space inside its fence.
    let pad = if value.starts_with('`') || value.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{value}{pad}{ticks}")
}

/// `value` as plain text on one line: every character that could start markup escaped.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            c if MARKUP.contains(c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// The characters that make inline markup (emphasis, code, links, raw HTML, entities,
/// tables, strike-through, a heading's closing `#`); values never start a line.
const MARKUP: &str = "\\`*_[]<>&#|~!";

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}
