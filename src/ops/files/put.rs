//! `files.put`: upload a local file, or write given content, to a file on the host, like
//! pyinfra's `files.put` and Ansible's `copy`.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::OpArgs;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::steps::attrs::Attrs;
use crate::steps::content::{WriteFile, write_file};
use crate::steps::validator;

pub(crate) const DEF: OpDef = OpDef::new(
    "files.put",
    "Upload a local file, or write literal content, to a file on the host.",
    Network::Never,
    lower,
)
.main_arg("dest")
.args(&[
    arg("dest", Path, "The file to write on the host.").required(),
    arg(
        "src",
        LocalPath,
        "The local file to upload, copied byte for byte.",
    ),
    arg(
        "content",
        Str,
        "The content to write (a template, rendered before upload).",
    ),
    arg("mode", Mode, "Mode of the file."),
    arg("owner", Account, "Owner of the file."),
    arg("group", Account, "Group of the file."),
    arg(
        "backup",
        Bool,
        "Keep a timestamped copy of the previous file before replacing it.",
    )
    .default(Default::Bool(false)),
    arg(
        "force",
        Bool,
        "Replace `dest` when its content differs; false writes only when nothing is at `dest`, and keeps a file (or link) already there whatever its content (Ansible's `force: no`). Mode, owner and group are still set on a kept file.",
    )
    .default(Default::Bool(true)),
    arg(
        "create_parent_dirs",
        Bool,
        "Create missing parent directories of `dest`.",
    )
    .default(Default::Bool(false)),
    validator::ARG,
])
.rules(&[Rule::OneOf(&["src", "content"])])
.validate(validate);

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    validator::check(args, diagnostics);
    if let Some(backup) = args.get("backup")
        && backup.value.as_bool() == Some(true)
        && !args.flag(&DEF, "force")
    {
        diagnostics.push(
            Diagnostic::new(
                Code::ConflictingArguments,
                backup.span,
                "`backup` cannot be used with `force = false`",
            )
            .label("no file is ever replaced with `force = false`, so there is nothing to back up")
            .help("remove `backup` or `force = false`"),
        );
    }
}

/// The content (inline, or the local `src` file's bytes) is carried in the script.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let content = match input.args.str("src") {
        Some(_) => input.local_file("src", "this file")?,
        None => input.str("content").as_bytes().to_vec(),
    };
    let dest = input.str("dest");
    let validator = validator::words(input);
    Ok(write_file(&WriteFile {
        dest,
        content: &content,
        attrs: Attrs::of(input),
        backup: input.flag("backup"),
        create_parent_dirs: input.flag("create_parent_dirs"),
        keep: !input.flag("force"),
        check: &validator.iter().map(String::as_str).collect::<Vec<_>>(),
    }))
}
