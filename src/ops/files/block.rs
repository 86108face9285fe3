//! `files.block`: ensure a block of lines between marker lines is present in (or absent
//! from) a file, like Ansible's `blockinfile` and pyinfra's `files.block`.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::OpArgs;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::ops::common::{EDIT_BACKUP, EDIT_GROUP, EDIT_MODE, EDIT_OWNER};
use crate::regex::Regex;
use crate::runtime::call::{self, Block, Edit, Missing};
use crate::steps::attrs::Attrs;
use crate::steps::edit::{self, Values};
use crate::steps::validator;

pub(crate) const DEF: OpDef = OpDef::new(
    "files.block",
    "Ensure a block of lines, delimited by marker lines, is present in or absent from a file.",
    Network::Never,
    lower,
)
.main_arg("path")
.args(&[
    arg("path", Path, "The file to edit.").required(),
    arg("block", Str, "The lines to put between the markers. Required when `present` is true."),
    arg("marker", Str, "The marker line template; `{mark}` is replaced by `marker_begin` or `marker_end`. Must be unique per block in the file.").default(Default::Str("# {mark} MANAGED BY KILN")),
    arg("marker_begin", Str, "What `{mark}` becomes in the opening marker.").default(Default::Str("BEGIN")),
    arg("marker_end", Str, "What `{mark}` becomes in the closing marker.").default(Default::Str("END")),
    arg("insert_after", Regex, "Insert a new block after the last line matching this regex (`EOF` for the end) when the markers are not found."),
    arg("insert_before", Regex, "Insert a new block before the last line matching this regex (`BOF` for the start) when the markers are not found."),
    arg("first_match", Bool, "Use the first line matching `insert_after`/`insert_before` instead of the last.").default(Default::Bool(false)),
    arg("prepend_newline", Bool, "Keep an empty line before the block, unless it starts the file.").default(Default::Bool(false)),
    arg("append_newline", Bool, "Keep an empty line after the block, unless it ends the file.").default(Default::Bool(false)),
    arg("present", Bool, "Whether the block should be in the file; when false the markers and everything between them are removed.").default(Default::Bool(true)),
    arg("create", Bool, "Create the file if it does not exist.").default(Default::Bool(false)),
    EDIT_BACKUP,
    EDIT_MODE,
    EDIT_OWNER,
    EDIT_GROUP,
    validator::ARG,
])
.rules(&[
    Rule::Conflicts("insert_after", "insert_before"),
    Rule::RequiredIf("present", &["block"]),
    Rule::RequiredIf("first_match", &["insert_after", "insert_before"]),
])
.validate(validate);

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    validator::check(args, diagnostics);
    // A templated marker is checked once it is rendered.
    if let Some(marker) = args.get("marker")
        && let Some(text) = marker.value.as_str()
        && !text.contains("{{")
    {
        if !text.contains("{mark}") {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    marker.span,
                    "`marker` does not contain `{mark}`",
                )
                .label("the opening and closing markers would be the same line")
                .help("put `{mark}` where `BEGIN` / `END` should go, e.g. `\"# {mark} nginx tuning\"`"),
            );
        }
        if text.contains('\n') || text.contains('\r') {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    marker.span,
                    "`marker` contains a line break",
                )
                .label("a marker must be a single line"),
            );
        }
    }
    let begin = args.str("marker_begin").unwrap_or("BEGIN");
    let end = args.str("marker_end").unwrap_or("END");
    if begin == end
        && let Some(given) = args.get("marker_end").or_else(|| args.get("marker_begin"))
    {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                given.span,
                "`marker_begin` and `marker_end` are the same",
            )
            .label("the block's start and end could not be told apart"),
        );
    }
    edit::check_as_written(args, check, diagnostics);
}

/// What must also hold once templates are rendered.
fn check(values: &Values, diagnostics: &mut Diagnostics) {
    for name in ["insert_after", "insert_before"] {
        edit::single_line(
            values,
            name,
            "it is matched against one line at a time",
            diagnostics,
        );
    }
    for name in ["insert_after", "insert_before"] {
        if let Some((text, span)) = values.get(name)
            && multiline_flag(text)
        {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidRegex,
                    span,
                    format!("`{name}` starts with `(?m)`"),
                )
                .label("with it, Ansible's blockinfile searches the whole file and takes the first match, where `\\s` and `[^...]` also match line breaks")
                .help("kiln matches line by line: drop `(?m)`, and set `first_match = true` for the first matching line"),
            );
        }
    }
    for name in ["marker_begin", "marker_end"] {
        edit::single_line(values, name, "a marker must be a single line", diagnostics);
    }
    if let Some((block, span)) = values.get("block") {
        edit::no_nul("block", block, span, diagnostics);
    }
    check_markers(values, diagnostics);
}

