//! `files.get`: copy a file from the host to the controller during a live run, like
//! pyinfra's `files.get` and Ansible's `fetch` with `flat: yes`.
//!
//! The controller's copy is decided on the controller: its SHA-256 goes into the step, and
//! the host's file is sent back only when it differs. The bytes travel in the run's own
//! output (marked lines, `k_get`), so the copy is taken at the op's place in the run, with
//! no extra round trip; the live runner writes them (`crate::live::fetch`). An emitted
//! script has no controller to copy to: `kiln emit` refuses the op.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, OpArgs, Step};
use crate::runtime::call;

pub(crate) const DEF: OpDef = OpDef::new(
    "files.get",
    "Copy a file from the host to the controller (live runs only), when the controller's copy differs.",
    Network::Never,
    lower,
)
.main_arg("src")
.args(&[
    arg(
        "src",
        Path,
        "The file on the host (a link is followed). A missing or unreadable file fails the op.",
    )
    .required(),
    arg(
        "dest",
        LocalPath,
        "The file to write on the controller, relative to the manifest's directory; missing parent directories are created. Put `{{ host.name }}` in it when several hosts run the op: two hosts copying to one file fail the second. The file is its owner's only (mode 0600): a copy may hold the host's secrets.",
    )
    .required(),
    arg(
        "force",
        Bool,
        "Copy even when the controller's file already has the same content.",
    )
    .default(Default::Bool(false)),
])
.validate(validate);

/// Refuses a `dest` written as a directory (ending in `/`), as Ansible's `fetch` without
/// `flat` takes it: kiln writes the file `dest` names, and cannot write a file at a
/// directory's path.
fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    if let Some(dest) = args.get("dest")
        && dest.value.as_str().is_some_and(|d| d.ends_with('/'))
    {
        diagnostics.push(
            Diagnostic::new(Code::InvalidValue, dest.span, "`dest` is a directory")
                .label("names a directory, not the file to write")
                .help("name the file, e.g. `backups/{{ host.name }}/nginx.conf` (the layout Ansible's `fetch` makes under its `dest` without `flat`)"),
        );
    }
}

/// Probe: the host's file has the SHA-256 of the controller's copy (none when there is no
/// copy yet). Act: the file's bytes, sent back in the run's output. Lowered to one call of
/// the runtime's `k_get` (`src/runtime/downloads.sh`); the step names the controller's file
/// it fills (`Step::fetch`).
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let dest = input.base_dir.join(input.str("dest"));
    let sha256 = match std::fs::read(&dest) {
        Ok(bytes) => crate::opdef::sha256_hex(&bytes),
        Err(_) => String::new(),
    };
    Ok(Step {
        call: Some(call::get(input.str("src"), &sha256, input.flag("force"))),
        fetch: Some(dest),
        ..Step::default()
    })
}
