//! `server.user`: ensure a local user account exists (or not), like pyinfra's `server.user`
//! and Ansible's `user`.

use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "server.user",
    summary: "Ensure a local user account exists with the given properties, or is absent.",
    main_arg: Some("user"),
    args: &[
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
        arg("password", Str, "The password, already hashed in crypt(3) form (`$6$...`); never a plain-text password."),
        arg("comment", Str, "The GECOS comment (usually the full name)."),
    ],
    rules: &[Rule::Requires("append", "supplementary_groups")],
    facts: &["os.family"],
    validate: None,
    lower: None,
};
