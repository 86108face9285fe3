//! Editing a text file in place, line by line: shared by `files.line`, `files.block` and
//! `files.replace`.
//!
//! On the host, the runtime library's `k_edit` reads the file and computes its desired
//! content with a fixed awk program (`k_line`, `k_block`, `k_replace` in `emit/lib.sh`;
//! the programs live in the library, not in each step, so a script carries them once
//! rather than three times per op). Every user value reaches awk through the environment
//! (`ENVIRON`), never as program text nor through `-v` (which would interpret
//! backslashes); here we only build the call's arguments. The same call is the step's probe
//! (`k_edit ok`: awk exits 0 when nothing would change), its act (`k_edit act`: the new
//! content goes to a private file, then `k_write` renames it over the old one, keeping its
//! mode and owner) and its diff (`k_edit diff`: a unified diff to the new content).
//!
//! Lines are matched without their line ending: a `\r` before the `\n` belongs to the
//! ending, so `$` works in CRLF files. Lines kiln writes end like the file's first line
//! (`\r\n` or `\n`); a replaced line keeps its own ending; lines it does not touch keep
//! their bytes. A last line without a newline gets one only when something is written
//! after it (never glued onto), and a line kiln writes always ends with one. A symbolic
//! link is followed and its target edited (as Ansible does), so a linked file stays linked.
//!
//! Every regex argument is kiln's one dialect (Python's `re`, see `crate::regex`),
//! translated here into the ERE awk matches with; where a match's extent and groups
//! matter (`files.replace`, `files.line`'s `backrefs`), into the matcher program the awk
//! frame runs, so all three ops match with one engine. awk runs with `LC_ALL=C`, so the
//! edit is byte-exact whatever the host's locale.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::OpArgs;
use crate::regex::{Refusal, Regex, Replacement};
use crate::shell::Sh;
use crate::source::Span;

use super::attrs::Attrs;
use crate::opdef::{LowerInput, Step};

/// What a missing file means to an edit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missing {
    /// An empty file, created only if the edit adds something to it.
    Empty,
    /// An error.
    Fail,
    /// An error whose message points at `create = true`.
    FailCreate,
}

impl Missing {
    fn word(self) -> &'static str {
        match self {
            Missing::Empty => "empty",
            Missing::Fail => "fail",
            Missing::FailCreate => "fail-create",
        }
    }
}

/// An edit of the file at `path`.
pub struct Edit<'a> {
    pub path: &'a str,
    pub missing: Missing,
    pub attrs: Attrs,
    pub backup: bool,
    /// The library call printing the desired content: `k_line ...`, `k_block ...` or
    /// `k_replace ...`.
    pub call: Sh,
}

/// The step: probe, act and diff are the same `k_edit` call with another verb.
pub fn edit_step(edit: &Edit) -> Step {
    let mut step = Step {
        verify: true,
        ..Step::default()
    };
    for (sh, verb) in [
        (&mut step.probe, "k_edit ok "),
        (&mut step.act, "k_edit act "),
        (&mut step.diff, "k_edit diff "),
    ] {
        sh.code(verb)
            .arg(edit.path)
            .code(" ")
            .code(edit.missing.word())
            .code(" ");
        edit.attrs.args(sh);
        sh.code(if edit.backup { " 1 " } else { " 0 " })
            .push(&edit.call);
    }
    step
}

/// Where new text goes when nothing in the file says where: the `WHERE ANCHOR` arguments of
/// `k_line` and `k_block`, from `insert_after` / `insert_before` (`BOF` and `EOF` are the
/// start and the end of the file for both; the default is the end), the anchor translated.
pub fn insertion(input: &LowerInput) -> Result<(&'static str, Option<Regex>), Diagnostic> {
    Ok(
        match insert_at(input.str("insert_after"), input.str("insert_before")) {
            "after" => ("after", compile(input, "insert_after", false)?),
            "before" => ("before", compile(input, "insert_before", false)?),
            place => (place, None),
        },
    )
}

fn insert_at(insert_after: &str, insert_before: &str) -> &'static str {
    match (insert_after, insert_before) {
        ("BOF", _) | (_, "BOF") => "bof",
        ("EOF", _) | (_, "EOF") | ("", "") => "eof",
        (_, "") => "after",
        _ => "before",
    }
}

