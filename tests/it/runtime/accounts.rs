//! `accounts.sh`: account databases, groups, commands as another user.

use super::{case, functions};

/// getent, for a passwd entry `bob`, groups `sudo` (27) and `adm` (4), and `bob` (1000).
const GETENT: &str = "case $1:$2 in
passwd:bob) echo 'bob:x:1000:1000:Bob:/home/bob:/bin/sh' ;;
group:27 | group:sudo) echo 'sudo:x:27:bob' ;;
group:4 | group:adm) echo 'adm:x:4:bob' ;;
group:1000 | group:bob) echo 'bob:x:1000:' ;;
*) exit 2 ;;
esac";

/// id, for `bob`, in groups bob (primary), sudo and adm; running as `me`.
const ID: &str = "case $1 in
-un) echo me ;;
-gn) [ \"$2\" = bob ] && echo bob ;;
-Gn) [ \"$2\" = bob ] && echo 'bob sudo adm' ;;
esac";

/// A command that keeps how it was called in `calls`.
const RECORD: &str = "echo \"${0##*/} $*\" >> calls";

functions! {
    k_getent => [
        case("k_getent passwd bob; k_getent group 27; k_getent group none || echo none")
            .stub("getent", GETENT)
            .prints("bob:x:1000:1000:Bob:/home/bob:/bin/sh\nsudo:x:27:bob\nnone\n"),
        // Without getent, the file (this machine's /etc/passwd: read only).
        case("k_getent passwd root | cut -d: -f1,3; k_getent passwd kiln-no-such-user || echo none")
            .only(&["awk", "cut"])
            .prints("root:0\nnone\n"),
    ],
    k_field => [
        case("k_field 'bob:x:1000:1000:Bob:/home/bob:/bin/sh' 1; k_field 'bob:x:1000:1000:Bob:/home/bob:/bin/sh' 7; k_field 'a:b' 5; k_field 'a::c' 2")
            .prints("bob\n/bin/sh\n\n\n"),
        // A hash leaves through a builtin, whatever it holds.
        case("k_field 'bob:$6$salt$h/a%s\\n:1' 2").stub("printf", "exit 1").prints("$6$salt$h/a%s\\n\n"),
    ],
    k_group_name => [
        case("k_group_name 27; k_group_name adm; k_group_name 12345").stub("getent", GETENT).prints("sudo\nadm\n12345\n"),
    ],
    k_groups_ok => [
        case("k_groups_ok bob 0 sudo adm && echo exact; k_groups_ok bob 0 27 4 bob && echo numbers-and-primary; k_groups_ok bob 0 sudo || echo more")
            .stub("getent", GETENT)
            .stub("id", ID)
            .prints("exact\nnumbers-and-primary\nmore\n"),
        case("k_groups_ok bob 1 sudo && echo includes; k_groups_ok bob 1 sudo wheel || echo lacks")
            .stub("getent", GETENT)
            .stub("id", ID)
            .prints("includes\nlacks\n"),
        case("k_groups_ok nobody-here 0 sudo").stub("id", "exit 1").status(1),
    ],
    k_run_as => [
        case("k_run_as '' echo one; k_run_as me echo two").stub("id", ID).prints("one\ntwo\n"),
        case("k_run_as bob crontab -l; cat calls")
            .stub("id", ID)
            .stub("sudo", RECORD)
            .prints("sudo -n -H -u bob -- crontab -l\n"),
        case("k_run_as bob crontab -l; cat calls")
            .stub("id", ID)
            .stub("su", RECORD)
            .only(&["cat"])
            .prints("su -s /bin/sh -- bob -c exec \"$0\" \"$@\" crontab -l\n"),
    ],
    k_group => [
        case("k_group ok --name web || echo missing; k_group act --name web --gid 900 --system; cat calls")
            .stub("getent", "exit 2")
            .stub("groupadd", r#"echo "groupadd $*" >> calls"#)
            .prints("missing\ngroupadd -r -g 900 web\n"),
        case("k_group ok --name sudo --gid 27 && echo holds; k_group diff --name sudo --gid 28; k_group act --name sudo --gid 28; cat calls")
            .stub("getent", GETENT)
            .stub("groupmod", r#"echo "groupmod $*" >> calls"#)
            .prints("holds\ngid: 27 -> 28\ngroupmod -g 28 sudo\n"),
        // Without the shadow tools, busybox's.
        case("k_group act --name web --system; k_group act --name adm --absent; cat calls")
            .stub("getent", GETENT)
            .stub("addgroup", r#"echo "addgroup $*" >> calls"#)
            .stub("delgroup", r#"echo "delgroup $*" >> calls"#)
            .only(&["cat"])
            .prints("addgroup -S web\ndelgroup adm\n"),
    ],
    k_account_absent => [
        // Whether it exists, by the account databases; what removing it would do.
        case("k_account_absent ok user bob || echo bob exists; k_account_absent ok user ann && echo no ann; k_account_absent ok group adm || echo adm exists; k_account_absent diff group adm")
            .stub("getent", GETENT)
            .prints("bob exists\nno ann\nadm exists\nremove group adm\n"),
        // The shadow tools when there, else busybox's.
        case("k_account_absent act group adm; k_account_absent act user bob; cat calls")
            .stub("groupdel", r#"echo "groupdel $*" >> calls"#)
            .stub("deluser", r#"echo "deluser $*" >> calls"#)
            .only(&["cat"])
            .prints("groupdel adm\ndeluser bob\n"),
    ],
    k_user => [
        // A new account: useradd with what is asked, the password through chpasswd's input.
        case("k_user ok --name ann || echo missing; k_user act --name ann --uid 1001 --groups 'sudo\nadm' --shell /bin/sh --password-hash '$6$x$y' --create-home; cat calls")
            .stub("getent", "exit 2")
            .stub("useradd", r#"echo "useradd $*" >> calls"#)
            .stub("chpasswd", r#"echo "chpasswd $*: $(cat)" >> calls"#)
            .prints("missing\nuseradd -m -u 1001 -G sudo,adm -s /bin/sh ann\nchpasswd -e: ann:$6$x$y\n"),
        // An account: what differs is said, and changed with usermod.
        case("k_user ok --name bob --shell /bin/sh --groups 'sudo\nadm' && echo holds; k_user diff --name bob --shell /bin/bash --home /home/b --groups sudo; k_user act --name bob --shell /bin/bash --groups sudo --append; cat calls")
            .stub("getent", GETENT)
            .stub("id", ID)
            .stub("usermod", r#"echo "usermod $*" >> calls"#)
            .prints("holds\ngroups: bob sudo adm -> sudo\nhome: /home/bob -> /home/b\nshell: /bin/sh -> /bin/bash\nusermod -G sudo -a -s /bin/bash bob\n"),
        // Without the shadow tools, busybox's adduser, then each group.
        case("k_user act --name ann --groups 'sudo\nadm' --home /srv/ann; cat calls")
            .stub("getent", "exit 2")
            .stub("adduser", r#"echo "adduser $*" >> calls"#)
            .stub("addgroup", r#"echo "addgroup $*" >> calls"#)
            .only(&["cat"])
            .prints("adduser -D -H -h /srv/ann ann\naddgroup ann sudo\naddgroup ann adm\n"),
        case("k_user ok --name bob --absent || echo exists; k_user act --name bob --absent; cat calls")
            .stub("getent", GETENT)
            .stub("userdel", r#"echo "userdel $*" >> calls"#)
            .prints("exists\nuserdel bob\n"),
    ],
    k_authorized_keys => [
        // In the user's ~/.ssh, made 0700; the file 0600, both the user's.
        case("k_authorized_keys ok --user bob --keys 'ssh-ed25519 AAAA me' || echo missing; k_authorized_keys act --user bob --keys 'ssh-ed25519 AAAA me'; cat home/.ssh/authorized_keys; stat -c %a home/.ssh home/.ssh/authorized_keys")
            .given("mkdir home")
            .stub("getent", r#"[ "$2" = bob ] && echo "bob:x:1000:1000::$PWD/home:/bin/sh""#)
            .stub("chown", "exit 0")
            .prints("missing\nssh-ed25519 AAAA me\n700\n600\n"),
        case("k_authorized_keys diff --user bob --path keys --keys 'ssh-ed25519 BBBB' --exclusive")
            .given("echo 'ssh-ed25519 AAAA old' > keys")
            .stub("getent", r#"[ "$2" = bob ] && echo "bob:x:1000:1000::/home/bob:/bin/sh""#)
            .prints("--- keys\n+++ keys (desired)\n@@ -1 +1 @@\n-ssh-ed25519 AAAA old\n+ssh-ed25519 BBBB\n"),
        case("k_authorized_keys act --user nobody-here --keys 'ssh-ed25519 AAAA'")
            .stub("getent", "exit 2")
            .status(1)
            .says("kiln: no user nobody-here\n"),
    ],
}
