//! `commands.sh`: commands run under guards (server.shell, server.command, server.script).

use super::{case, functions};

functions! {
    k_run => [
        // The guards: any that says the commands need not run makes `ok` hold.
        case("k_run ok --creates there -- true && echo created; k_run ok --removes gone -- true && echo removed; k_run ok --unless true -- true && echo unless; k_run ok --onlyif false -- true && echo onlyif; k_run ok --creates missing --onlyif true -- true || echo runs; k_run ok -- true || echo always")
            .given("touch there")
            .prints("created\nremoved\nunless\nonlyif\nruns\nalways\n"),
        // A program and its arguments, without a shell; in a subshell, in DIR, with ENV.
        case("k_run act --chdir d --env 'GREETING=a b' -- sh -c 'pwd; echo \"$GREETING\"; exit 3' > out; echo \"$?\"; sed \"s#$PWD#PWD#\" out; pwd | sed \"s#$PWD#PWD#\"")
            .given("mkdir d")
            .prints("3\nPWD/d\na b\nPWD\n"),
        // Shell commands in turn, while they succeed.
        case("k_run act --shell -- 'echo one' 'false' 'echo never'").prints("one\n").status(1),
        case("k_run act --shell -- 'echo one' 'exit 4'").prints("one\n").status(4),
        case("k_run diff --shell -- 'echo \"$x\"' 'rm -f y'").prints("would run: echo \"$x\"\nwould run: rm -f y\n"),
        case("k_run diff --creates x -- prog 'a b'").prints("would run: prog a b\n"),
        // A script from standard input, run by its interpreter from the private directory,
        // and removed after.
        case("printf 'echo \"$0\" \"$@\"\\n' | k_run act --script s.sh -- 1 2 | sed \"s#$k_tmpd#PRIVATE#\"; ls \"$k_tmpd\"")
            .given("k_private")
            .prints("PRIVATE/script 1 2\n"),
        case("printf 'print(\"py\")\\n' | k_run act --script s.py --interpreter /usr/bin/env --interpreter-arg python3 --").prints("py\n"),
        case("k_run diff --script s.sh -- a").prints("would run: s.sh a\n"),
        case("k_run act --chdir missing --script s.sh -- a </dev/null").noisy().status(1),
        case("k_run ok --bogus -- x").status(64).says("kiln: k_run: unknown option --bogus\n"),
    ],
}
