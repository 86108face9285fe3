//! One op's part of a script: the functions it defines and its `k_step` (or `k_skip`) line,
//! under a comment listing its arguments when that says more than the line (a file's
//! content, a value the call transforms, a flag, a secret value shown `***`). The line
//! itself names the op's index, label and origin, so an op whose arguments all appear in
//! its call as they are is that one line.
//!
//! An op's text depends on its bound op, its place (index) and the manifest's handlers,
//! never on the rest of the host's script: so it is made once for an op that binds alike on
//! every host, and the same bytes are written into every script.

use std::fmt::Write;

use super::checks;
use crate::bind::BoundOp;
use crate::check::registered::is_command;
use crate::opdef::{ArgValue, Step};
use crate::runtime::call::{self, Fusion, Index, Judge, StepOptions};
use crate::runtime::{Uses, runtime};
use crate::shell::{Sh, quote};

/// Comment lines show argument values up to this many characters.
const COMMENT_VALUE_MAX: usize = 72;

/// A bound op and its lowered step (none when the op is skipped on this host).
pub(crate) struct Lowered<'c> {
    pub(crate) op: BoundOp<'c>,
    pub(crate) step: Option<Step>,
}

/// An op's text as the script carries it, and what it needs of the rest of the script.
#[derive(Debug)]
pub(crate) struct OpText {
    pub(super) text: String,
    /// The runtime its text uses in the script's own shell.
    pub(super) here: Uses,
    /// The runtime its code uses in another user's shell (`KILN_LIB`).
    pub(super) elsewhere: Uses,
    /// Whom it runs as (`sudo`/`su` and the user), when not the script's user.
    pub(super) become_: Option<(&'static str, String)>,
    /// Whether a condition of it is decided on the host, from facts gathered there.
    pub(super) runtime_when: bool,
    /// The op as one of a fused run, when it may be in one (`super::fuse`).
    pub(super) fused: Option<Fused>,
}

/// An op's text as one of a fused run: announced by `k_fused` instead of run by `k_step`.
#[derive(Debug)]
pub(crate) struct Fused {
    /// The run it may join: only with neighbours of the same kind.
    pub(super) fusion: Fusion,
    pub(super) text: String,
    /// The runtime its text uses (it runs in the script's own shell).
    pub(super) here: Uses,
}

impl Lowered<'_> {
    /// The op's text at `index`; `handlers` are the handlers' ids, which `notify` names.
    pub(crate) fn text(&self, index: Index, handlers: &[&str]) -> OpText {
        let op = &self.op;
        let mut elsewhere = Elsewhere::default();
        let mut body = String::new();
        let mut comment = String::new();
        let mut fused = None;
        match (&self.step, &op.skip) {
            (Some(step), _) => {
                let fusion = super::fuse::fusion_of(op, step);
                let lines = own_step(
                    &mut body,
                    &mut elsewhere,
                    index,
                    op,
                    step,
                    handlers,
                    fusion.is_some(),
                );
                let before = body.len();
                line(&mut body, &lines.step);
                step_comment(&mut comment, index, op, &body);
                fused = fusion.zip(lines.fused).map(|(fusion, fused_line)| {
                    let mut text = String::new();
                    with_comment(&mut text, &comment, &body[..before]);
                    line(&mut text, fused_line.text());
                    Fused {
                        fusion,
                        here: runtime().mentioned_by(&text),
                        text,
                    }
                });
            }
            (None, reason) => {
                let reason = reason.as_deref().unwrap_or_default();
                line(&mut body, call::skip(index, &op.label, &op.origin).text());
                if op.op.globals.register.is_some() {
                    line(&mut body, call::register_skipped(index).text());
                }
                step_comment(&mut comment, index, op, &body);
                let _ = writeln!(comment, "# skipped: {}", comment_text(reason));
            }
        }
        let mut text = String::with_capacity(comment.len() + body.len() + 1);
        with_comment(&mut text, &comment, &body);
        if let Index::Handler(_) = index {
            text = format!("\nif {}; then\n{text}fi\n", call::notified(&op.id).text());
        }
        // What only runs in another user's shell does not ask for the runtime here.
        let here = if elsewhere.texts.is_empty() {
            runtime().mentioned_by(&text)
        } else {
            let here = elsewhere.texts.iter().fold(text.clone(), |here, part| {
                here.replacen(part.as_str(), "", 1)
            });
            runtime().mentioned_by(&here)
        };
        OpText {
            here,
            elsewhere: runtime().mentioned_by(&elsewhere.code),
            text,
            become_: op.become_.how().map(|(how, user)| (how, user.to_owned())),
            runtime_when: op.host_facts,
            fused,
        }
    }
}

