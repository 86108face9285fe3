//! `server.mount`: manage a filesystem mount and its `/etc/fstab` entry, like Ansible's
//! `mount` (`ansible.posix.mount`).

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::ops::args::OpArgs;
use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "server.mount",
    summary: "Ensure a filesystem is mounted or unmounted, and its `/etc/fstab` entry is present or absent.",
    main_arg: Some("path"),
    args: &[
        arg("path", Path, "The mount point (created if missing when mounting).").required(),
        arg("src", Str, "The device or remote filesystem (`/dev/sdb1`, `UUID=...`, `LABEL=...`, `server:/export`). Required unless both `present` and `mounted` are false."),
        arg("fstype", Str, "The filesystem type (`ext4`, `xfs`, `nfs`, `tmpfs`...). Required unless both `present` and `mounted` are false."),
        arg("opts", STR_LIST, "Mount options, one per entry; `defaults` when not given."),
        arg("present", Bool, "Whether the entry should be in `/etc/fstab`.").default(Default::Bool(true)),
        arg("mounted", Bool, "Whether the filesystem should be mounted now (remounted if its options changed).").default(Default::Bool(true)),
        arg("dump", Int { min: 0, max: 1 }, "The fstab dump field (1 to have `dump` back it up).").default(Default::Int(0)),
        arg("passno", Int { min: 0, max: 2 }, "The fstab pass number for `fsck` at boot (0 never, 1 for the root filesystem, 2 for others).").default(Default::Int(0)),
    ],
    rules: &[],
    facts: &[],
    validate: Some(validate),
    lower: None,
};

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    if !args.flag(&DEF, "present") && !args.flag(&DEF, "mounted") {
        return;
    }
    let Some(path) = args.get("path") else {
        return;
    };
    for needed in ["src", "fstype"] {
        if !args.contains(needed) {
            diagnostics.push(
                Diagnostic::new(
                    Code::MissingArgument,
                    path.span,
                    format!("`{needed}` is required to mount or add an fstab entry"),
                )
                .label("this mount point needs a filesystem")
                .help(
                    "set `present = false` and `mounted = false` to unmount and remove the entry",
                ),
            );
        }
    }
}
