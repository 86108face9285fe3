//! The emitter: one host's plan as a standalone POSIX shell script.
//!
//! Layout: a header (generator, host, sources, usage), the runtime functions the script
//! uses (`crate::runtime`; when steps run as another user, also the runtime their code
//! uses, in `KILN_LIB`, which `k_as` hands to that user's shell), then per op a comment
//! (op, arguments, `file:line`) and one `k_step` call: of the op's runtime entry point when
//! its step is one call, else of a function holding its probe, act and diff by verb; then
//! the handlers (each under `if` it was notified), then the summary. Every runtime call is
//! made by `runtime::call`. Output is deterministic: the same inputs give the same bytes.

use std::fmt::Write;

use rayon::prelude::*;

mod checks;
mod lower;

use crate::bind::{BoundOp, HostPlan};
use crate::check::Compiled;
use crate::diagnostic::Diagnostics;
use crate::facts::Facts;
use crate::inventory::Inventory;
use crate::opdef::ArgValue;
use crate::opdef::Step;
use crate::runtime::call::{self, Index, StepOptions};
use crate::runtime::{self};
use crate::shell::Sh;
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
    let _ = writeln!(out, "{}", call::begin().text());
    // Whom the script becomes: a become password is checked once, up front.
    for &(how, user) in &becomes {
        let _ = writeln!(
            out,
            "{} || {}",
            call::become_check(how, user).text(),
            call::fail_run().text()
        );
    }
    if plan
        .ops
        .iter()
        .chain(&plan.handlers)
        .any(|op| op.runtime_when.is_some())
    {
        // Some conditions need facts only the host knows: gather them once, up front.
        let _ = writeln!(out, "{}", call::gather_facts(crate::facts::PROBE).text());
    }
    let handlers: Vec<&str> = plan.handlers.iter().map(|h| h.id.as_str()).collect();
    let mut ok = true;
    for (index, op) in plan.ops.iter().enumerate() {
        ok &= step(
            &mut out,
            &mut elsewhere,
            sources,
            Index::Op(index + 1),
            op,
            &handlers,
            diagnostics,
        );
    }
    for (index, handler) in plan.handlers.iter().enumerate() {
        let _ = writeln!(out, "\nif {}; then", call::notified(&handler.id).text());
        ok &= step(
            &mut out,
            &mut elsewhere,
            sources,
            Index::Handler(index + 1),
            handler,
            &handlers,
            diagnostics,
        );
        out.push_str("fi\n");
    }
    let _ = writeln!(out, "\n{}", call::end().text());
    if !ok {
        return None;
    }
    let mut script = String::with_capacity(out.len() + 32 * 1024);
    header(&mut script, plan, files);
    script.push_str("set -u\n");
    script.push_str(&runtime::for_code(&out));
    if !becomes.is_empty() {
        let _ = writeln!(
            script,
            "{}",
            call::runtime_for_others(&runtime::for_code(&elsewhere))
        );
    }
    script.push_str(&out);
    Some(script)
}

fn header(out: &mut String, plan: &HostPlan, files: &[String]) {
    let _ = writeln!(
        out,
        "#!/bin/sh\n\
         # Functions are called by name, by the runtime (SC2317); file contents and\n\
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
/// runs as another user; false if it cannot be lowered. `handlers` are the handlers' ids.
fn step(
    out: &mut String,
    elsewhere: &mut String,
    sources: &SourceMap,
    index: Index,
    op: &BoundOp,
    handlers: &[&str],
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
        let _ = writeln!(out, "{}", call::skip(index, &op.label, &op.origin).text());
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
        call: op_call,
    } = lowered;
    let globals = &op.op.globals;
    // What the probe checks, when it must hold again after the act (else nothing).
    let check = if verify {
        checks::describe(op)
    } else {
        String::new()
    };
    let mut options = StepOptions {
        origin: &op.origin,
        notify: op.notify.iter().map(|&i| handlers[i]).collect(),
        check: &check,
        ignore_errors: globals.ignore_errors,
        retries: globals.retries,
        delay: globals.retry_delay,
        when: op.runtime_when.is_some(),
        data: !data.is_empty(),
        // A sensitive op's commands print nothing (they may print what they write).
        quiet: op.hides_output(),
        hide_diff: op.hides_diff() && (op_call.is_some() || !diff.is_empty()),
        become_: None,
    };
    if let Some(condition) = &op.runtime_when {
        let _ = writeln!(out, "{}", call::when_function(index, condition).text());
    }
    // The step as a function of the verb: one call, or its parts.
    let by_verb = match &op_call {
        Some(op_call) => op_call.with_verb("\"$1\""),
        None => parts(&probe, &act, &diff),
    };
    let words = match op.become_.how() {
        None => {
            if !data.is_empty() {
                let _ = writeln!(out, "{}", call::data_function(index, &data).text());
            }
            match &op_call {
                Some(op_call) => op_call.words(),
                None => {
                    let _ = writeln!(out, "{}", call::op_function(index, &by_verb).text());
                    call::op_function_name(index)
                }
            }
        }
        Some((how, user)) => {
            // The step runs in the other user's shell (`k_as`), which gets the runtime its
            // code uses and the definitions of the script's own functions it calls.
            options.become_ = Some((how, user));
            if !data.is_empty() {
                let _ = writeln!(out, "{}", call::data_definition(index, &data).text());
                elsewhere.push_str(data.text());
                elsewhere.push('\n');
            }
            elsewhere.push_str(by_verb.text());
            elsewhere.push('\n');
            match &op_call {
                Some(op_call) => op_call.words(),
                None => {
                    let _ = writeln!(out, "{}", call::op_definition(index, &by_verb).text());
                    call::op_function_name(index)
                }
            }
        }
    };
    // A failure does not end the script: each later `k_step` reports its op not-run.
    let _ = writeln!(
        out,
        "{}",
        call::step(index, &op.label, &options, &words).text()
    );
    true
}

/// `case $1 in ok) PROBE ;; act) ACT ;; diff) DIFF ;; esac`: a step's parts by verb. An
/// empty probe holds; an empty diff shows nothing.
fn parts(probe: &Sh, act: &Sh, diff: &Sh) -> Sh {
    let mut sh = Sh::of("case $1 in\n  ok) ");
    if probe.is_empty() {
        sh.code(":");
    } else {
        sh.push(probe);
    }
    sh.code("\n  ;;\n  act) ").push(act).code("\n  ;;");
    if !diff.is_empty() {
        sh.code("\n  diff) ").push(diff).code("\n  ;;");
    }
    sh.code("\n  esac");
    sh
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
