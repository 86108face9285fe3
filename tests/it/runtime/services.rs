//! `services.sh`: SysV boot links, services, unit files.

use super::{case, functions};

/// systemctl, for a unit whose state is files here: `running`, `enabled`; what it is asked
/// to change is kept in `calls`.
const SYSTEMCTL: &str = "u=; [ \"$1\" = --user ] && { u='--user '; shift; }
case $1 in
is-active) [ -e running ] ;;
is-enabled) if [ -e masked ]; then echo masked; exit 1; fi; [ -e enabled ] ;;
show) echo no ;;
start | reload | restart) echo \"$u$*\" >> calls; touch running ;;
stop) echo \"$u$*\" >> calls; rm -f running ;;
enable) echo \"$u$*\" >> calls; touch enabled ;;
disable) echo \"$u$*\" >> calls; rm -f enabled ;;
mask) echo \"$u$*\" >> calls; touch masked ;;
unmask) echo \"$u$*\" >> calls; rm -f masked ;;
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
        // Masked: `is-enabled` says so; masked before it is stopped, unmasked before it
        // is started.
        case("k_service diff --init systemd --name app --stopped --masked; k_service act --init systemd --name app --stopped --masked; k_service ok --init systemd --name app --stopped --masked && echo holds; k_service ok --init systemd --name app --unmasked || echo masked; k_service act --init systemd --name app --unmasked; cat calls")
            .given("touch running enabled")
            .stub("systemctl", SYSTEMCTL)
            .prints("would run: systemctl mask 'app'\nwould run: systemctl stop 'app'\nholds\nmasked\nmask app\nstop app\nunmask app\nstart app\n"),
        // Another user's manager: systemctl --user as that user (here this one), with its
        // runtime directory and bus, for each probe and change; a timer like any unit.
        case("k_service diff --init systemd --name app.timer --as \"$(id -un)\" --enabled | sed \"s/$(id -un)/USER/\"; k_service act --init systemd --name app.timer --as \"$(id -un)\" --enabled; sed \"s/$(id -u)/UID/g\" calls")
            .stub("systemctl", SYSTEMCTL)
            .stub("env", "echo \"$1 $2\" >> calls; shift 2; exec \"$@\"")
            .prints("would run: systemctl --user enable 'app.timer' (as 'USER')\nwould run: systemctl --user start 'app.timer' (as 'USER')\nXDG_RUNTIME_DIR=/run/user/UID DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/UID/bus\nXDG_RUNTIME_DIR=/run/user/UID DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/UID/bus\nXDG_RUNTIME_DIR=/run/user/UID DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/UID/bus\nXDG_RUNTIME_DIR=/run/user/UID DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/UID/bus\n--user enable app.timer\nXDG_RUNTIME_DIR=/run/user/UID DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/UID/bus\nXDG_RUNTIME_DIR=/run/user/UID DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/UID/bus\n--user start app.timer\n"),
        case("k_service act --init openrc --name app --enabled --runlevel boot; cat calls")
            .stub("rc-service", "echo \"rc-service $*\" >> calls; [ \"$2\" = status ] && exit 3; exit 0")
            .stub("rc-update", "echo \"rc-update $*\" >> calls")
            .prints("rc-update add app boot\nrc-service app status\nrc-service app start\n"),
        case("k_service diff --init sysvinit --name kiln-no-such-service --disabled").stub("chkconfig", "exit 1").prints("would run: '/etc/init.d/kiln-no-such-service' start\n"),
        case("k_service ok --init upstart --name app").status(1).says("kiln: no supported init system found\n"),
    ],
    k_user_systemctl => [
        case("k_user_systemctl \"$(id -un)\" is-active app | sed \"s/$(id -u)/UID/g\"")
            .stub("systemctl", "echo \"$* $XDG_RUNTIME_DIR $DBUS_SESSION_BUS_ADDRESS\"")
            .prints("--user is-active app /run/user/UID unix:path=/run/user/UID/bus\n"),
        case("k_user_systemctl kiln-no-such-user is-active app").noisy().status(1),
    ],
    k_unit => [
        // The unit file is checked by the real systemd-analyze before it is installed, and
        // the manager reloaded only after a change.
        case("k_unit diff --name app.service --dir \"$PWD\" --verify --reload -- --dest app.service < new; k_unit act --name app.service --dir \"$PWD\" --verify --reload -- --dest app.service < new; k_unit ok --name app.service --dir \"$PWD\" -- --dest app.service < new && echo holds; cat calls")
            .given("printf '[Service]\\nExecStart=/bin/true\\n' > new")
            .stub("systemctl", RECORD)
            .prints("--- app.service\n+++ app.service (desired)\n@@ -0,0 +1,2 @@\n+[Service]\n+ExecStart=/bin/true\nwould run: systemctl daemon-reload\nholds\nsystemctl daemon-reload\n"),
        // A drop-in is checked with its unit; one systemd refuses is not installed. A user
        // unit's directory is never made (it would be root's): here it exists.
        case("k_unit act --name app.service --dir \"$PWD\" --dropin x.conf --verify --user -- --dest app.service.d/x.conf < new 2>/dev/null || echo refused; ls app.service.d; k_unit act --name app.service --dir \"$PWD\" --dropin x.conf --verify --as \"$(id -un)\" --reload -- --dest app.service.d/x.conf < good && cat app.service.d/x.conf calls")
            .given("mkdir app.service.d; printf '[Service]\\nExecStart=/bin/true\\n' > app.service; printf '[Service]\\nExecStart=\\nExecStart=bin/true\\n' > new; printf '[Service]\\nNice=5\\n' > good")
            .stub("systemctl", RECORD)
            .prints("refused\n[Service]\nNice=5\nsystemctl --user daemon-reload\n"),
    ],
}
