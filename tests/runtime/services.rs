//! `services.sh`: SysV boot links.

use crate::{case, functions};

/// A command that keeps how it was called in `calls`.
const RECORD: &str = "echo \"${0##*/} $*\" >> calls";

functions! {
    k_sysv_enabled => [
        case("k_sysv_enabled on && echo on; k_sysv_enabled off || echo off")
            .stub("chkconfig", "[ \"$1\" = on ]")
            .prints("on\noff\n"),
        // Without chkconfig, the S links of runlevels 2 to 5 (this machine's: read only).
        case("k_sysv_enabled kiln-no-such-service || echo off").only(&[]).prints("off\n"),
    ],
    k_sysv_enable => [
        case("k_sysv_enable app 1; k_sysv_enable app 0; cat calls")
            .stub("update-rc.d", RECORD)
            .prints("update-rc.d app defaults\nupdate-rc.d app enable\nupdate-rc.d app disable\n"),
        case("k_sysv_enable app 1; k_sysv_enable app 0; cat calls")
            .stub("chkconfig", RECORD)
            .only(&["cat"])
            .prints("chkconfig --add app\nchkconfig app on\nchkconfig app off\n"),
        case("k_sysv_enable app 1")
            .only(&["printf"])
            .status(1)
            .says("kiln: cannot change the boot links of app: neither update-rc.d nor chkconfig is installed\n"),
    ],
}
