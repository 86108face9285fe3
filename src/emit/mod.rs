//! The emitter: one host's plan as a standalone POSIX shell script.
//!
//! Layout: a header (generator, host, sources, usage), the runtime functions the script
//! uses (`crate::runtime`; when steps run as another user, also the runtime their code
//! uses, in `KILN_LIB`, which `k_as` hands to that user's shell), then per op a comment
//! (op, arguments, `file:line`), its probe/act/diff functions and one `k_step` call, then
//! the handlers, then the summary. Output is deterministic: the same inputs give the same
//! bytes.

use std::fmt::Write;

use rayon::prelude::*;

mod checks;
mod lower;

use crate::bind::{Become, BoundOp, HostPlan};
use crate::check::Compiled;
use crate::diagnostic::Diagnostics;
use crate::facts::Facts;
use crate::inventory::Inventory;
use crate::opdef::ArgValue;
use crate::opdef::Step;
use crate::runtime::{self, status};
use crate::shell::{Sh, quote};
use crate::source::SourceMap;

/// Comment lines show argument values up to this many characters.
const COMMENT_VALUE_MAX: usize = 72;

/// Binds and emits the script of every host, in parallel (hosts are independent), in the
/// inventory's order. `facts[i]` are the facts of `inventory.hosts[i]`, when known. Hosts
/// whose script cannot be made are left out, with their diagnostics reported.
pub fn all_hosts(
    sources: &SourceMap,
    compiled: &Compiled,
    inventory: &Inventory,
    facts: &[Option<Facts>],
    diagnostics: &mut Diagnostics,
) -> Vec<(String, String)> {
    let files: Vec<String> = (0..sources.len())
        .map(|i| sources.file(crate::source::FileId(i as u32)).name.clone())
        .filter(|name| crate::syntax::Format::of(std::path::Path::new(name)).is_some())
        .collect();
    let results: Vec<(Option<(String, String)>, Diagnostics)> = inventory
        .hosts
        .par_iter()
        .enumerate()
        .map(|(i, host)| {
            let mut host_diagnostics = Diagnostics::default();
            let host_facts = facts.get(i).and_then(Option::as_ref);
            let script =
                crate::bind::bind(sources, compiled, host, host_facts, &mut host_diagnostics)
                    .and_then(|plan| script(sources, &plan, &files, &mut host_diagnostics))
                    .map(|script| (host.name.clone(), script));
            (script, host_diagnostics)
        })
        .collect();
    let mut scripts = Vec::with_capacity(results.len());
    for (script, host_diagnostics) in results {
        diagnostics.extend(host_diagnostics);
        scripts.extend(script);
    }
    scripts
}

/// The script for `plan`, or `None` if an op cannot be lowered (reported).
pub fn script(
    sources: &SourceMap,
    plan: &HostPlan,
    files: &[String],
    diagnostics: &mut Diagnostics,
) -> Option<String> {
    let mut out = String::with_capacity(16 * 1024);
    // The code that runs as another user, through `k_as`: what its runtime is made of.
    let mut elsewhere = String::new();
    let becomes: std::collections::BTreeSet<(&str, &str)> = plan
        .ops
        .iter()
        .chain(&plan.handlers)
        .filter_map(|op| op.become_.how())
        .collect();
    out.push_str("k_begin \"$@\"\n");
    // Whom the script becomes: a become password is checked once, up front.
    for &(how, user) in &becomes {
        let _ = writeln!(out, "k_become_check {how} {} || k_fail_run", quote(user));
    }
    if plan
        .ops
        .iter()
        .chain(&plan.handlers)
        .any(|op| op.runtime_when.is_some())
    {
        // Some conditions need facts only the host knows: gather them once, up front.
        let _ = writeln!(
            out,
            "k_gather() {{\n{}}}\nk_facts=$(k_gather)",
            crate::facts::PROBE
        );
    }
    let mut ok = true;
    for (index, op) in plan.ops.iter().enumerate() {
        ok &= step(
            &mut out,
            &mut elsewhere,
            sources,
            &format!("{}", index + 1),
            op,
            diagnostics,
        );
    }
    for (index, handler) in plan.handlers.iter().enumerate() {
        let _ = writeln!(out, "\nif k_notified {index}; then");
        ok &= step(
            &mut out,
            &mut elsewhere,
            sources,
            &format!("h{}", index + 1),
            handler,
            diagnostics,
        );
        out.push_str("fi\n");
    }
    out.push_str("\nk_end\n");
    if !ok {
        return None;
    }
    let mut script = String::with_capacity(out.len() + 32 * 1024);
    header(&mut script, plan, files);
    script.push_str("set -u\n");
    script.push_str(&runtime::for_code(&out));
    if !becomes.is_empty() {
        let _ = writeln!(script, "KILN_LIB={}", quote(&runtime::for_code(&elsewhere)));
    }
    script.push_str(&out);
    Some(script)
}

