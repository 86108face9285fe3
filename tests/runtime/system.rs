//! `system.sh`: mount points and kernel modules (this machine's, read only).

use crate::{case, functions};

functions! {
    k_mounted => [
        case("k_mounted /proc && echo mounted; k_mounted /kiln/not/mounted || echo not").prints("mounted\nnot\n"),
    ],
    k_module_loaded => [
        // `printk` is in every kernel (built in), with its parameters in /sys/module.
        case("k_module_loaded printk && echo loaded; k_module_loaded kiln_no_such_module || echo not").prints("loaded\nnot\n"),
    ],
}
