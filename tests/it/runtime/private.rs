//! `private.sh`: the run's private directory, and temporaries beside destinations.

use super::{case, functions};

/// `mktemp` missing: the runtime names files from `/dev/urandom` instead.
const NO_MKTEMP: &str = "exit 127";

functions! {
    k_private => [
        // Under a safe TMPDIR, 0700, made once.
        case("k_private; case $k_tmpd in \"$PWD/t/kiln.\"??????????) echo named ;; esac; stat -c %a \"$k_tmpd\"; a=$k_tmpd; k_private; [ \"$a\" = \"$k_tmpd\" ] && echo once")
            .given("mkdir -m 700 t; TMPDIR=$PWD/t")
            .prints("named\n700\nonce\n"),
        // Removed when the shell that made it ends.
        case("d=$(k_private; echo \"$k_tmpd\"); [ -n \"$d\" ] && [ ! -e \"$d\" ] && echo removed")
            .given("mkdir -m 700 t; TMPDIR=$PWD/t")
            .prints("removed\n")
            .leaves("ls t", ""),
        // A TMPDIR others may write to is passed over, saying so.
        case("k_private 2>err; case $k_tmpd in /tmp/kiln.*) echo in-tmp ;; esac; grep -c 'is writable by other users or owned by one: using /tmp' err")
            .given("mkdir -m 777 t; TMPDIR=$PWD/t")
            .prints("in-tmp\n1\n"),
        // Without mktemp: a random name, made exclusively, 0700.
        case("k_private; basename \"$k_tmpd\" | grep -c '^kiln\\.[0-9a-f]\\{16\\}$'; stat -c %a \"$k_tmpd\"")
            .given("mkdir -m 700 t; TMPDIR=$PWD/t")
            .stub("mktemp", NO_MKTEMP)
            .prints("1\n700\n"),
    ],
    k_tmp_dir => [
        // 0700, the prefix then a name no one can predict.
        case("k_tmp_dir d .kiln.; case $k_tmp_dir_path in d/.kiln.??????????) echo named ;; esac; stat -c %a \"$k_tmp_dir_path\"")
            .given("mkdir d")
            .prints("named\n700\n"),
        // Without mktemp: a random name, made exclusively.
        case("k_tmp_dir d x.; basename \"$k_tmp_dir_path\" | grep -c '^x\\.[0-9a-f]\\{16\\}$'; stat -c %a \"$k_tmp_dir_path\"")
            .given("mkdir d")
            .stub("mktemp", NO_MKTEMP)
            .prints("1\n700\n"),
        case("k_tmp_dir missing x. 2>err || grep -c 'cannot make a private directory in missing' err")
            .stub("mktemp", NO_MKTEMP)
            .prints("1\n"),
    ],
    k_safe_dir => [
        case("for d in private open sticky shared group; do k_safe_dir $d && echo \"$d safe\" || echo \"$d unsafe\"; done; k_safe_dir missing || echo missing")
            .given("umask 022; mkdir -m 700 private; mkdir -m 777 open; mkdir -m 1777 sticky; mkdir -m 755 shared; mkdir -m 775 group")
            .prints("private safe\nopen unsafe\nsticky safe\nshared safe\ngroup unsafe\nmissing\n"),
        case("k_safe_dir theirs || echo unsafe")
            .given("mkdir -m 700 theirs; chown 65534 theirs")
            .root()
            .prints("unsafe\n"),
    ],
    k_tmp_beside => [
        case("k_tmp_beside d; case $k_tmp_beside_file in ./d/.kiln.??????????) echo named ;; esac; stat -c %a \"$k_tmp_beside_file\"; [ -s \"$k_tmp_beside_file\" ] || echo empty")
            .given("mkdir d")
            .prints("named\n600\nempty\n"),
        case("k_tmp_beside \"$PWD/d\"; case $k_tmp_beside_file in \"$PWD/d/.kiln.\"*) echo absolute ;; esac")
            .given("mkdir d")
            .prints("absolute\n"),
        case("k_tmp_beside d; basename \"$k_tmp_beside_file\" | grep -c '^\\.kiln\\.[0-9a-f]\\{16\\}$'; stat -c %a \"$k_tmp_beside_file\"")
            .given("mkdir d")
            .stub("mktemp", NO_MKTEMP)
            .prints("1\n600\n"),
        // `shared`: the mode the umask gives a new file, made by the shell (mktemp only
        // draws the name), and the umask as it was after.
        case("k_tmp_beside d shared; : > after; stat -c %a \"$k_tmp_beside_file\" after; echo \"$k_tmp_beside_shared\"")
            .given("mkdir d; umask 027")
            .prints("640\n640\n1\n"),
        case("k_tmp_beside d; : > after; stat -c %a \"$k_tmp_beside_file\" after; echo \"$k_tmp_beside_shared\"")
            .given("mkdir d; umask 022")
            .prints("600\n644\n0\n"),
        // A name drawn that something took first is passed over, never opened.
        case("k_tmp_beside d; [ \"$k_tmp_beside_file\" != ./d/.kiln.taken ] && echo passed; cat d/.kiln.taken")
            .given("mkdir d; echo mine > d/.kiln.taken")
            .stub("mktemp", "if [ -e mktemp.1 ]; then echo \"${2%XXXXXXXXXX}fresh\"; else : > mktemp.1; echo \"${2%XXXXXXXXXX}taken\"; fi")
            .prints("passed\nmine\n"),
        // ... and so is a link planted at it: nothing is written through it.
        case("k_tmp_beside d; [ \"$k_tmp_beside_file\" != ./d/.kiln.taken ] && [ -f \"$k_tmp_beside_file\" ] && [ ! -L \"$k_tmp_beside_file\" ] && echo passed; cat victim")
            .given("mkdir d; echo theirs > victim; ln -s ../victim d/.kiln.taken")
            .stub("mktemp", "if [ -e mktemp.1 ]; then echo \"${2%XXXXXXXXXX}fresh\"; else : > mktemp.1; echo \"${2%XXXXXXXXXX}taken\"; fi")
            .prints("passed\ntheirs\n"),
        case("k_tmp_beside missing")
            .status(1)
            .says("kiln: cannot make a temporary file in missing\n"),
    ],
    k_random => [
        case("a=$(k_random); b=$(k_random); echo \"$a\" | grep -c '^[0-9a-f]\\{16\\}$'; [ \"$a\" != \"$b\" ] && echo differ")
            .prints("1\ndiffer\n"),
        case("k_random")
            .stub("od", "exit 1")
            .status(1)
            .says("kiln: cannot make a random name: no mktemp, and /dev/urandom cannot be read\n"),
    ],
    k_fill => [
        // DEST's mode is kept, then the content is written.
        case("k_tmp_beside .; k_fill \"$k_tmp_beside_file\" dest '' '' '' echo new; cat \"$k_tmp_beside_file\"; stat -c %a \"$k_tmp_beside_file\"")
            .given("echo old > dest; chmod 640 dest")
            .prints("new\n640\n"),
        // A mode given wins, and a read-only one does not stop the write.
        case("k_tmp_beside .; k_fill \"$k_tmp_beside_file\" dest 0400 '' '' printf 'a\\nb'; cat \"$k_tmp_beside_file\"; echo; stat -c %a \"$k_tmp_beside_file\"")
            .given("echo old > dest")
            .prints("a\nb\n400\n"),
        // A new file without a mode gets the umask's.
        case("k_tmp_beside .; k_fill \"$k_tmp_beside_file\" new '' '' '' true; stat -c %a \"$k_tmp_beside_file\"")
            .given("umask 027")
            .prints("640\n"),
        // A command that fails fails the fill.
        case("k_tmp_beside .; k_fill \"$k_tmp_beside_file\" dest '' '' '' false").status(1),
        case("k_tmp_beside .; k_fill \"$k_tmp_beside_file\" dest '' nobody '' echo x; stat -c %U \"$k_tmp_beside_file\"")
            .root()
            .prints("nobody\n"),
    ],
    k_rename => [
        // A link at DEST is replaced, not followed.
        case("k_rename t dest; [ -L dest ] || cat dest; cat target")
            .given("echo new > t; echo old > target; ln -s target dest")
            .prints("new\nold\n")
            .leaves("ls", "dest\ntarget\n"),
        // A rename that fails removes TMP.
        case("k_rename t missing/x")
            .given("echo new > t")
            .noisy()
            .status(1)
            .leaves("ls", ""),
    ],
}
