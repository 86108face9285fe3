//! Editing a text file in place, line by line: shared by `files.line`, `files.block` and
//! `files.replace`.
//!
//! On the host, the runtime's `k_edit` reads the file and computes its desired
//! content with a fixed awk program (`k_line`, `k_block`, `k_replace` in `src/runtime/`;
//! the programs live in the library, not in each step, so a script carries them once
//! rather than three times per op). Every user value reaches awk through the environment
//! (`ENVIRON`), never as program text nor through `-v` (which would interpret
//! backslashes); here we only build the call's arguments (`runtime::call::edit`). The one
//! call is the step's probe (`k_edit ok`: awk exits 0 when nothing would change), its act
//! (`k_edit act`: the new content goes to a private file, renamed over the old one, with
//! its mode and owner) and its diff (`k_edit diff`: a unified diff to the new content).
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
use crate::runtime::call::{self, Edit, Fusion, Place};
use crate::source::Span;

use crate::opdef::{LowerInput, Step};

/// The step: one `k_edit` call, whose verb makes it the probe, the act or the diff.
/// Edits of one file without attributes, backup nor `validate` may be fused: one read, one pass, one
/// write for a run of them.
pub(crate) fn edit_step(edit: &Edit) -> Step {
    let attributes = &edit.attributes;
    let plain = attributes.mode.is_empty()
        && attributes.owner.is_empty()
        && attributes.group.is_empty()
        && !edit.backup
        // A run validates no member's result: an op with `validate` is written alone.
        && edit.validate.is_none();
    Step {
        call: Some(call::edit(edit)),
        verify: true,
        fusion: plain.then(|| Fusion::Edit(edit.path.to_owned())),
        ..Step::default()
    }
}

/// Where new text goes when nothing in the file says where, from `insert_after` /
/// `insert_before` (`BOF` and `EOF` are the start and the end of the file for both; the
/// default is the end), with the anchor translated.
pub(crate) fn insertion(input: &LowerInput) -> Result<(Place, Option<Regex>), Diagnostic> {
    Ok(
        match insert_at(input.str("insert_after"), input.str("insert_before")) {
            Place::After => (Place::After, compile(input, "insert_after", false)?),
            Place::Before => (Place::Before, compile(input, "insert_before", false)?),
            place => (place, None),
        },
    )
}

fn insert_at(insert_after: &str, insert_before: &str) -> Place {
    match (insert_after, insert_before) {
        ("BOF", _) | (_, "BOF") => Place::Start,
        ("EOF", _) | (_, "EOF") | ("", "") => Place::End,
        (_, "") => Place::After,
        _ => Place::Before,
    }
}

// --- regular expressions -------------------------------------------------------------------

/// The translated regex `name` of a lowered op (`None` when empty), failing with the
/// refusal (at the value, since a rendered template has no place to point into).
pub(crate) fn compile(
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
pub(crate) fn regex_diagnostic(name: &str, refusal: &Refusal, span: Span) -> Diagnostic {
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
pub(crate) struct Values<'a> {
    pub args: &'a OpArgs,
    pub rendered: bool,
}

impl<'a> Values<'a> {
    /// The string value of `name`, unless it is an unrendered template.
    pub(crate) fn get(&self, name: &str) -> Option<(&'a str, crate::source::Span)> {
        let value = self.args.get(name)?;
        let text = value.value.as_str()?;
        if !self.rendered && crate::template::is_template(text) {
            return None;
        }
        Some((text, value.span))
    }
}

/// `name`'s value must not contain a line break (`what` says why) nor a NUL byte.
pub(crate) fn single_line(values: &Values, name: &str, what: &str, diagnostics: &mut Diagnostics) {
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
pub(crate) fn no_nul(
    name: &str,
    text: &str,
    span: crate::source::Span,
    diagnostics: &mut Diagnostics,
) {
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
pub(crate) fn references(
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

/// Runs `check` on the values as written (`validate`'s time): templated values wait for
/// [`recheck`], which runs it again once they are rendered.
pub(crate) fn check_as_written(
    args: &OpArgs,
    check: fn(&Values, &mut Diagnostics),
    diagnostics: &mut Diagnostics,
) {
    check(
        &Values {
            args,
            rendered: false,
        },
        diagnostics,
    );
}

/// At lowering: runs `check` on the rendered arguments and fails with its first error.
pub(crate) fn recheck(
    args: &OpArgs,
    check: fn(&Values, &mut Diagnostics),
) -> Result<(), Diagnostic> {
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
        assert_eq!(insert_at("", ""), Place::End);
        assert_eq!(insert_at("EOF", ""), Place::End);
        assert_eq!(insert_at("", "BOF"), Place::Start);
        assert_eq!(insert_at("^a", ""), Place::After);
        assert_eq!(insert_at("", "^b"), Place::Before);
    }
}