fn header(out: &mut String, plan: &HostPlan, files: &[String]) {
    let _ = writeln!(
        out,
        "#!/bin/sh\n\
         # Step functions are called by name through k_step (SC2317); file contents and\n\
         # commands are data in single quotes (SC2016, SC1003); modes are read from `ls -ld`,\n\
         # the only POSIX way (SC2012).\n\
         # shellcheck disable=SC2317,SC2016,SC1003,SC2012\n\
         #\n# Generated by kiln {} for host {} ({}). Do not edit: change the manifest.\n# Sources: {}",
        env!("CARGO_PKG_VERSION"),
        plan.host.name,
        plan.host.target,
        files.join(", ")
    );
    out.push_str(
        "#\n# Usage: sh SCRIPT [--check] [--detailed-exitcodes]\n\
         #   --check                report what would change, change nothing\n\
         #   --detailed-exitcodes   exit 2 when something changed (or would change)\n\
         # Exit status: 0 success, 1 an operation failed, 2 see above, 64 bad usage.\n\
         # Prints one status line per operation: ok, changed, would-change, would-fail,\n\
         # failed, failed-ignored, skipped or not-run (after a failure), then a summary.\n\n",
    );
}

/// Writes one op's comment, functions and `k_step` call, and to `elsewhere` the code that
/// runs as another user; false if it cannot be lowered.
fn step(
    out: &mut String,
    elsewhere: &mut String,
    sources: &SourceMap,
    index: &str,
    op: &BoundOp,
    diagnostics: &mut Diagnostics,
) -> bool {
    let _ = writeln!(
        out,
        "\n# [{index}] {}  ({})",
        comment_text(&op.label),
        op.origin
    );
    for (name, value) in op.args.iter() {
        let shown = if op.is_secret(name) {
            crate::template::secret::MASK.to_owned()
        } else {
            comment_value(&value.value)
        };
        let _ = writeln!(out, "#     {name} = {shown}");
    }
    if let Some(reason) = &op.skip {
        let _ = writeln!(out, "# skipped: {}", comment_text(reason));
        let _ = writeln!(
            out,
            "k_skip {index} {} {}",
            quote(&status::escape(&op.label)),
            quote(&status::escape(&op.origin))
        );
        return true;
    }
    let lowered = match lower::lower(sources, op) {
        Ok(lowered) => lowered,
        Err(diagnostic) => {
            diagnostics.push(diagnostic);
            return false;
        }
    };
    let Step {
        probe,
        act,
        diff,
        verify,
        data,
    } = lowered;
    let diff = if op.hides_diff() && !diff.is_empty() {
        Sh::of("printf '%s\\n' 'content differs, hidden'")
    } else {
        diff
    };
    // A sensitive op's commands print nothing (they may print what they write).
    let (probe, act) = if op.hides_output() {
        (silenced(&probe), silenced(&act))
    } else {
        (probe, act)
    };
    let data_name = format!("k_data_{index}");
    let feed = if data.is_empty() {
        None
    } else if op.become_.how().is_some() {
        // The data function runs where the step runs: its definition goes to the other
        // user's shell with the step's code (see `k_as`).
        let mut definition = String::new();
        function(&mut definition, &data_name, &data, &Become::Current, None);
        let _ = writeln!(out, "{data_name}_def={}", quote(&definition));
        elsewhere.push_str(&definition);
        Some(data_name.as_str())
    } else {
        function(out, &data_name, &data, &Become::Current, None);
        Some(data_name.as_str())
    };
    if op.become_.how().is_some() {
        for code in [&probe, &act, &diff] {
            elsewhere.push_str(code.text());
            elsewhere.push('\n');
        }
    }
    function(out, &format!("k_probe_{index}"), &probe, &op.become_, feed);
    function(out, &format!("k_act_{index}"), &act, &op.become_, feed);
    let diff_name = if diff.is_empty() {
        String::new()
    } else {
        function(out, &format!("k_diff_{index}"), &diff, &op.become_, feed);
        format!("k_diff_{index}")
    };
    let notify: Vec<String> = op.notify.iter().map(usize::to_string).collect();
    let globals = &op.op.globals;
    if let Some(condition) = &op.runtime_when {
        function(
            out,
            &format!("k_when_{index}"),
            condition,
            &Become::Current,
            None,
        );
        let _ = write!(out, "if k_when_{index}; then ");
    }
    // What the probe checks, when it must hold again after the act (else nothing).
    let checks = if verify {
        checks::describe(op)
    } else {
        String::new()
    };
    // A failure does not end the script: each later `k_step` reports its op not-run.
    let _ = write!(
        out,
        "k_step {index} {} {} {} {} {} {} {} k_probe_{index} k_act_{index} {}",
        quote(&status::escape(&op.label)),
        quote(&status::escape(&op.origin)),
        quote(&notify.join(" ")),
        quote(&checks),
        u8::from(globals.ignore_errors),
        globals.retries,
        globals.retry_delay,
        quote(&diff_name),
    );
    if op.runtime_when.is_some() {
        // `$?` is the condition's status: false skips, undecidable (2) fails the step.
        let _ = write!(
            out,
            "\nelse k_when_else $? {index} {} {}; fi",
            quote(&status::escape(&op.label)),
            quote(&status::escape(&op.origin))
        );
    }
    out.push('\n');
    true
}

