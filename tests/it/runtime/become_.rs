//! `become.sh`: shell code run as another user. `sudo` and `su` are stubs that keep how
//! they were called in `calls`, take the password `secret` on standard input when the file
//! `needs-password` exists, and run the code as this user; `id` says this user is `me`.

use super::{case, functions};

const ID: &str = "echo me";

const SUDO: &str = "echo \"sudo $*\" >> calls
[ \"$1\" = -n ] && [ -e needs-password ] && exit 1
if [ \"$1\" = -S ]; then IFS= read -r pw; [ \"$pw\" = secret ] || exit 1; fi
for a; do shift; [ \"$a\" = -- ] && exec \"$@\"; done
exit 0";

/// su: `su -s /bin/sh USER -c COMMAND`.
const SU: &str = "echo \"su $*\" >> calls
if [ -e needs-password ]; then IFS= read -r pw; [ \"$pw\" = secret ] || exit 1; fi
exec /bin/sh -c \"$5\"";

/// The runtime another user's shell gets, and a data function's definition.
const LIB: &str = "KILN_LIB='k_lib() { echo \"lib says $1\"; }'
data_def='data() { echo payload; }'";

functions! {
    k_as => [
        // As this user already: the code runs here, in a subshell, reading nothing.
        case("k_as sudo me 'x=1' 'echo \"$x\"; cat'; echo \"${x-unset}\"; ls").stub("id", ID).given(LIB).prints("1\nunset\n"),
        // sudo, without a password: the runtime and the code on its standard input.
        case("k_as sudo bob 'k_lib hello' && cat calls")
            .stub("id", ID)
            .stub("sudo", SUDO)
            .given(LIB)
            .prints("lib says hello\nsudo -n -H -u bob -- sh -s\n"),
        // Data from a function an earlier piece defines; the last piece reads nothing else.
        case("k_as sudo bob \"$data_def\" 'data | { read -r x; echo \"got $x\"; cat; }'; k_as sudo bob 'cat'")
            .stub("id", ID)
            .stub("sudo", SUDO)
            .given(LIB)
            .prints("got payload\n"),
        // With a password sudo asks for: on standard input, ahead of the code.
        case("k_as sudo bob 'k_lib again' && cat calls")
            .stub("id", ID)
            .stub("sudo", SUDO)
            .given("touch needs-password; KILN_BECOME_PASS=secret; KILN_LIB='k_lib() { echo \"lib says $1\"; }'")
            .prints("lib says again\nsudo -n -u bob true\nsudo -S -p  -H -u bob -- sh -s\n"),
        case("k_as su bob 'k_lib su' && cat calls")
            .stub("id", ID)
            .stub("su", SU)
            .given(LIB)
            .prints("lib says su\nsu -s /bin/sh bob -c exec sh -s\n"),
        // su with a password: the password alone on its standard input, the code round it.
        case("k_as su bob 'k_lib su; echo err >&2' 2>err && cat err")
            .stub("id", ID)
            .stub("su", SU)
            .given("touch needs-password; KILN_BECOME_PASS=secret; KILN_LIB='k_lib() { echo \"lib says $1\"; }'")
            .prints("lib says su\nerr\n"),
        case("k_as sudo bob false").stub("id", ID).stub("sudo", SUDO).given(LIB).status(1),
    ],
    k_as_code => [
        case("k_as_code 'a=1' 'b $a'").given("KILN_LIB='lib() { :; }'").prints("set -u\nlib() { :; }\na=1\n{\nb $a\n} </dev/null\n"),
    ],
    k_become_check => [
        // Nothing to check: no password, or already that user.
        case("k_become_check sudo bob && k_become_check sudo me && echo ok; ls").stub("id", ID).stub("sudo", SUDO).given("KILN_BECOME_PASS=").prints("ok\n"),
        case("k_become_check sudo bob && cat calls")
            .stub("id", ID)
            .stub("sudo", SUDO)
            .given("touch needs-password; KILN_BECOME_PASS=secret")
            .prints("sudo -n -u bob true\nsudo -S -p  -u bob true\n"),
        case("k_become_check sudo bob")
            .stub("id", ID)
            .stub("sudo", SUDO)
            .given("touch needs-password; KILN_BECOME_PASS=wrong")
            .status(1)
            .says("kiln: sudo refused the become password, or cannot run as bob (from me): nothing was done\n"),
        case("k_become_check su bob && echo accepted; KILN_BECOME_PASS=wrong; k_become_check su bob || echo refused")
            .stub("id", ID)
            .stub("su", SU)
            .given("touch needs-password; KILN_BECOME_PASS=secret")
            .prints("accepted\nrefused\n")
            .noisy(),
        // After a failed check, no other password try is made.
        case("k_become_check sudo bob; ls")
            .stub("id", ID)
            .stub("sudo", SUDO)
            .given("touch needs-password; KILN_BECOME_PASS=wrong; k_halt=1")
            .prints("needs-password\n"),
    ],
    k_quoted => [
        // Each word in single quotes: the shell reads back exactly the words.
        case(r#"k_quoted "a'b" '' "'" 'x y' '$HOME `x` "q" \n'; k_print "$k_quoted_text"; eval "set -- $k_quoted_text"; echo "$#"; for a; do k_print "[$a]"; done"#)
            .prints(concat!(
                r#" 'a'\''b' '' ''\''' 'x y' '$HOME `x` "q" \n'"#,
                "\n5\n[a'b]\n[]\n[']\n[x y]\n",
                r#"[$HOME `x` "q" \n]"#,
                "\n"
            ))
            .stub("printf", "exit 1"),
    ],
}
