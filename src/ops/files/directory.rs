//! `files.directory`: ensure a directory exists (or not), with its mode and ownership, like
//! pyinfra's `files.directory` and Ansible's `file` with `state: directory`.

use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call::{self, Fusion};
use crate::steps::attrs::Attrs;

pub(crate) const DEF: OpDef = OpDef::new(
    "files.directory",
    "Ensure a directory exists (with its parents) or is absent, with the given mode and ownership.",
    Network::Never,
    lower,
)
.main_arg("path")
.args(&[
    arg(
        "path",
        Path,
        "The directory to manage. A symbolic link to a directory will do when no `mode`, `owner` or `group` is given; with one, a link here fails the op, which never sets them through a link.",
    )
    .required(),
    arg(
        "present",
        Bool,
        "Whether the directory should exist; when false it is removed with everything in it.",
    )
    .default(Default::Bool(true)),
    arg(
        "recursive",
        Bool,
        "Apply `mode`, `owner` and `group` to everything inside the directory as well. Symbolic links inside are not followed (their targets keep their mode and owner).",
    )
    .default(Default::Bool(false)),
    arg("mode", Mode, "Mode of the directory."),
    arg("owner", Account, "Owner of the directory."),
    arg("group", Account, "Group of the directory."),
]);

/// Present: `mkdir -p`, then mode and ownership (recursively with `recursive`). A file in
/// the way is an error, not something to delete. Absent: `rm -rf`.
///
/// A symbolic link at `path` is never followed to set mode or ownership: the directory it
/// points to may be anyone's, anywhere (a user who can write `path`'s parent could point it
/// at `/etc`), and `chown -h` would change the link while `chmod` changes its target, so
/// the two could never agree. Without `mode`, `owner` and `group` a link to a directory
/// will do (as for `mkdir -p`); with any of them the op fails and touches nothing, as
/// Ansible's `file` does with `follow: false`. Inside the tree, links are not followed
/// either: the probe skips them, `chown -R -P` changes the links themselves and `chmod -R`
/// passes them by (a link has no mode of its own on Linux). Lowered to one call of the
/// runtime's `k_directory` (`src/runtime/files.sh`).
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let path = input.str("path");
    refuse_root(input, path)?;
    let attrs = Attrs::of(input);
    Ok(Step {
        call: Some(call::directory(
            path,
            &attrs.for_call(),
            input.flag("recursive") && !attrs.is_empty(),
            !input.flag("present"),
        )),
        // `mkdir -p`, `chmod` and `chown` succeeding is the state: no second probe.
        verify: false,
        // Made alone by `mkdir -p`: a run of them is one `mkdir -p`.
        fusion: (attrs.is_empty() && input.flag("present")).then_some(Fusion::Directory),
        ..Step::default()
    })
}

/// Removing or re-owning `/` is never what anyone meant.
pub(crate) fn refuse_root(input: &LowerInput, path: &str) -> Result<(), Diagnostic> {
    if path.trim_end_matches('/').is_empty() {
        return Err(Diagnostic::new(
            Code::InvalidPath,
            input.span("path"),
            "refusing to manage `/`",
        )
        .label("the root directory")
        .help("name the directory you mean"));
    }
    Ok(())
}