/// A shell function running `body`, as another user when the op says so, with the output
/// of the function `feed` on its standard input. As another user, `body` and the
/// definition of `feed` (in the variable `FEED_def`) reach that user's shell through
/// `k_as`, on its standard input.
fn function(out: &mut String, name: &str, body: &Sh, become_: &Become, feed: Option<&str>) {
    let _ = writeln!(out, "{name}() {{");
    match (become_.how(), feed) {
        (None, Some(feed)) => {
            let _ = writeln!(out, "  {feed} | {{");
            indent(out, body, "    ");
            out.push_str("  }\n");
        }
        (None, None) => indent(out, body, "  "),
        (Some((how, user)), None) => {
            let _ = writeln!(out, "  k_as {how} {} {}", quote(user), quote(body.text()));
        }
        (Some((how, user)), Some(feed)) => {
            let code = format!("{feed} | {{\n{}\n}}", body.text());
            let _ = writeln!(
                out,
                "  k_as {how} {} \"${feed}_def\" {}",
                quote(user),
                quote(&code)
            );
        }
    }
    // A step reads nothing it is not fed: in a live run the script itself arrives on
    // standard input, and a command must not eat it.
    out.push_str(if feed.is_some() {
        "}\n"
    } else {
        "} </dev/null\n"
    });
}

/// Writes `body` as the inside of a function. Its first line is indented; the rest is
/// written as is, because a line break may be inside a quoted value, where spaces added in
/// front of the next line would change the value.
fn indent(out: &mut String, body: &Sh, prefix: &str) {
    out.push_str(prefix);
    out.push_str(if body.is_empty() { ":" } else { body.text() });
    out.push('\n');
}

/// `body` with its standard output and error discarded, by a subshell that redirects
/// itself: dash and busybox sh ignore a redirection on a subshell (or on a group holding
/// one) inside a function that has a redirection of its own (`k_act_1() { ... } </dev/null`).
fn silenced(body: &Sh) -> Sh {
    if body.is_empty() {
        return Sh::new();
    }
    let mut quiet = Sh::of("( exec >/dev/null 2>&1\n");
    quiet.push(body).code("\n)");
    quiet
}

/// A value for a comment: JSON notation (so a newline cannot end the comment), shortened.
fn comment_value(value: &ArgValue) -> String {
    let json = match value {
        ArgValue::Str(s) => serde_json::Value::from(s.as_str()).to_string(),
        ArgValue::Bool(b) => b.to_string(),
        ArgValue::Int(i) => i.to_string(),
        ArgValue::List(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| comment_value(&i.value))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ArgValue::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{} = {}", k.value, comment_value(&v.value)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    comment_text(&json)
}

/// Text safe inside a `#` comment: one line, not too long.
fn comment_text(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() > COMMENT_VALUE_MAX {
        let cut: String = one_line.chars().take(COMMENT_VALUE_MAX).collect();
        format!("{cut}…")
    } else {
        one_line
    }
}
