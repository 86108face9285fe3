//! `files.file`: ensure a regular file exists (or not), with its mode and ownership, like
//! pyinfra's `files.file` and Ansible's `file` with `state: file` / `touch`.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::OpArgs;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::shell::Sh;
use crate::steps::attrs::{Attrs, absent};

pub const DEF: OpDef = OpDef::new(
    "files.file",
    "Ensure a regular file exists or is absent, with the given mode and ownership.",
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
/// the way. Absent: remove it (a directory only with `force`).
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let path = input.str("path");
    super::directory::refuse_root(input, path)?;
    let attrs = Attrs::of(input);
    let force = input.flag("force");
    let follow = input.flag("follow");
    let mut step = Step {
        verify: true,
        ..Step::default()
    };
    if !input.flag("present") {
        step.probe = absent(path);
        step.act
            .code("if [ -d ")
            .arg(path)
            .code(" ] && [ ! -L ")
            .arg(path)
            .code(" ]; then\n");
        in_the_way(
            &mut step.act,
            path,
            force,
            "is a directory (use force = true to remove it)",
        );
        step.act.code("else\n  rm -f -- ").arg(path).code("\nfi");
        step.diff.code("printf 'remove %s\\n' ").arg(path);
        return Ok(step);
    }
    // The file is there: a regular file, or (with `follow`) a link to one.
    let mut is_file = Sh::new();
    if follow {
        is_file.code("[ -f ").arg(path).code(" ]");
    } else {
        is_file
            .code("{ [ -f ")
            .arg(path)
            .code(" ] && [ ! -L ")
            .arg(path)
            .code(" ]; }");
    }
    let mut exists = Sh::of("{ [ -e ");
    exists.arg(path).code(" ] || [ -L ").arg(path).code(" ]; }");
    if input.flag("touch") {
        // Touching always changes the timestamps: never "ok", and nothing to verify.
        step.probe.code("false");
        step.verify = false;
    } else {
        if follow {
            step.probe
                .code("k_follows ")
                .arg(path)
                .code(" 2>/dev/null && ");
        }
        step.probe.push(&is_file);
        if !attrs.is_empty() {
            step.probe.code(" && ");
            attrs.probe_target(&mut step.probe, path);
        }
    }
    // With `create = false` (and so no `force`: `validate`) nothing is ever made here; a
    // dangling link that `follow` would follow is a missing file.
    let mut not_there = Sh::new();
    if follow {
        not_there.code("[ ! -e ").arg(path).code(" ]");
    } else {
        not_there.code("! ").push(&exists);
    }
    if follow {
        // A link another user owns is never followed (see `k_follows`).
        step.act
            .code("if ! k_follows ")
            .arg(path)
            .code("; then\n  false\nel");
    }
    if !input.flag("create") {
        step.act.code("if ").push(&not_there).code("; then\n");
        step.act
            .code("  k_err ")
            .arg(&format!("{path} {NOT_CREATED}"))
            .code("; false\nel");
    }
    step.act
        .code("if ")
        .push(&exists)
        .code(" && ! ")
        .push(&is_file)
        .code("; then\n");
    in_the_way(
        &mut step.act,
        path,
        force,
        if follow {
            "exists and is not a regular file (use force = true to replace it)"
        } else {
            "is not a regular file, or is a link (follow = false; use force = true to replace it)"
        },
    );
    step.act.code("fi &&\n");
    if !attrs.is_empty() {
        // A file this op creates and then cannot give its attributes is removed again: a
        // failed op leaves no file behind (as Ansible's `file` does).
        step.act
            .code("{ k_fnew=0; [ -e ")
            .arg(path)
            .code(" ] || k_fnew=1; } &&\n");
    }
    if input.flag("touch") {
        step.act.code("touch -- ").arg(path);
    } else {
        step.act
            .code("{ ")
            .push(&is_file)
            .code(" || : > ")
            .arg(path)
            .code("; }");
    }
    if !attrs.is_empty() {
        step.act.code(" &&\n{ ");
        attrs.apply_target(&mut step.act, path);
        step.act
            .code(" || { [ \"$k_fnew\" = 0 ] || rm -f -- ")
            .arg(path)
            .code("; false; }; }");
    }
    step.diff
        .code("if ")
        .push(&is_file)
        .code("; then printf 'update %s\\n' ")
        .arg(path);
    if !input.flag("create") {
        step.diff
            .code("; elif ")
            .push(&not_there)
            .code("; then printf '%s %s\\n' ")
            .arg(path)
            .code(" ")
            .arg(NOT_CREATED);
    }
    step.diff
        .code("; else printf 'create %s\\n' ")
        .arg(path)
        .code("; fi");
    Ok(step)
}

/// Why a missing file fails the op with `create = false`.
const NOT_CREATED: &str = "does not exist, and create = false: not creating it";

/// Inside the `then` of a test that something is in the way at `path`: remove it with
/// `force`, else fail saying `path` and `problem`.
fn in_the_way(act: &mut Sh, path: &str, force: bool, problem: &str) {
    if force {
        act.code("  rm -rf -- ").arg(path).code("\n");
    } else {
        act.code("  k_err ")
            .arg(&format!("{path} {problem}"))
            .code("; false\n");
    }
}
