//! `server.user`: ensure a local user account exists (or not), like pyinfra's `server.user`
//! and Ansible's `user`.

use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call::{self, User};
use crate::steps::values::int;

pub(crate) const DEF: OpDef = OpDef::new(
    "server.user",
    "Ensure a local user account exists with the given properties, or is absent.",
    Network::Never,
    lower,
)
.main_arg("user")
.args(&[
    arg("user", Account, "The user's login name.").required(),
    arg("present", Bool, "Whether the user should exist.").default(Default::Bool(true)),
    arg("uid", Int { min: 0, max: 4_294_967_294 }, "The numeric user id."),
    arg("group", Account, "The primary group (which must exist); by default a group named after the user, or the system default."),
    arg("supplementary_groups", List(&Account), "Supplementary groups (which must exist); the user's other supplementary groups are removed unless `append` is true."),
    arg("append", Bool, "Add the user to `supplementary_groups` without removing it from any other group.").default(Default::Bool(false)),
    arg("home", Path, "The home directory."),
    arg("shell", Path, "The login shell."),
    arg("system", Bool, "Create a system account (a uid in the system range); only used when the user is created.").default(Default::Bool(false)),
    arg("create_home", Bool, "Create the home directory when the user is created.").default(Default::Bool(true)),
    arg("password", PasswordHash, "The password, already hashed in crypt(3) form (`$6$...`, from `openssl passwd -6` or `mkpasswd -m sha-512`), or `!` (locked) / `*` (no password); a plain-text password is refused. Masked in scripts and reports.").secret(),
    arg("comment", Str, "The GECOS comment (usually the full name)."),
])
.rules(&[Rule::Requires("append", "supplementary_groups")]);

/// Probe with `getent passwd` / `id` (each given property compared); act with `useradd` /
/// `usermod` / `userdel`, or busybox's `adduser` / `deluser` where the shadow tools are
/// missing (it can create and delete, not modify). A home directory is created with a new
/// user (`create_home`), never moved. When no `group` is given and a group named after the
/// user exists, a new user gets it as primary group (plain `useradd` would refuse). Lowered
/// to one call of the runtime's `k_user` (`src/runtime/accounts.sh`).
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let groups = input.strings("supplementary_groups");
    if groups.iter().any(|g| g.contains(['\n', '\r'])) {
        return Err(Diagnostic::new(
            Code::InvalidValue,
            input.span("supplementary_groups"),
            "a group name contains a line break",
        )
        .label("one group per entry"));
    }
    Ok(Step {
        call: Some(call::user(&User {
            name: input.str("user"),
            uid: int(input, "uid"),
            group: input.args.str("group"),
            groups: input
                .args
                .contains("supplementary_groups")
                .then_some(groups.as_slice()),
            append: input.flag("append"),
            home: input.args.str("home"),
            shell: input.args.str("shell"),
            comment: input.args.str("comment"),
            password_hash: input.args.str("password"),
            system: input.flag("system"),
            // Only a new user's home is made: nothing to say of one being removed.
            create_home: input.flag("create_home") && input.flag("present"),
            absent: !input.flag("present"),
        })),
        verify: true,
        ..Step::default()
    })
}