/// The markers and the block as they will be written (literal values only): the opening
/// and closing markers differ, and no line of the block is one of them.
fn check_markers(values: &Values, diagnostics: &mut Diagnostics) {
    let text = |name: &str| match values.args.get(name) {
        None => match DEF.arg(name).and_then(|a| a.default) {
            Some(Default::Str(default)) => Some(default),
            _ => None,
        },
        Some(_) => values.get(name).map(|(text, _)| text),
    };
    let (Some(marker), Some(begin), Some(end)) =
        (text("marker"), text("marker_begin"), text("marker_end"))
    else {
        return;
    };
    let (first, last) = markers(marker, begin, end);
    if values.rendered && first == last {
        if let Some(given) = ["marker", "marker_end", "marker_begin"]
            .iter()
            .find_map(|name| values.args.get(name))
        {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    given.span,
                    "the opening and closing markers are the same line",
                )
                .label(format!("both are `{first}`"))
                .help(
                    "put `{mark}` in `marker`, and give `marker_begin` and `marker_end` different values",
                ),
            );
        }
        return;
    }
    if let Some((block, span)) = values.get("block")
        && let Some(line) = block_lines(block)
            .into_iter()
            .find(|l| *l == first || *l == last)
    {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                span,
                "`block` contains one of its own marker lines",
            )
            .label(format!(
                "`{line}` would end or start the block when read back"
            ))
            .help("change `marker`, or that line of the block"),
        );
    }
}

/// Whether `pattern` starts with global flags that include `m` (`(?m)`, `(?im)`): what
/// makes blockinfile search the whole file rather than each line.
fn multiline_flag(pattern: &str) -> bool {
    pattern
        .strip_prefix("(?")
        .and_then(|rest| rest.find(')').map(|end| &rest[..end]))
        .is_some_and(|flags| flags.chars().all(|c| c.is_ascii_alphabetic()) && flags.contains('m'))
}

/// The opening and closing marker lines.
fn markers(marker: &str, begin: &str, end: &str) -> (String, String) {
    (
        marker.replace("{mark}", begin),
        marker.replace("{mark}", end),
    )
}

/// The lines of `block`: one final newline ends the last line rather than starting an
/// empty one, and a `\r` before a newline belongs to the line ending (kiln writes the
/// file's own). An empty block has no lines.
fn block_lines(block: &str) -> Vec<&str> {
    if block.is_empty() {
        return Vec::new();
    }
    let block = block.strip_suffix('\n').unwrap_or(block);
    block
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect()
}

/// Lowered to `k_block` (see `steps::edit`). The block is the lines between the first
/// opening marker and the closing marker after it; it is rewritten in place, and any later
/// copy of it removed, so the file ends with exactly one. Without one, the block is
/// inserted (after or before the last line matching `insert_after` / `insert_before`, the
/// first with `first_match`, else at the end). With `prepend_newline` / `append_newline`,
/// an empty line is put before / after the block where the line next to it is not empty,
/// and not at the start / end of the file (Ansible's blockinfile, 2.16), wherever the block
/// is: one run settles it. An opening marker without a closing one, or the reverse, is an error to
/// fix by hand: guessing where the block ends could delete the user's lines. Absent: every
/// copy of the block is removed with its markers.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    edit::recheck(input.args, check)?;
    let present = input.flag("present");
    let (begin, end) = markers(
        input.str("marker"),
        input.str("marker_begin"),
        input.str("marker_end"),
    );
    let lines = block_lines(input.str("block"));
    let (place, anchor) = edit::insertion(input)?;
    let missing = match (present, input.flag("create")) {
        (false, _) | (true, true) => Missing::Empty,
        (true, false) => Missing::FailCreate,
    };
    let validate = validator::command(input);
    Ok(edit::edit_step(&Edit {
        path: input.str("path"),
        missing,
        attributes: Attrs::of(input).for_call(),
        backup: input.flag("backup"),
        validate: validate.as_deref(),
        edit: call::block(&Block {
            begin: &begin,
            end: &end,
            lines: &lines,
            present,
            first: input.flag("first_match"),
            blank_before: input.flag("prepend_newline"),
            blank_after: input.flag("append_newline"),
            place,
            anchor: anchor.as_ref().map_or("", Regex::ere),
        }),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiline_flags() {
        assert!(multiline_flag("(?m)^server"));
        assert!(multiline_flag("(?im)x"));
        assert!(!multiline_flag("(?i)x"));
        assert!(!multiline_flag("(?m:x)y"));
        assert!(!multiline_flag("m)"));
    }
}
