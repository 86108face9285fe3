//! `services.sh`: SysV boot links.

use super::{case, functions};

/// systemctl, for a unit whose state is files here: `running`, `enabled`; what it is asked
/// to change is kept in `calls`.
const SYSTEMCTL: &str = "u=; [ \"$1\" = --user ] && { u='--user '; shift; }
case $1 in
is-active) [ -e running ] ;;
is-enabled) [ -e enabled ] ;;
show) echo no ;;
start | reload | restart) echo \"$u$*\" >> calls; touch running ;;
stop) echo \"$u$*\" >> calls; rm -f running ;;
enable) echo \"$u$*\" >> calls; touch enabled ;;
disable) echo \"$u$*\" >> calls; rm -f enabled ;;
*) echo \"$u$*\" >> calls ;;
esac";

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
    k_service => [
        // systemd: the probe, then enable and start as needed; check mode says what.
        case("k_service ok --init systemd --name app || echo stopped; k_service diff --init systemd --name app --enabled --daemon-reload; k_service act --init systemd --name app --enabled --daemon-reload; k_service ok --init systemd --name app --enabled && echo holds")
            .stub("systemctl", SYSTEMCTL)
            .prints("stopped\nwould run: systemctl daemon-reload\nwould run: systemctl enable 'app'\nwould run: systemctl start 'app'\nholds\n")
            .leaves("cat calls", "daemon-reload\nenable app\nstart app\n"),
        case("k_service act --init systemd --name app --stopped --disabled --user; cat calls")
            .given("touch enabled running")
            .stub("systemctl", SYSTEMCTL)
            .prints("--user disable app\n--user stop app\n"),
        // Restarted and reloaded always act; reloading a stopped service starts it.
        case("k_service ok --init systemd --name app --restarted || echo acts; k_service act --init systemd --name app --reloaded; k_service act --init systemd --name app --reloaded; cat calls")
            .stub("systemctl", SYSTEMCTL)
            .prints("acts\nstart app\nreload app\n"),
        case("k_service act --init openrc --name app --enabled --runlevel boot; cat calls")
            .stub("rc-service", "echo \"rc-service $*\" >> calls; [ \"$2\" = status ] && exit 3; exit 0")
            .stub("rc-update", "echo \"rc-update $*\" >> calls")
            .prints("rc-update add app boot\nrc-service app status\nrc-service app start\n"),
        case("k_service diff --init sysvinit --name kiln-no-such-service --disabled").stub("chkconfig", "exit 1").prints("would run: '/etc/init.d/kiln-no-such-service' start\n"),
        case("k_service ok --init upstart --name app").status(1).says("kiln: no supported init system found\n"),
    ],
}