/// A `1`/`0` word for a flag.
pub fn flag(sh: &mut Sh, value: bool) -> &mut Sh {
    sh.code(if value { "1" } else { "0" })
}

// --- regular expressions -------------------------------------------------------------------

/// The translated regex `name` of a lowered op (`None` when empty), failing with the
/// refusal (at the value, since a rendered template has no place to point into).
pub fn compile(
    input: &LowerInput,
    name: &str,
    ignore_case: bool,
) -> Result<Option<Regex>, Diagnostic> {
    let text = input.str(name);
    if text.is_empty() {
        return Ok(None);
    }
    Regex::parse(text, ignore_case)
        .map(Some)
        .map_err(|r| regex_diagnostic(name, &r, input.span(name)))
}

/// A refusal about the argument `name`, whose value is at `span`.
pub fn regex_diagnostic(name: &str, refusal: &Refusal, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidRegex,
        span,
        format!("`{name}`: {}", refusal.message),
    )
    .label(refusal.label.clone())
    .help(refusal.help.clone())
}

// --- checks ---------------------------------------------------------------------------------

/// Argument values as `validate` sees them: before rendering (`rendered` false) a templated
/// value is skipped, to be checked once rendered (at lowering, `rendered` true).
pub struct Values<'a> {
    pub args: &'a OpArgs,
    pub rendered: bool,
}

impl<'a> Values<'a> {
    /// The string value of `name`, unless it is an unrendered template.
    pub fn get(&self, name: &str) -> Option<(&'a str, crate::source::Span)> {
        let value = self.args.get(name)?;
        let text = value.value.as_str()?;
        if !self.rendered && crate::template::is_template(text) {
            return None;
        }
        Some((text, value.span))
    }
}

/// `name`'s value must not contain a line break (`what` says why) nor a NUL byte.
pub fn single_line(values: &Values, name: &str, what: &str, diagnostics: &mut Diagnostics) {
    let Some((text, span)) = values.get(name) else {
        return;
    };
    if text.contains('\n') || text.contains('\r') {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                span,
                format!("`{name}` contains a line break"),
            )
            .label(what.to_owned()),
        );
    } else {
        no_nul(name, text, span, diagnostics);
    }
}

/// A NUL byte cannot reach the host (environment strings end at one).
pub fn no_nul(name: &str, text: &str, span: crate::source::Span, diagnostics: &mut Diagnostics) {
    if text.contains('\0') {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                span,
                format!("`{name}` contains a NUL byte"),
            )
            .label("text files cannot hold one"),
        );
    }
}

/// Where a match's extent matters (the replacement `name` of the regex `regexp`): the
/// regex must have a matcher program, and every group `name` refers to must exist in it.
/// A regex that does not parse was reported by the type check (as written) or is by
/// [`compile`] (rendered).
pub fn references(
    values: &Values,
    name: &str,
    regexp: &str,
    ignore_case: bool,
    diagnostics: &mut Diagnostics,
) {
    let Some((re, re_span)) = values.get(regexp) else {
        return;
    };
    let Ok(regex) = Regex::parse(re, ignore_case) else {
        return;
    };
    if let Err(refusal) = regex.program() {
        diagnostics.push(regex_diagnostic(regexp, &refusal, re_span));
    }
    if let Some((text, span)) = values.get(name)
        && let Err(refusal) = Replacement::parse(text, &regex)
    {
        diagnostics.push(regex_diagnostic(name, &refusal, span));
    }
}

/// At lowering: runs `check` on the rendered arguments and fails with its first error.
pub fn recheck(args: &OpArgs, check: fn(&Values, &mut Diagnostics)) -> Result<(), Diagnostic> {
    let mut diagnostics = Diagnostics::default();
    check(
        &Values {
            args,
            rendered: true,
        },
        &mut diagnostics,
    );
    match diagnostics.sorted().into_iter().next() {
        Some(first) => Err(first),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insertion_points() {
        assert_eq!(insert_at("", ""), "eof");
        assert_eq!(insert_at("EOF", ""), "eof");
        assert_eq!(insert_at("", "BOF"), "bof");
        assert_eq!(insert_at("^a", ""), "after");
        assert_eq!(insert_at("", "^b"), "before");
    }
}
