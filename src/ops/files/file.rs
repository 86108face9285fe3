//! `files.file`: ensure a regular file exists (or not), with its mode and ownership, like
//! pyinfra's `files.file` and Ansible's `file` with `state: file` / `touch`.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::lower::attrs::{Attrs, absent};
use crate::lower::{LowerInput, Step};
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
    lower: Some(lower),
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

/// Present: create the file if missing (or `touch` it), then mode and ownership; something
/// else in the way is an error unless `force`. Absent: remove it (a directory only with
/// `force`).
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let path = input.str("path");
    super::directory::refuse_root(input, path)?;
    let attrs = Attrs::of(input);
    let force = input.flag("force");
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
    if input.flag("touch") {
        // Touching always changes the timestamps: never "ok", and nothing to verify.
        step.probe.code("false");
        step.verify = false;
    } else {
        step.probe.code("[ -f ").arg(path).code(" ]");
        if !attrs.is_empty() {
            step.probe.code(" && ");
            attrs.probe(&mut step.probe, path);
        }
    }
    step.act
        .code("if { [ -e ")
        .arg(path)
        .code(" ] || [ -L ")
        .arg(path)
        .code(" ]; } && [ ! -f ")
        .arg(path)
        .code(" ]; then\n");
    in_the_way(
        &mut step.act,
        path,
        force,
        "exists and is not a regular file (use force = true to replace it)",
    );
    step.act.code("fi &&\n");
    if input.flag("touch") {
        step.act.code("touch -- ").arg(path);
    } else {
        step.act
            .code("{ [ -f ")
            .arg(path)
            .code(" ] || : > ")
            .arg(path)
            .code("; }");
    }
    if !attrs.is_empty() {
        step.act.code(" &&\n");
        attrs.apply(&mut step.act, path);
    }
    step.diff
        .code("if [ -f ")
        .arg(path)
        .code(" ]; then printf 'update %s\\n' ")
        .arg(path);
    step.diff
        .code("; else printf 'create %s\\n' ")
        .arg(path)
        .code("; fi");
    Ok(step)
}

/// Inside the `then` of a test that something is in the way at `path`: remove it with
/// `force`, else fail saying `path` and `problem`.
fn in_the_way(act: &mut crate::shell::Sh, path: &str, force: bool, problem: &str) {
    if force {
        act.code("  rm -rf -- ").arg(path).code("\n");
    } else {
        act.code("  k_err ")
            .arg(&format!("{path} {problem}"))
            .code("; false\n");
    }
}
