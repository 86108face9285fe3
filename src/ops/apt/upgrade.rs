//! `apt.upgrade`: upgrade all installed Debian packages, like pyinfra's `apt.upgrade` and
//! Ansible's `apt` with `upgrade`.

use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "apt.upgrade",
    summary: "Upgrade every installed package with `apt-get upgrade` (or `dist-upgrade`).",
    main_arg: None,
    args: &[
        arg("dist_upgrade", Bool, "Use `apt-get dist-upgrade`, which may also install or remove packages to satisfy changed dependencies.").default(Default::Bool(false)),
        arg("autoremove", Bool, "Then remove packages that were installed as dependencies and are no longer needed.").default(Default::Bool(false)),
    ],
    rules: &[],
    facts: &[],
    validate: None,
    lower: None,
};
