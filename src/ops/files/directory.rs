//! `files.directory`: ensure a directory exists (or not), with its mode and ownership, like
//! pyinfra's `files.directory` and Ansible's `file` with `state: directory`.

use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::shell::Sh;
use crate::steps::attrs::{Attrs, absent};

pub const DEF: OpDef = OpDef::new(
    "files.directory",
    "Ensure a directory exists (with its parents) or is absent, with the given mode and ownership.",
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
/// passes them by (a link has no mode of its own on Linux).
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let path = input.str("path");
    refuse_root(input, path)?;
    let attrs = Attrs::of(input);
    let mut step = Step {
        verify: true,
        ..Step::default()
    };
    if !input.flag("present") {
        step.probe = absent(path);
        step.act.code("rm -rf -- ").arg(path);
        step.diff.code("printf 'remove directory %s\\n' ").arg(path);
        return Ok(step);
    }
    let mut is_link = Sh::of("[ -L ");
    is_link.arg(path).code(" ]");
    step.probe.code("[ -d ").arg(path).code(" ]");
    if !attrs.is_empty() {
        step.probe.code(" && ! ").push(&is_link).code(" && ");
        attrs.probe(&mut step.probe, path);
        step.act.code("if ").push(&is_link).code("; then\n");
        step.act
            .code("  k_err ")
            .arg(&format!("{path} {LINK_REFUSED}"))
            .code("; false\nel");
    }
    step.act
        .code("if { [ -e ")
        .arg(path)
        .code(" ] || ")
        .push(&is_link)
        .code("; } && [ ! -d ")
        .arg(path)
        .code(" ]; then\n");
    step.act
        .code("  k_err ")
        .arg(&format!("{path} exists and is not a directory"))
        .code("; false\n");
    step.act.code("else\n  mkdir -p -- ").arg(path);
    if !attrs.is_empty() {
        step.act.code(" && ");
        attrs.apply(&mut step.act, path);
    }
    if input.flag("recursive") && !attrs.is_empty() {
        // Everything inside must match too: any entry that does not is a reason to act.
        recursive_probe(&mut step.probe, path, &attrs);
        for (value, command) in [
            (&attrs.owner, " && chown -R -P -- "),
            (&attrs.group, " && chgrp -R -P -- "),
            (&attrs.mode, " && chmod -R -- "),
        ] {
            if !value.is_empty() {
                step.act.code(command).arg(value).code(" ").arg(path);
            }
        }
    }
    step.act.code("\nfi");
    if !attrs.is_empty() {
        step.diff
            .code("if ")
            .push(&is_link)
            .code("; then printf '%s %s\\n' ")
            .arg(path)
            .code(" ")
            .arg(LINK_REFUSED)
            .code("\nel");
    }
    step.diff
        .code("if [ -d ")
        .arg(path)
        .code(" ]; then printf 'set mode/owner of %s\\n' ")
        .arg(path);
    step.diff
        .code("; else printf 'create directory %s\\n' ")
        .arg(path)
        .code("; fi");
    Ok(step)
}

/// Why a link at `path` fails the op when attributes are given.
const LINK_REFUSED: &str =
    "is a symbolic link: mode and ownership are set on a real directory only, never through a link";

/// ` && ` tests that everything under `path` (links passed by) has `attrs`: `find` looks
/// for an entry whose owner, group or octal mode differs; a symbolic mode (whose `X`, `+`
/// and `-` ask each entry for something different) is checked by `k_tree_modes_ok`, as
/// `chmod -R` would apply it.
fn recursive_probe(sh: &mut Sh, path: &str, attrs: &Attrs) {
    let mut tests: Vec<Sh> = Vec::new();
    if !attrs.owner.is_empty() {
        let mut t = Sh::of("! -user ");
        t.arg(&attrs.owner);
        tests.push(t);
    }
    if !attrs.group.is_empty() {
        let mut t = Sh::of("! -group ");
        t.arg(&attrs.group);
        tests.push(t);
    }
    if !attrs.mode.is_empty() && !attrs.mode_is_symbolic() {
        let mut t = Sh::of("! -perm ");
        t.arg(&attrs.mode);
        tests.push(t);
    }
    if !tests.is_empty() {
        sh.code(" && [ -z \"$(find ")
            .arg(path)
            .code(" ! -type l \\(");
        for (i, test) in tests.iter().enumerate() {
            sh.code(if i == 0 { " " } else { " -o " }).push(test);
        }
        sh.code(" \\) -print | head -n 1)\" ]");
    }
    if attrs.mode_is_symbolic() {
        sh.code(" && k_tree_modes_ok ")
            .arg(path)
            .code(" ")
            .arg(&attrs.mode);
    }
}

/// Removing or re-owning `/` is never what anyone meant.
pub fn refuse_root(input: &LowerInput, path: &str) -> Result<(), Diagnostic> {
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
