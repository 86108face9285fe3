//! `accounts.sh`: account databases, groups, commands as another user.

use crate::{case, functions};

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
}
