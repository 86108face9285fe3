//! `server.sudoers`: manage a drop-in file in `/etc/sudoers.d`, checked with `visudo` before
//! it is installed.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::ops::args::OpArgs;
use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "server.sudoers",
    summary: "Ensure a drop-in file in `/etc/sudoers.d` has the given rules (checked with `visudo` first), or is absent.",
    main_arg: Some("filename"),
    args: &[
        arg("filename", Str, "The file's name in `/etc/sudoers.d`; sudo ignores names that contain `.` or end in `~`.").required(),
        arg("content", Str, "The whole file. Either this or `rules` is required when `present` is true."),
        arg("rules", STR_LIST, "sudoers lines, one per entry (e.g. `deploy ALL=(root) NOPASSWD: /usr/bin/systemctl restart app`)."),
        arg("present", Bool, "Whether the file should exist.").default(Default::Bool(true)),
        arg("validate", Bool, "Check the new file with `visudo -cf` and refuse to install it if it is invalid.").default(Default::Bool(true)),
    ],
    rules: &[Rule::Conflicts("content", "rules")],
    facts: &[],
    validate: Some(validate),
    lower: None,
};

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    // A templated name is checked once it is rendered.
    if let Some(filename) = args.get("filename")
        && let Some(text) = filename.value.as_str()
        && !text.contains("{{")
        && (text.is_empty() || text.contains(['.', '/']) || text.ends_with('~'))
    {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                filename.span,
                "sudo would never read this file",
            )
            .label(
                "a sudoers.d file name must be non-empty, with no `.` or `/`, and not end in `~`",
            )
            .help("use a plain name such as `\"deploy\"` or `\"90-deploy\"`"),
        );
    }
    if args.flag(&DEF, "present")
        && !args.contains("content")
        && !args.contains("rules")
        && let Some(filename) = args.get("filename")
    {
        diagnostics.push(
            Diagnostic::new(
                Code::MissingArgument,
                filename.span,
                "`content` or `rules` is required when `present` is true",
            )
            .label("nothing says what goes in this file")
            .help("add `rules = [\"...\"]`, or set `present = false` to remove the file"),
        );
    }
}
