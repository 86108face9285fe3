//! `system.sh`: mount points and kernel modules (this machine's, read only), and the ops
//! on the system as a whole (changes to this machine are stubs, or left to the chroot
//! tests).

use super::{case, functions};

/// update-alternatives: `--query` prints the file `q` (or fails as for an unknown name),
/// every other call is recorded in `calls`.
const UPDATE_ALTERNATIVES: &str = "case $1 in
--query) cat q 2>/dev/null || { echo \"update-alternatives: error: no alternatives for $2\" >&2; exit 2; } ;;
*) echo \"$*\" >> calls ;;
esac";

/// `editor`, in automatic mode, pointing to vim; nano is an alternative of priority 40.
const EDITOR: &str = "printf 'Name: editor\\nLink: /usr/bin/editor\\nSlaves:\\n editor.1.gz /usr/share/man/man1/editor.1.gz\\nStatus: auto\\nBest: /usr/bin/vim\\nValue: /usr/bin/vim\\n\\nAlternative: /bin/nano\\nPriority: 40\\nSlaves:\\n\\nAlternative: /usr/bin/vim\\nPriority: 50\\nSlaves:\\n' > q";

functions! {
    k_alternatives => [
        // Registered with its priority: only selected is missing.
        case("k_alternatives ok --name editor --path /bin/nano --priority 40 --state present && echo present; k_alternatives ok --name editor --path /bin/nano --priority 40 || k_alternatives diff --name editor --path /bin/nano --priority 40")
            .given(EDITOR)
            .stub("update-alternatives", UPDATE_ALTERNATIVES)
            .prints("present\nwould run: update-alternatives --set editor /bin/nano\n"),
        // A new alternative takes the name's link; another priority is installed again.
        case("k_alternatives act --name editor --path /opt/ed --priority 60; k_alternatives act --name editor --path /bin/nano --priority 10 --state present; cat calls")
            .given(EDITOR)
            .stub("update-alternatives", UPDATE_ALTERNATIVES)
            .prints("--install /usr/bin/editor editor /opt/ed 60\n--set editor /opt/ed\n--install /usr/bin/editor editor /bin/nano 10\n"),
        case("k_alternatives act --name editor --path /bin/nano --state absent; k_alternatives act --name editor --path /opt/none --state absent; k_alternatives ok --name editor --state auto && echo auto; cat calls")
            .given(EDITOR)
            .stub("update-alternatives", UPDATE_ALTERNATIVES)
            .prints("auto\n--remove editor /bin/nano\n"),
        case("k_alternatives act --name editor --state auto; cat calls")
            .given("printf 'Name: editor\\nLink: /usr/bin/editor\\nStatus: manual\\nValue: /bin/nano\\n' > q")
            .stub("update-alternatives", UPDATE_ALTERNATIVES)
            .prints("--auto editor\n"),
        // A new name needs its link.
        case("k_alternatives act --name java --path /opt/java --priority 5 2>&1; k_alternatives act --name java --path /opt/java --link /usr/bin/java; cat calls")
            .stub("update-alternatives", UPDATE_ALTERNATIVES)
            .prints("kiln: java is a new alternative: its link is needed\n--install /usr/bin/java java /opt/java 50\n--set java /opt/java\n"),
    ],
    k_mounted => [
        case("k_mounted /proc && echo mounted; k_mounted /kiln/not/mounted || echo not").prints("mounted\nnot\n"),
    ],
    k_module_loaded => [
        // `printk` is in every kernel (built in), with its parameters in /sys/module.
        case("k_module_loaded printk && echo loaded; k_module_loaded kiln_no_such_module || echo not").prints("loaded\nnot\n"),
    ],
    k_hostname => [
        // Read only here: the act writes /etc/hostname (the chroot tests run it).
        case("k_hostname ok --name web1 && echo holds; k_hostname ok --name web2 || echo differs; k_hostname diff --name web2")
            .stub("uname", "echo web1")
            .stub("cat", "echo web1")
            .prints("holds\ndiffers\nhostname: web1 -> web2\n"),
    ],
    k_timezone => [
        // Read only here: the act changes /etc/localtime (the chroot tests run it).
        case("k_timezone ok --zone Europe/Paris || echo differs; k_timezone diff --zone Europe/Paris")
            .stub("readlink", "echo /usr/share/zoneinfo/Etc/UTC")
            .prints("differs\ntime zone: /usr/share/zoneinfo/Etc/UTC -> Europe/Paris\n"),
    ],
    k_reboot => [
        case("k_reboot ok --message bye --wait 0 || echo always; k_reboot diff --message bye --wait 0; k_reboot act --message bye --wait 0; cat calls")
            .stub("shutdown", r#"echo "shutdown $*" >> calls"#)
            .stub("sleep", "exit 0")
            .prints("always\nreboot the host\nshutdown -r now bye\n")
            .says("kiln: the host did not go down for the reboot\n"),
    ],
    k_daemon_reload => [
        case("k_daemon_reload ok || echo always; k_daemon_reload diff --user; k_daemon_reload act; k_daemon_reload act --user; cat calls")
            .stub("systemctl", r#"echo "systemctl $* ${XDG_RUNTIME_DIR:+(runtime dir)}" >> calls"#)
            .given("unset XDG_RUNTIME_DIR")
            .prints("always\nwould run: systemctl --user daemon-reload\nsystemctl daemon-reload \nsystemctl --user daemon-reload (runtime dir)\n"),
    ],
    k_sysctl => [
        case("k_sysctl ok --key vm.swappiness --value 10 || echo differs; k_sysctl diff --key vm.swappiness --value 10 --file conf.d/k.conf; k_sysctl act --key vm.swappiness --value 10 --file conf.d/k.conf; cat calls conf.d/k.conf")
            .stub("sysctl", r#"case $1 in -n) printf '60\t\n' ;; -w) echo "sysctl $*" >> calls ;; esac"#)
            .prints("differs\nvm.swappiness: 60 -> 10\n--- conf.d/k.conf\n+++ conf.d/k.conf (desired)\n@@ -0,0 +1 @@\n+vm.swappiness = 10\nsysctl -w vm.swappiness=10\nvm.swappiness = 10\n"),
    ],
    k_locale => [
        // Without Debian's locale-gen: localedef.
        case("k_locale ok --locale de_DE.UTF-8 --lang de_DE --charset UTF-8 --normalized de_DE.utf8 || echo missing; k_locale act --locale de_DE.UTF-8 --lang de_DE --charset UTF-8 --normalized de_DE.utf8; k_locale diff --locale de_DE.UTF-8 --lang de_DE --charset UTF-8 --normalized de_DE.utf8 --absent; cat calls")
            .stub("locale", "printf 'C\\nC.utf8\\n'")
            .stub("localedef", r#"echo "localedef $*" >> calls"#)
            .only(&["grep", "cat", "printf"])
            .prints("missing\nremove locale de_DE.UTF-8\nlocaledef -i de_DE -f UTF-8 de_DE.UTF-8\n"),
        case("k_locale ok --locale C.UTF-8 --lang C --charset UTF-8 --normalized C.utf8 --absent || echo present")
            .stub("locale", "printf 'C\\nC.utf8\\n'")
            .only(&["grep"])
            .prints("present\n"),
    ],
    k_mount => [
        // Read only here: the act writes /etc/fstab (the chroot tests run it).
        case("k_mount ok --path /kiln/no/such --point /kiln/no/such --line 'tmpfs /kiln/no/such tmpfs defaults 0 0' --src tmpfs --fstype tmpfs --opts defaults || echo differs; k_mount diff --path /kiln/no/such --point /kiln/no/such --line 'tmpfs /kiln/no/such tmpfs defaults 0 0' --src tmpfs --fstype tmpfs --opts defaults | grep -v '^[-+@ ]'")
            .prints("differs\nmount tmpfs on /kiln/no/such\n"),
    ],
    k_modprobe => [
        case("k_modprobe ok --module printk && echo loaded; k_modprobe ok --module kiln-no-such || echo missing; k_modprobe diff --module kiln-no-such; k_modprobe act --module kiln-no-such --params 'a=1\nb=2'; cat calls")
            .stub("modprobe", r#"echo "modprobe $*" >> calls"#)
            .prints("loaded\nmissing\nload kiln-no-such\nmodprobe kiln-no-such a=1 b=2\n"),
        case("k_modprobe ok --module printk --absent || echo loaded; k_modprobe diff --module printk --absent; k_modprobe act --module printk --absent; cat calls")
            .stub("modprobe", r#"echo "modprobe $*" >> calls"#)
            .prints("loaded\nunload printk\nmodprobe -r printk\n"),
    ],
}
