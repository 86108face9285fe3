//! `files.link`: ensure a symbolic or hard link exists (or not), like pyinfra's `files.link`
//! and Ansible's `file` with `state: link` / `hard`.

use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::shell::Sh;
use crate::steps::attrs::Attrs;

pub const DEF: OpDef = OpDef::new(
    "files.link",
    "Ensure a symbolic or hard link exists and points at a target, or is absent.",
    lower,
)
.main_arg("path")
.args(&[
    arg("path", Path, "The link to manage.").required(),
    arg(
        "target",
        Str,
        "What the link points to; a symbolic link's target may be relative to the link's directory. A hard link to a symbolic link links the file that link points to. Required when `present` is true.",
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
        "Replace a file, or an empty directory, that is in the way at `path`; and make a symbolic link whose target does not exist (without `force` that fails the op, as in Ansible).",
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
])
.rules(&[Rule::RequiredIf("present", &["target"])]);

/// Present: the probe compares a symbolic link's stored target with `readlink` (exact, and
/// dangling links work: the target need not exist), a hard link's identity with
/// `[ PATH -ef TARGET ]` (`k_same_file`; POSIX since 2024, and in dash, bash, busybox, mksh
/// and yash), so a hard link to a symbolic link is made to the file it resolves to
/// (`k_hard_target`), never to the link itself. A
/// link that points elsewhere is replaced; a file or an empty directory only with `force`
/// (`k_link`). Owner and group are the link's own (`chown -h`); a hard link shares them with
/// its target. Without `force`, a symbolic link's target must exist (`k_link_target`,
/// resolved from the link's directory), even for a link that is already right: a dangling
/// link is made only on purpose. Absent: a symbolic link is removed; anything else only
/// with `force` (`k_unlink`); for hard links, the file at `path` is removed.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    // `[ -L /x/ ]` would follow the link: the path is the link itself.
    let raw = input.str("path");
    let path = raw.trim_end_matches('/');
    super::directory::refuse_root(input, raw)?;
    let symbolic = input.flag("symbolic");
    let force = input.flag("force");
    let flag = |on: bool| if on { "1" } else { "0" };
    let mut step = Step {
        verify: true,
        ..Step::default()
    };
    if !input.flag("present") {
        step.probe
            .code("[ ! -L ")
            .arg(path)
            .code(" ] && [ ! -e ")
            .arg(path)
            .code(" ]");
        step.act
            .code("k_unlink ")
            .arg(path)
            .code(" ")
            .code(flag(symbolic))
            .code(" ")
            .code(flag(force));
        step.diff.code("printf 'remove %s\\n' ").arg(path);
        return Ok(step);
    }
    let target = input.str("target");
    if target.is_empty() || target.contains('\0') {
        return Err(Diagnostic::new(
            Code::InvalidValue,
            input.span("target"),
            "a link target cannot be empty or contain a NUL byte",
        )
        .label("this target")
        .help("name the file the link points at"));
    }
    if !symbolic && !target.starts_with('/') {
        return Err(Diagnostic::new(
            Code::InvalidPath,
            input.span("target"),
            format!("`{target}` is not an absolute path"),
        )
        .label("a hard link's target must be absolute")
        .help("a relative target would depend on the script's working directory; only symbolic links resolve it from the link's directory"));
    }
    let attrs = Attrs {
        mode: String::new(),
        ..Attrs::of(input)
    };
    let mut linked = Sh::new();
    if symbolic {
        linked.code("k_link_is ").arg(path).code(" ").arg(target);
    } else {
        linked.code("k_same_file ").arg(path).code(" ").arg(target);
    }
    let mut target_exists = Sh::new();
    if symbolic && !force {
        target_exists
            .code("k_link_target ")
            .arg(path)
            .code(" ")
            .arg(target);
        step.probe.push(&target_exists).code(" && ");
        step.act.code("if ! ").push(&target_exists).code("; then\n");
        step.act
            .code("  k_err ")
            .arg(&format!("{path}: {target} {DANGLING}"))
            .code("; false\nel");
        // Check mode runs no earlier op, which may make the target: a note, not a failure.
        step.diff
            .push(&target_exists)
            .code(" || printf 'note: %s %s\\n' ")
            .arg(target)
            .code(" ")
            .arg(DANGLING_NOW)
            .code("\n");
    }
    step.probe.push(&linked);
    if !attrs.is_empty() {
        step.probe.code(" && ");
        attrs.probe(&mut step.probe, path);
    }
    step.act
        .code("if ! { ")
        .push(&linked)
        .code("; }; then\n  k_link ")
        .arg(path)
        .code(" ")
        .arg(target)
        .code(" ")
        .code(flag(symbolic))
        .code(" ")
        .code(flag(force))
        .code("\nfi");
    if !attrs.is_empty() {
        step.act.code(" &&\n");
        attrs.apply(&mut step.act, path);
    }
    step.diff
        .code("if { ")
        .push(&linked)
        .code("; }; then printf 'set owner/group of %s\\n' ")
        .arg(path)
        .code("; else printf 'link %s -> %s\\n' ")
        .arg(path)
        .code(" ")
        .arg(target)
        .code("; fi");
    Ok(step)
}

/// Why a symbolic link to a missing target fails the op without `force`.
const DANGLING: &str = "does not exist (force = true makes a link to it anyway)";

/// The same, said by check mode and plans, before the ops that come first have run.
const DANGLING_NOW: &str = "does not exist yet: unless it does when this op runs, the op fails (force = true makes a link to it anyway)";