/// `body` under `comment`, when there is one (after a blank line).
fn with_comment(text: &mut String, comment: &str, body: &str) {
    if !comment.is_empty() {
        text.push('\n');
        text.push_str(comment);
    }
    text.push_str(body);
}

/// An op's step line, as `k_step` runs it alone, and as `k_fused` announces it in a run
/// when it may be in one.
struct StepLines {
    step: String,
    fused: Option<Sh>,
}

/// The steps that run as another user, through `k_as`: their code, which their runtime
/// (`KILN_LIB`) is made of, and the texts of the script that only carry it there (the
/// script's own runtime is made without them).
#[derive(Default)]
struct Elsewhere {
    code: String,
    texts: Vec<String>,
}

/// Writes a step's functions, and to `elsewhere` the code that runs as another user;
/// returns its step line (`k_step`), and with `fusable` its line in a fused run (`k_fused`).
fn own_step(
    out: &mut String,
    elsewhere: &mut Elsewhere,
    index: Index,
    op: &BoundOp,
    step: &Step,
    handlers: &[&str],
    fusable: bool,
) -> StepLines {
    // What the probe checks, when it must hold again after the act (else nothing).
    let check = if step.verify {
        checks::describe(op)
    } else {
        String::new()
    };
    let mut options = step_options(op, handlers, step, &check);
    if let Some(condition) = &op.runtime_when {
        line(out, call::when_function(index, condition).text());
    }
    for (changed, test) in [(true, &op.changed_when), (false, &op.failed_when)] {
        if let Some(test) = test.as_ref().filter(|t| judge(t) == Judge::Function) {
            line(out, call::judge_function(index, changed, test).text());
        }
    }
    let words = match op.become_.how() {
        None => own_words(out, index, step),
        Some((how, user)) => {
            options.become_ = Some((how, user));
            become_words(out, elsewhere, index, step)
        }
    };
    // A failure does not end the script: each later `k_step` reports its op not-run.
    StepLines {
        step: call::step(index, &op.label, &options, &words)
            .text()
            .to_owned(),
        fused: fusable.then(|| call::fused(index, &op.label, &options, &words)),
    }
}

/// `# [INDEX] LABEL  (ORIGIN)` and the op's arguments (secret values masked), all in one
/// place, when `body` does not show them all as they are (or one is secret, which the
/// comment says); then its `when`, `notify` and loop items, when it has them; nothing
/// when there is nothing to say.
fn step_comment(out: &mut String, index: Index, op: &BoundOp, body: &str) {
    let globals = &op.op.globals;
    let says_more = op
        .args
        .iter()
        .any(|(name, value)| op.is_secret(name) || !shown(&value.value, body));
    let runs_how = !globals.when.is_empty() || !globals.notify.is_empty() || op.iteration.is_some();
    if !says_more && !runs_how {
        return;
    }
    let mut arguments = String::new();
    for (name, value) in op.args.iter().filter(|_| says_more) {
        let shown = if op.is_secret(name) {
            crate::template::secret::MASK.to_owned()
        } else {
            comment_value(&value.value)
        };
        let _ = writeln!(arguments, "#     {name} = {shown}");
    }
    how_it_runs(&mut arguments, op);
    let _ = writeln!(
        out,
        "# [{index}] {}  ({})",
        comment_text(&op.label),
        op.origin
    );
    out.push_str(&arguments);
}

/// The comment's lines for how the op runs: each `when` condition, the handlers it
/// notifies, and each loop's item (`***` when secret) with the innermost's `loop_index`.
fn how_it_runs(out: &mut String, op: &BoundOp) {
    let globals = &op.op.globals;
    for condition in &globals.when {
        let condition = serde_json::Value::from(condition.value.as_str()).to_string();
        let _ = writeln!(out, "#     when = {}", comment_text(&condition));
    }
    if !globals.notify.is_empty() {
        let ids: Vec<String> = globals
            .notify
            .iter()
            .map(|id| serde_json::Value::from(id.value.as_str()).to_string())
            .collect();
        let _ = writeln!(
            out,
            "#     notify = {}",
            comment_text(&format!("[{}]", ids.join(", ")))
        );
    }
    for item in op.iteration.iter().flat_map(|i| &i.items) {
        let shown = if item.secret {
            crate::template::secret::MASK.to_owned()
        } else {
            comment_text(&item.value.to_string())
        };
        let _ = writeln!(
            out,
            "#     loop {} = {shown}  (loop_index {})",
            item.var, item.index
        );
    }
}

