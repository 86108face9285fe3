//! `detect.sh`: what a host runs (shared with the fact probe).

use super::{case, functions};

functions! {
    k_init_system => [
        // This machine's: one of the four answers, systemd only when it runs.
        case("s=$(k_init_system); case $s in systemd) [ -d /run/systemd/system ] ;; openrc | sysvinit | unknown) [ ! -d /run/systemd/system ] ;; *) false ;; esac && echo consistent")
            .prints("consistent\n"),
        // Without systemd running, the openrc command means openrc.
        case("s=$(k_init_system); [ -d /run/systemd/system ] || [ \"$s\" = openrc ] && echo openrc-or-systemd")
            .stub("openrc", "exit 0")
            .prints("openrc-or-systemd\n"),
    ],
    k_pkg_manager => [
        case("k_pkg_manager").stub("apt-get", "exit 0").stub("apk", "exit 0").only(&["printf"]).prints("apt\n"),
        case("k_pkg_manager").stub("zypper", "exit 0").only(&["printf"]).prints("zypper\n"),
        case("k_pkg_manager").only(&[]).status(1),
    ],
}
