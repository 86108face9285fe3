//! `server.authorized_keys`: manage SSH public keys in a user's `authorized_keys`, like
//! Ansible's `authorized_key`.

use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::shell::Sh;
use crate::steps::filter::{Filter, Filtered, attr_words};

pub const DEF: OpDef = OpDef::new(
    "server.authorized_keys",
    "Ensure SSH public keys are present in (or absent from) a user's `authorized_keys` file.",
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
    let present = input.flag("present");
    let mut setup = Sh::new();
    match input.args.str("path") {
        Some(path) => {
            setup.code("k_f=").arg(path).code("\n");
        }
        None => {
            setup
                .code("k_f=$(k_field \"$(k_getent passwd ")
                .arg(user)
                .code(")\" 6)/.ssh/authorized_keys\n");
        }
    }
    let path = Sh::of("\"$k_f\"");
    let filter = Filter::new("k_auth_keys")
        .arg(&keys.join("\n"))
        .arg(if present { "1" } else { "0" })
        .arg(if input.flag("exclusive") { "1" } else { "0" });
    let attrs = attr_words("0600", user, "");
    let edit = Filtered {
        path: &path,
        filter: &filter,
        attrs: &attrs,
    };
    let mut step = Step {
        verify: true,
        ..Step::default()
    };
    // A user that does not exist has no home: fail rather than write to `/.ssh`.
    let mut known = Sh::of("k_getent passwd ");
    known
        .arg(user)
        .code(" >/dev/null || { k_err ")
        .arg(&format!("no user {user}"))
        .code("; false; }");
    for body in [&mut step.probe, &mut step.act, &mut step.diff] {
        body.push(&setup);
    }
    step.probe.push(&known).code(" &&\n").push(&edit.same());
    if present {
        // The default directory is the user's `~/.ssh`; a given path's directory is only
        // created if missing, never re-owned (it may be shared, e.g. `/etc/ssh/keys`).
        let manage_dir = !input.args.contains("path");
        step.probe
            .code(" &&\nk_attrs_ok \"$k_f\" 0600 ")
            .arg(user)
            .code(" ''");
        if manage_dir {
            step.probe
                .code(" &&\nk_attrs_ok \"${k_f%/*}\" 0700 ")
                .arg(user)
                .code(" ''");
        }
        step.act
            .push(&known)
            .code(" &&\n{ [ -d \"${k_f%/*}\" ] || mkdir -p -- \"${k_f%/*}\"; } &&\n");
        if manage_dir {
            step.act
                .code("k_attrs \"${k_f%/*}\" 0700 ")
                .arg(user)
                .code(" '' &&\n");
        }
        step.act
            .push(&edit.update())
            .code(" &&\nk_attrs \"$k_f\" 0600 ")
            .arg(user)
            .code(" ''");
    } else {
        step.act.push(&known).code(" &&\n").push(&edit.update());
    }
    step.diff.push(&edit.diff());
    Ok(step)
}
