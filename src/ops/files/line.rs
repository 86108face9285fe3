//! `files.line`: ensure one line is present in (or absent from) a file, like Ansible's
//! `lineinfile` and pyinfra's `files.line`.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::ops::args::OpArgs;
use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "files.line",
    summary: "Ensure a line is present in or absent from a file, replacing the line a regex matches.",
    main_arg: Some("path"),
    args: &[
        arg("path", Path, "The file to edit.").required(),
        arg("line", Str, "The whole line (without its newline). Required when `present` is true."),
        arg("regexp", Regex, "A regex; the last matching line is replaced by `line` (or removed when `present` is false)."),
        arg("present", Bool, "Whether the line should be in the file.").default(Default::Bool(true)),
        arg("insert_after", Regex, "Insert after the last line matching this regex (`EOF` for the end) when no line matches `regexp`."),
        arg("insert_before", Regex, "Insert before the last line matching this regex (`BOF` for the start) when no line matches `regexp`."),
        arg("first_match", Bool, "Use the first match of `insert_after`/`insert_before` instead of the last.").default(Default::Bool(false)),
        arg("backrefs", Bool, "Expand `\\1`-style back-references to `regexp` groups in `line`; if nothing matches, leave the file unchanged.").default(Default::Bool(false)),
        arg("create", Bool, "Create the file if it does not exist.").default(Default::Bool(false)),
        arg("backup", Bool, "Keep a timestamped copy of the file before changing it.").default(Default::Bool(false)),
        arg("mode", Mode, "Mode of the file after editing."),
        arg("owner", Account, "Owner of the file after editing."),
        arg("group", Account, "Group of the file after editing."),
    ],
    rules: &[
        Rule::Conflicts("insert_after", "insert_before"),
        Rule::Requires("backrefs", "regexp"),
        Rule::AnyOf(&["line", "regexp"]),
    ],
    facts: &[],
    validate: Some(validate),
    lower: None,
};

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
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
    if args.flag(&DEF, "present")
        && !args.contains("line")
        && let Some(regexp) = args.get("regexp")
    {
        diagnostics.push(
            Diagnostic::new(
                Code::MissingArgument,
                regexp.span,
                "`line` is required when `present` is true",
            )
            .label("this says which line to replace, not what to write")
            .help("add `line = \"...\"`, or set `present = false` to remove matching lines"),
        );
    }
}
