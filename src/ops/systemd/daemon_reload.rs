//! `systemd.daemon_reload`: make systemd re-read its unit files (`systemctl daemon-reload`).

use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "systemd.daemon_reload",
    summary: "Make systemd re-read changed unit files with `systemctl daemon-reload`.",
    main_arg: None,
    args: &[arg(
        "user_mode",
        Bool,
        "Reload the user manager (`systemctl --user`) of the user the op runs as.",
    )
    .default(Default::Bool(false))],
    rules: &[],
    facts: &[],
    validate: None,
    lower: None,
};
