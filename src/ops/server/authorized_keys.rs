//! `server.authorized_keys`: manage SSH public keys in a user's `authorized_keys`, like
//! Ansible's `authorized_key`.

use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call;

pub(crate) const DEF: OpDef = OpDef::new(
    "server.authorized_keys",
    "Ensure SSH public keys are present in (or absent from) a user's `authorized_keys` file.",
    Network::Never,
    lower,
)
.main_arg("user")
.args(&[
    arg("user", Account, "The user whose keys are managed.").required(),
    arg("keys", STR_LIST, "Public keys, one per entry, as written in `authorized_keys` (`ssh-ed25519 AAAA... comment`, options allowed).").required(),
    arg("present", Bool, "Whether the keys should be in the file.").default(Default::Bool(true)),
    arg("exclusive", Bool, "Remove every key from the file that is not in `keys`.").default(Default::Bool(false)),
    arg("path", Path, "The file to manage; defaults to `.ssh/authorized_keys` in the user's home directory (created with mode 0700 / 0600)."),
]);

/// The file (by default `~USER/.ssh/authorized_keys`, the home directory read from the
/// passwd database on the host) is edited with `k_auth_keys` (a key is known by its blob, so
/// one with other options or comment is replaced); it and its directory belong to
/// the user, with modes 0600 and 0700 (what sshd's `StrictModes` wants).
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let user = input.str("user");
    let keys = input.strings("keys");
    for key in &keys {
        if key.contains(['\n', '\r']) || key.trim().is_empty() {
            return Err(Diagnostic::new(
                Code::InvalidValue,
                input.span("keys"),
                "each key must be one non-empty line",
            )
            .label("a key with a line break, or an empty one")
            .help("give each public key as its own entry"));
        }
    }
    Ok(Step {
        call: Some(call::authorized_keys(
            user,
            input.args.str("path"),
            &keys,
            !input.flag("present"),
            input.flag("exclusive"),
        )),
        verify: true,
        ..Step::default()
    })
}
