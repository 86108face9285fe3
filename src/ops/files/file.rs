//! `files.file`: ensure a regular file exists (or not), with its mode and ownership, like
//! pyinfra's `files.file` and Ansible's `file` with `state: file` / `touch`.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::OpArgs;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call::{self, Attributes, File, Fusion};
use crate::steps::attrs::Attrs;

pub(crate) const DEF: OpDef = OpDef::new(
    "files.file",
    "Ensure a regular file exists or is absent, with the given mode and ownership.",
    Network::Never,
    lower,
)
.main_arg("path")
.args(&[
    arg("path", Path, "The file to manage.").required(),
    arg("present", Bool, "Whether the file should exist; an empty file is created if it is missing.").default(Default::Bool(true)),
    arg("touch", Bool, "Update the file's access and modification times on every run, even if it already exists.").default(Default::Bool(false)),
    arg("mode", Mode, "Mode of the file."),
    arg("owner", Account, "Owner of the file."),
    arg("group", Account, "Group of the file."),
    arg("force", Bool, "Remove a directory or link that is in the way at `path` so the file can be created.").default(Default::Bool(false)),
    arg("create", Bool, "Create the file (empty) when it is missing; false fails the op instead and creates nothing (Ansible's `state: file`, where `touch` creates).").default(Default::Bool(true)),
    arg("follow", Bool, "A symbolic link at `path` to a regular file is that file: `mode`, `owner` and `group` are set on the file it points to (Ansible's `follow: true`). Only a link owned by root or by the user the op runs as is followed (Linux's `protected_symlinks` rule, on every host): one another user planted, in `/tmp` say, fails the op and is left alone. False makes a link at `path` something in the way, like a directory.").default(Default::Bool(true)),
])
.validate(validate);

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    // (argument, its value that conflicts, with what, why)
    let conflicts: &[(&str, bool, &str, &str)] = if !args.flag(&DEF, "present") {
        &[
            (
                "touch",
                true,
                "`present = false`",
                "this would create the file that `present = false` removes",
            ),
            (
                "create",
                false,
                "`present = false`",
                "this is about a file that `present = false` removes",
            ),
        ]
    } else if !args.flag(&DEF, "create") {
        &[(
            "force",
            true,
            "`create = false`",
            "this would replace what is in the way with a new file, which `create = false` never makes",
        )]
    } else {
        &[]
    };
    for &(name, value, other, label) in conflicts {
        if let Some(arg) = args.get(name)
            && arg.value.as_bool() == Some(value)
        {
            diagnostics.push(
                Diagnostic::new(
                    Code::ConflictingArguments,
                    arg.span,
                    format!("`{name} = {value}` cannot be used with {other}"),
                )
                .label(label)
                .help(format!("remove `{name}` or {other}")),
            );
        }
    }
}

/// Present: create the file if missing (unless `create = false`, which fails instead) or
/// `touch` it, then mode and ownership; something else in the way is an error unless
/// `force`. With `follow` a link to a regular file is the file, and the attributes go on
/// it (probe and act both follow: `k_attrs_ok -L`, `k_attrs -L`); without, any link is in
/// the way. Absent: remove it (a directory only with `force`). Lowered to one call of the
/// runtime's `k_file` (`src/runtime/files.sh`).
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let path = input.str("path");
    super::directory::refuse_root(input, path)?;
    let attrs = Attrs::of(input);
    let present = input.flag("present");
    let touch = present && input.flag("touch");
    Ok(Step {
        call: Some(call::file(&File {
            path,
            attributes: if present {
                attrs.for_call()
            } else {
                Attributes::default()
            },
            follow: present && input.flag("follow"),
            force: input.flag("force"),
            create: !present || input.flag("create"),
            touch,
            absent: !present,
        })),
        // Making, touching or removing the file and setting its attributes succeeding is
        // the state: no second probe.
        verify: false,
        // Removed by `rm -f`: a run of them is one `rm -f`.
        fusion: (!present && !input.flag("force")).then_some(Fusion::Absent),
        ..Step::default()
    })
}