/// Whether `code` shows `value` as it is: a string (each string of a list) as one quoted
/// word. Other values are always commented: their spelling in the call is the op's own.
fn shown(value: &ArgValue, code: &str) -> bool {
    match value {
        ArgValue::Str(s) => code.contains(&quote(s)),
        ArgValue::List(items) => items.iter().all(|item| shown(&item.value, code)),
        ArgValue::Bool(_) | ArgValue::Int(_) | ArgValue::Map(_) => false,
    }
}

/// `k_step`'s options for `op`, lowered to `step`; `check` says what its probe checks.
fn step_options<'a>(
    op: &'a BoundOp,
    handlers: &[&'a str],
    step: &Step,
    check: &'a str,
) -> StepOptions<'a> {
    let globals = &op.op.globals;
    StepOptions {
        origin: &op.origin,
        notify: op.notify.iter().map(|&i| handlers[i]).collect(),
        check,
        ignore_errors: globals.ignore_errors,
        retries: globals.retries,
        delay: globals.retry_delay,
        when: op.runtime_when.is_some(),
        data: !step.data.is_empty(),
        text: step.text,
        // A sensitive op's commands print nothing (they may print what they write); but a
        // `files.get`'s output is its copy, which kiln takes out of the output, never shows.
        quiet: op.hides_output() && step.fetch.is_none(),
        hide_diff: op.hides_diff() && (step.call.is_some() || !step.diff.is_empty()),
        become_: None,
        register: globals.register.is_some(),
        command: is_command(&op.op.kind)
            && (globals.register.is_some()
                || op.changed_when.is_some()
                || op.failed_when.is_some()),
        changed_when: op.changed_when.as_ref().map(judge),
        failed_when: op.failed_when.as_ref().map(judge),
    }
}

/// How `k_step` is given a judge: the shell's `true` or `false` when the translator decided
/// it here (it writes those alone), else its function.
fn judge(test: &Sh) -> Judge {
    match test.text() {
        "true" => Judge::Const(true),
        "false" => Judge::Const(false),
        _ => Judge::Function,
    }
}

/// The step as a function of the verb (`ok`, `act`, `diff`): its one call, or its parts.
fn by_verb(step: &Step) -> Sh {
    match &step.call {
        Some(op_call) => op_call.with_verb("\"$1\""),
        None => parts(&step.probe, &step.act, &step.diff),
    }
}

/// Writes the functions a step run by the script's own shell needs; returns the words
/// `k_step` runs.
fn own_words(out: &mut String, index: Index, step: &Step) -> Sh {
    if !step.data.is_empty() {
        line(out, call::data_function(index, &step.data).text());
    }
    match &step.call {
        Some(op_call) => op_call.words(),
        None => {
            line(out, call::op_function(index, &by_verb(step)).text());
            call::op_function_name(index)
        }
    }
}

/// The same for a step run in another user's shell (`k_as`), which gets the runtime its
/// code uses and the definitions of the script's own functions it calls (`elsewhere`).
fn become_words(out: &mut String, elsewhere: &mut Elsewhere, index: Index, step: &Step) -> Sh {
    if !step.data.is_empty() {
        let definition = call::data_definition(index, &step.data);
        line(out, definition.text());
        elsewhere.texts.push(definition.text().to_owned());
        elsewhere.code.push_str(step.data.text());
        elsewhere.code.push('\n');
    }
    let by_verb = by_verb(step);
    elsewhere.code.push_str(by_verb.text());
    elsewhere.code.push('\n');
    let words = match &step.call {
        Some(op_call) => op_call.words(),
        None => {
            let definition = call::op_definition(index, &by_verb);
            line(out, definition.text());
            elsewhere.texts.push(definition.text().to_owned());
            call::op_function_name(index)
        }
    };
    elsewhere.texts.push(words.text().to_owned());
    words
}

/// Appends `text` and a newline to `out` (without the formatting machinery: an op's text
/// is written for every host that does not share it).
fn line(out: &mut String, text: &str) {
    out.push_str(text);
    out.push('\n');
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
