//! `files.line`: ensure one line is present in (or absent from) a file, like Ansible's
//! `lineinfile` and pyinfra's `files.line`.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::OpArgs;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::ops::common::{EDIT_BACKUP, EDIT_GROUP, EDIT_MODE, EDIT_OWNER};
use crate::regex::{Regex, Replacement};
use crate::runtime::call::{self, Edit, Line, Missing};
use crate::steps::attrs::Attrs;
use crate::steps::edit::{self, Values};
use crate::steps::validator;

pub(crate) const DEF: OpDef = OpDef::new(
    "files.line",
    "Ensure a line is present in or absent from a file, replacing the line a regex matches.",
    Network::Never,
    lower,
)
.main_arg("path")
.args(&[
    arg("path", Path, "The file to edit.").required(),
    arg("line", Str, "The whole line (without its newline). Required when `present` is true."),
    arg("regexp", Regex, "A regex; the last matching line is replaced by `line` (or removed when `present` is false)."),
    arg("present", Bool, "Whether the line should be in the file.").default(Default::Bool(true)),
    arg("insert_after", Regex, "Insert after the last line matching this regex (`EOF` for the end) when no line matches `regexp`."),
    arg("insert_before", Regex, "Insert before the last line matching this regex (`BOF` for the start) when no line matches `regexp`."),
    arg("first_match", Bool, "Use the first match of `insert_after`/`insert_before` instead of the last.").default(Default::Bool(false)),
    arg("backrefs", Bool, "Expand `\\1`-style back-references to `regexp` groups in `line`; if nothing matches, leave the file unchanged.").default(Default::Bool(false)),
    arg("create", Bool, "Create the file if it does not exist.").default(Default::Bool(false)),
    EDIT_BACKUP,
    EDIT_MODE,
    EDIT_OWNER,
    EDIT_GROUP,
    validator::ARG,
])
.rules(&[
    Rule::Conflicts("insert_after", "insert_before"),
    Rule::Requires("backrefs", "regexp"),
    Rule::AnyOf(&["line", "regexp"]),
    Rule::RequiredIf("present", &["line"]),
])
.validate(validate);

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    validator::check(args, diagnostics);
    if let Some(line) = args.get("line")
        && let Some(text) = line.value.as_str()
        && (text.contains('\n') || text.contains('\r'))
    {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                line.span,
                "`line` contains a line break",
            )
            .label("a single line cannot contain a newline")
            .help("use `files.block` to manage several lines"),
        );
    }
    edit::check_as_written(args, check, diagnostics);
}

/// What must also hold once templates are rendered.
fn check(values: &Values, diagnostics: &mut Diagnostics) {
    for name in ["regexp", "insert_after", "insert_before"] {
        edit::single_line(
            values,
            name,
            "it is matched against one line at a time",
            diagnostics,
        );
    }
    // `validate` checks `line` for line breaks as written; a rendered one is checked here.
    if values.rendered {
        edit::single_line(
            values,
            "line",
            "a single line cannot contain a newline",
            diagnostics,
        );
    } else if let Some((line, span)) = values.get("line") {
        edit::no_nul("line", line, span, diagnostics);
    }
    if values.args.flag(&DEF, "backrefs") {
        edit::references(values, "line", "regexp", false, diagnostics);
    }
}

/// Lowered to `k_line` (see `steps::edit`). With `regexp`, the last matching line (the
/// first with `first_match`) is replaced by `line`; if `line` itself does not match
/// `regexp`, the next match is replaced too, and so on: the state repeated runs of
/// Ansible's `lineinfile` would end in, reached in one. Without a match, `line` is inserted
/// unless an identical line exists (with `backrefs`: the file is left alone). Absent: every
/// line matching `regexp` (or equal to `line`) is removed; a missing file is already fine.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    edit::recheck(input.args, check)?;
    let path = input.str("path");
    let line = input.str("line");
    let regexp = edit::compile(input, "regexp", false)?;
    let present = input.flag("present");
    let (place, anchor) = edit::insertion(input)?;
    let regexp_ere = regexp.as_ref().map_or("", Regex::ere);
    let backrefs = match regexp
        .as_ref()
        .filter(|_| present && input.flag("backrefs"))
    {
        Some(regexp) => {
            let span = input.span("regexp");
            let program = regexp
                .program()
                .map_err(|r| edit::regex_diagnostic("regexp", &r, span))?;
            let replacement = Replacement::parse(line, regexp)
                .map_err(|r| edit::regex_diagnostic("line", &r, input.span("line")))?;
            Some((program, replacement.encode()))
        }
        None => None,
    };
    let missing = match (present, input.flag("create")) {
        (false, _) | (true, true) => Missing::Empty,
        (true, false) => Missing::FailCreate,
    };
    let validate = validator::command(input);
    Ok(edit::edit_step(&Edit {
        path,
        missing,
        attributes: Attrs::of(input).for_call(),
        backup: input.flag("backup"),
        validate: validate.as_deref(),
        edit: call::line(&Line {
            line,
            regexp: regexp_ere,
            present,
            first: input.flag("first_match"),
            place,
            anchor: anchor.as_ref().map_or("", Regex::ere),
            backrefs: backrefs.as_ref().map(|(p, r)| (p.as_str(), r.as_str())),
        }),
    }))
}
