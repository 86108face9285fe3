//! `server.authorized_keys`: manage SSH public keys in a user's `authorized_keys`, like
//! Ansible's `authorized_key`.

use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "server.authorized_keys",
    summary: "Ensure SSH public keys are present in (or absent from) a user's `authorized_keys` file.",
    main_arg: Some("user"),
    args: &[
        arg("user", Account, "The user whose keys are managed.").required(),
        arg("keys", STR_LIST, "Public keys, one per entry, as written in `authorized_keys` (`ssh-ed25519 AAAA... comment`, options allowed).").required(),
        arg("present", Bool, "Whether the keys should be in the file.").default(Default::Bool(true)),
        arg("exclusive", Bool, "Remove every key from the file that is not in `keys`.").default(Default::Bool(false)),
        arg("path", Path, "The file to manage; defaults to `.ssh/authorized_keys` in the user's home directory (created with mode 0700 / 0600)."),
    ],
    rules: &[],
    facts: &[],
    validate: None,
    lower: None,
};
