//! `files.block`: ensure a block of lines between marker lines is present in (or absent
//! from) a file, like Ansible's `blockinfile` and pyinfra's `files.block`.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::ops::args::OpArgs;
use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "files.block",
    summary: "Ensure a block of lines, delimited by marker lines, is present in or absent from a file.",
    main_arg: Some("path"),
    args: &[
        arg("path", Path, "The file to edit.").required(),
        arg("block", Str, "The lines to put between the markers. Required when `present` is true."),
        arg("marker", Str, "The marker line template; `{mark}` is replaced by `marker_begin` or `marker_end`. Must be unique per block in the file.").default(Default::Str("# {mark} MANAGED BY KILN")),
        arg("marker_begin", Str, "What `{mark}` becomes in the opening marker.").default(Default::Str("BEGIN")),
        arg("marker_end", Str, "What `{mark}` becomes in the closing marker.").default(Default::Str("END")),
        arg("insert_after", Regex, "Insert a new block after the last line matching this regex (`EOF` for the end) when the markers are not found."),
        arg("insert_before", Regex, "Insert a new block before the last line matching this regex (`BOF` for the start) when the markers are not found."),
        arg("present", Bool, "Whether the block should be in the file; when false the markers and everything between them are removed.").default(Default::Bool(true)),
        arg("create", Bool, "Create the file if it does not exist.").default(Default::Bool(false)),
        arg("backup", Bool, "Keep a timestamped copy of the file before changing it.").default(Default::Bool(false)),
        arg("mode", Mode, "Mode of the file after editing."),
        arg("owner", Account, "Owner of the file after editing."),
        arg("group", Account, "Group of the file after editing."),
    ],
    rules: &[Rule::Conflicts("insert_after", "insert_before")],
    facts: &[],
    validate: Some(validate),
    lower: None,
};

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
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
    if args.flag(&DEF, "present")
        && !args.contains("block")
        && let Some(path) = args.get("path")
    {
        diagnostics.push(
            Diagnostic::new(
                Code::MissingArgument,
                path.span,
                "`block` is required when `present` is true",
            )
            .label("nothing says what goes between the markers")
            .help("add `block = \"...\"`, or set `present = false` to remove the block"),
        );
    }
}
