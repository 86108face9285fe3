//! `files.link`: ensure a symbolic or hard link exists (or not), like pyinfra's `files.link`
//! and Ansible's `file` with `state: link` / `hard`.

use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call::{self, Link};
use crate::steps::attrs::Attrs;

pub(crate) const DEF: OpDef = OpDef::new(
    "files.link",
    "Ensure a symbolic or hard link exists and points at a target, or is absent.",
    Network::Never,
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
/// (`k_link_make`). Owner and group are the link's own (`chown -h`); a hard link shares them with
/// its target. Without `force`, a symbolic link's target must exist (`k_link_target`,
/// resolved from the link's directory), even for a link that is already right: a dangling
/// link is made only on purpose. Absent: a symbolic link is removed; anything else only
/// with `force` (`k_link_remove`); for hard links, the file at `path` is removed. Lowered
/// to one call of the runtime's `k_link` (`src/runtime/links.sh`).
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    // `[ -L /x/ ]` would follow the link: the path is the link itself.
    let raw = input.str("path");
    let path = raw.trim_end_matches('/');
    super::directory::refuse_root(input, raw)?;
    let symbolic = input.flag("symbolic");
    let present = input.flag("present");
    let target = input.str("target");
    if present {
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
    }
    let attrs = Attrs::of(input);
    Ok(Step {
        call: Some(call::link(&Link {
            path,
            target: if present { target } else { "" },
            symbolic,
            force: input.flag("force"),
            owner: if present { &attrs.owner } else { "" },
            group: if present { &attrs.group } else { "" },
            absent: !present,
        })),
        // `ln` and `rm` succeeding is the state: no second probe.
        verify: false,
        ..Step::default()
    })
}
