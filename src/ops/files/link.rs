//! `files.link`: ensure a symbolic or hard link exists (or not), like pyinfra's `files.link`
//! and Ansible's `file` with `state: link` / `hard`.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::ops::args::OpArgs;
use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "files.link",
    summary: "Ensure a symbolic or hard link exists and points at a target, or is absent.",
    main_arg: Some("path"),
    args: &[
        arg("path", Path, "The link to manage.").required(),
        arg(
            "target",
            Str,
            "What the link points to; a symbolic link's target may be relative to the link's directory. Required when `present` is true.",
        ),
        arg("present", Bool, "Whether the link should exist.").default(Default::Bool(true)),
        arg(
            "symbolic",
            Bool,
            "Make a symbolic link; false makes a hard link.",
        )
        .default(Default::Bool(true)),
        arg(
            "force",
            Bool,
            "Replace a file, or an empty directory, that is in the way at `path`.",
        )
        .default(Default::Bool(false)),
        arg(
            "owner",
            Account,
            "Owner of the link itself (not of its target).",
        ),
        arg(
            "group",
            Account,
            "Group of the link itself (not of its target).",
        ),
    ],
    rules: &[],
    facts: &[],
    validate: Some(validate),
    lower: None,
};

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    if args.flag(&DEF, "present")
        && !args.contains("target")
        && let Some(path) = args.get("path")
    {
        diagnostics.push(
            Diagnostic::new(
                Code::MissingArgument,
                path.span,
                "`target` is required when `present` is true",
            )
            .label("this link needs something to point at")
            .help("add `target = \"...\"`, or set `present = false` to remove the link"),
        );
    }
}
