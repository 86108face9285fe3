//! `nftables.ruleset`: an nftables ruleset file, from content or a template, checked by
//! `nft -c -f` before it replaces the old one, and loaded (`nft -f`) when it changed
//! (Ansible writes the file with `template` and its `validate: nft -c -f %s`, then loads it
//! from a handler; pyinfra has no nftables op).
//!
//! Probe and act are `files.put`'s (`steps::content`), the check its `validate`, wrapped by
//! the runtime's `k_nftables`: the act, which runs only when the probe fails, ends with
//! `nft -f FILE`, so a ruleset that is as wanted loads nothing. With `load`, the probe also
//! asks whether the kernel holds any ruleset at all (`nft list ruleset`, one process): a
//! host rebooted without `nftables.service` enabled has an empty one, and the file alone
//! would never load it again. A ruleset whose loaded form is empty (only `flush ruleset`)
//! is therefore loaded on every run: write one with at least a table.
//!
//! Whether the ruleset locks the controller out is decided per host when it is bound, on
//! its text (`ruleset`, `bind::lockout`).

use crate::diagnostic::Diagnostic;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call;
use crate::steps::attrs::Attrs;
use crate::steps::content::{WriteFile, write_file};

pub(crate) const DEF: OpDef = OpDef::new(
    "nftables.ruleset",
    "Write an nftables ruleset file, checked by `nft -c` before it replaces the old one, and load it when it changed.",
    Network::Never,
    lower,
)
.main_arg("path")
.template_file("src")
.args(&[
    arg("path", Path, "The ruleset file.").default(Default::Str("/etc/nftables.conf")),
    arg("content", Str, "The ruleset (a template, rendered before upload)."),
    arg("src", LocalPath, "A local template file for the ruleset, rendered as `files.template` renders it."),
    arg("mode", Mode, "Mode of the file (a new one's: the umask's)."),
    arg("load", Bool, "Load the file with `nft -f` when it changed, or when the kernel holds no ruleset.").default(Default::Bool(true)),
    arg("force", Bool, "Write and load a ruleset whose input policy is `drop` with no `accept` for the SSH port kiln connects through (see the lockout check in `docs/manifest.md`).").default(Default::Bool(false)),
])
.rules(&[Rule::OneOf(&["src", "content"])]);

/// `nft -c -f CANDIDATE`: the check a new ruleset must pass before it replaces the file.
const CHECK: &[&str] = &["nft", "-c", "-f"];

fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let path = input.str("path");
    let content = ruleset(input)?;
    let mut step = write_file(&WriteFile {
        dest: path,
        content: content.as_bytes(),
        attrs: Attrs::of(input),
        backup: false,
        create_parent_dirs: false,
        keep: false,
        check: CHECK,
    });
    step.call = step
        .call
        .map(|write| call::nftables(path, input.flag("load"), &write));
    Ok(step)
}

/// The ruleset's text: `content`, or `src` rendered (also for the lockout check,
/// `bind::lockout`).
pub(crate) fn ruleset(input: &LowerInput) -> Result<String, Diagnostic> {
    match input.args.str("content") {
        Some(content) => Ok(content.to_owned()),
        None => super::super::files::template::rendered(input),
    }
}
