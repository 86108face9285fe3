//! A [`Report`] as one self-contained HTML page (no script, no outside resource). Every
//! value from the manifest goes through [`escape`] (`&`, `<`, `>`, `"`, `'`), in text and
//! in attributes alike, so no value can become markup.

use std::fmt::Write;

use super::{Content, Entry, Report, Summary};

const STYLE: &str = "body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}\
code,pre{font-family:monospace}pre{background:#f4f4f4;padding:.5rem;overflow-x:auto}\
section{border-top:1px solid #ccc;margin-top:1rem}.skipped{color:#777}";

/// `report` as an HTML document.
pub fn html(report: &Report) -> String {
    let host = escape(&report.host);
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>What the script of {host} does</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>What the script of {host} does</h1>\n"
    );
    let sources: Vec<String> = report.sources.iter().map(|s| code(s)).collect();
    let _ = writeln!(
        out,
        "<p>Host {} ({}), made from {}. Each op runs in this order; a probe on the host decides, \
         right before it acts, whether anything needs doing.</p>",
        code(&report.host),
        code(&report.target),
        sources.join(", ")
    );
    summary(&mut out, report);
    carried(&mut out, report);
    out.push_str("<h2>Ops</h2>\n");
    for op in &report.ops {
        entry(&mut out, op, &[]);
    }
    if !report.handlers.is_empty() {
        out.push_str("<h2>Handlers</h2>\n<p>Each runs once, after the ops, when an op that notifies it changed something.</p>\n");
        for handler in &report.handlers {
            entry(&mut out, handler, &report.notifiers(&handler.id));
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// The summary: how many ops, then the files, packages and commands.
fn summary(out: &mut String, report: &Report) {
    let skipped = report.ops.iter().filter(|op| op.skipped.is_some()).count();
    let _ = writeln!(
        out,
        "<h2>Summary</h2>\n<ul>\n<li>{} ops ({skipped} skipped on this host), {} handlers.</li>",
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
        let _ = writeln!(out, "<li>{title}:<ul>");
        for (what, index) in rows {
            let _ = writeln!(out, "<li>{} ({})</li>", code(what), link(index));
        }
        out.push_str("</ul></li>\n");
    }
    out.push_str("</ul>\n");
}

/// The packages the bundle carries: the exact versions the script installs.
fn carried(out: &mut String, report: &Report) {
    if report.carried.is_empty() {
        return;
    }
    out.push_str(
        "<h2>Packages carried</h2>\n<p>The script installs from these files of the bundle's \
         <code>packages/</code> only (the packages it names and their dependencies):</p>\n<ul>\n",
    );
    for package in &report.carried {
        let _ = writeln!(
            out,
            "<li>{} {} ({}): {}, SHA-256 {}</li>",
            code(&package.name),
            code(&package.version),
            code(&package.arch),
            code(&package.file),
            code(&package.sha256)
        );
    }
    out.push_str("</ul>\n");
}

/// One op's or handler's section; `notified_by` are the ops that notify a handler.
fn entry(out: &mut String, entry: &Entry, notified_by: &[&str]) {
    let class = if entry.skipped.is_some() {
        " class=\"skipped\""
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "<section id=\"op-{}\"{class}>\n<h3>[{}] {}</h3>\n<p>{} at {}</p>\n<ul>",
        escape(&entry.index),
        escape(&entry.index),
        escape(&entry.label),
        code(&entry.op),
        code(&entry.origin)
    );
    if let Some(reason) = &entry.skipped {
        let _ = writeln!(out, "<li>skipped on this host: {}</li>", escape(reason));
    }
    for condition in &entry.when {
        let _ = writeln!(out, "<li>when: {}</li>", code(condition));
    }
    if let Some(user) = &entry.runs_as {
        let _ = writeln!(out, "<li>runs as: {}</li>", code(user));
    }
    for (var, value) in &entry.items {
        let _ = writeln!(out, "<li>loop item: {} = {}</li>", code(var), code(value));
    }
    if !entry.notifies.is_empty() {
        let ids: Vec<String> = entry.notifies.iter().map(|id| code(id)).collect();
        let _ = writeln!(out, "<li>notifies: {}</li>", ids.join(", "));
    }
    if !notified_by.is_empty() {
        let ops: Vec<String> = notified_by.iter().map(|i| link(i)).collect();
        let _ = writeln!(out, "<li>notified by: {}</li>", ops.join(", "));
    }
    if !entry.args.is_empty() {
        out.push_str("<li>arguments:<ul>\n");
        for (name, value) in &entry.args {
            let _ = writeln!(out, "<li>{} = {}</li>", code(name), code(value));
        }
        out.push_str("</ul></li>\n");
    }
    out.push_str("</ul>\n");
    match &entry.content {
        None => {}
        Some(Content::Text(content)) => {
            let _ = writeln!(
                out,
                "<p>Content ({} bytes):</p>\n<pre>{}</pre>",
                content.len(),
                escape(content)
            );
        }
        Some(Content::Binary { size, sha256 }) => {
            let _ = writeln!(
                out,
                "<p>Content: binary, {size} bytes, SHA-256 {}</p>",
                code(sha256)
            );
        }
        Some(Content::Secret { size }) => {
            let _ = writeln!(
                out,
                "<p>Content: <code>***</code> (secret), {size} bytes</p>"
            );
        }
    }
    out.push_str("</section>\n");
}

/// `[INDEX]` linking to the op's section.
fn link(index: &str) -> String {
    let index = escape(index);
    format!("<a href=\"#op-{index}\">[{index}]</a>")
}

fn code(value: &str) -> String {
    format!("<code>{}</code>", escape(value))
}

/// `text` with the characters HTML gives a meaning escaped, for text and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
