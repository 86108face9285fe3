//! `files.directory`: ensure a directory exists (or not), with its mode and ownership, like
//! pyinfra's `files.directory` and Ansible's `file` with `state: directory`.

use crate::diagnostic::{Code, Diagnostic};
use crate::lower::attrs::{Attrs, absent};
use crate::lower::{LowerInput, Step};
use crate::ops::def::prelude::*;
use crate::shell::Sh;

pub const DEF: OpDef = OpDef {
    name: "files.directory",
    summary: "Ensure a directory exists (with its parents) or is absent, with the given mode and ownership.",
    main_arg: Some("path"),
    args: &[
        arg("path", Path, "The directory to manage.").required(),
        arg(
            "present",
            Bool,
            "Whether the directory should exist; when false it is removed with everything in it.",
        )
        .default(Default::Bool(true)),
        arg(
            "recursive",
            Bool,
            "Apply `mode`, `owner` and `group` to everything inside the directory as well.",
        )
        .default(Default::Bool(false)),
        arg("mode", Mode, "Mode of the directory."),
        arg("owner", Account, "Owner of the directory."),
        arg("group", Account, "Group of the directory."),
    ],
    rules: &[],
    facts: &[],
    validate: None,
    lower: Some(lower),
};

/// Present: `mkdir -p`, then mode and ownership (recursively with `recursive`). A file in
/// the way is an error, not something to delete. Absent: `rm -rf`.
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
    step.probe.code("[ -d ").arg(path).code(" ]");
    if !attrs.is_empty() {
        step.probe.code(" && ");
        attrs.probe(&mut step.probe, path);
    }
    step.act
        .code("if [ -e ")
        .arg(path)
        .code(" ] && [ ! -d ")
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
    step.act.code("\nfi");
    if input.flag("recursive") && !attrs.is_empty() {
        // Everything inside must match too: any entry that does not is a reason to act.
        step.probe
            .code(" && [ -z \"$(find ")
            .arg(path)
            .code(" ! -type l");
        recursive_mismatch(&mut step.probe, &attrs);
        step.probe.code(" -print | head -n 1)\" ]");
        for (value, command) in [
            (&attrs.owner, " && chown -R -- "),
            (&attrs.group, " && chgrp -R -- "),
            (&attrs.mode, " && chmod -R -- "),
        ] {
            if !value.is_empty() {
                step.act.code(command).arg(value).code(" ").arg(path);
            }
        }
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

/// `find` tests matching an entry whose mode, owner or group differs from `attrs`.
fn recursive_mismatch(sh: &mut Sh, attrs: &Attrs) {
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
    if !attrs.mode.is_empty() {
        let mut t = Sh::of("! -perm ");
        t.arg(&attrs.mode);
        tests.push(t);
    }
    sh.code(" \\(");
    for (i, test) in tests.iter().enumerate() {
        sh.code(if i == 0 { " " } else { " -o " }).push(test);
    }
    sh.code(" \\)");
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
