//! `server.modprobe`: load (or unload) a kernel module, optionally at every boot, like
//! Ansible's `modprobe`.

use crate::ops::def::prelude::*;

pub const DEF: OpDef = OpDef {
    name: "server.modprobe",
    summary: "Ensure a kernel module is loaded or unloaded, and optionally loaded at boot.",
    main_arg: Some("module"),
    args: &[
        arg("module", Str, "The kernel module's name.").required(),
        arg("present", Bool, "Whether the module should be loaded.").default(Default::Bool(true)),
        arg("persist", Bool, "Also load the module at boot (through `/etc/modules-load.d/<module>.conf`), or stop loading it at boot when `present` is false.").default(Default::Bool(true)),
        arg("params", STR_MAP, "Module parameters (`name = \"value\"`), passed to `modprobe` and, with `persist`, written to `/etc/modprobe.d/<module>.conf`."),
    ],
    rules: &[],
    facts: &[],
    validate: None,
    lower: None,
};
