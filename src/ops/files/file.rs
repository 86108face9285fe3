//! `files.file`: ensure a regular file exists (or not), with its mode and ownership, like
//! pyinfra's `files.file` and Ansible's `file` with `state: file` / `touch`.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::ops::args::OpArgs;
use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "files.file",
    summary: "Ensure a regular file exists or is absent, with the given mode and ownership.",
    main_arg: Some("path"),
    args: &[
        arg("path", Path, "The file to manage.").required(),
        arg("present", Bool, "Whether the file should exist; an empty file is created if it is missing.").default(Default::Bool(true)),
        arg("touch", Bool, "Update the file's access and modification times on every run, even if it already exists.").default(Default::Bool(false)),
        arg("mode", Mode, "Mode of the file."),
        arg("owner", Account, "Owner of the file."),
        arg("group", Account, "Group of the file."),
        arg("force", Bool, "Remove a directory or link that is in the way at `path` so the file can be created.").default(Default::Bool(false)),
    ],
    rules: &[],
    facts: &[],
    validate: Some(validate),
};

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    if let Some(touch) = args.get("touch")
        && touch.value.as_bool() == Some(true)
        && !args.flag(&DEF, "present")
    {
        diagnostics.push(
            Diagnostic::new(
                Code::ConflictingArguments,
                touch.span,
                "`touch` cannot be used with `present = false`",
            )
            .label("this would create the file that `present = false` removes")
            .help("remove `touch`, or set `present = true`"),
        );
    }
}
