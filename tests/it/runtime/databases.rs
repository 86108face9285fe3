//! `databases.sh`: SQL probed and run through a server's client, which reads it on its
//! standard input; the clients are stubs that log their arguments and input and answer
//! from a file (the real servers are `tests/it/databases.rs`).

use super::{case, functions};

/// A client stub (run from `/`, so its files are in `$D`, the case's directory): logs its
/// arguments to `args`; a probe (input holding `probe`) prints the file `state`, other
/// SQL is written to it.
const CLIENT: &str = "echo \"$(basename \"$0\") $*\" >> \"$D/args\"; in=$(cat); case $in in *probe*) [ ! -f \"$D/state\" ] || cat \"$D/state\" ;; *) printf '%s\\n' \"$in\" > \"$D/state\" ;; esac";

functions! {
    k_sql => [
        // Missing: it differs, the diff says what and what it must print, the act runs
        // --create, then it holds. Not root: psql runs as the script's user, on `postgres`.
        case("export D=$PWD; set -- --client psql --probe 'SELECT probe' --want made --create made --change changed --what 'create x'; k_sql ok \"$@\" || echo differs; k_sql diff \"$@\"; k_sql act \"$@\"; k_sql ok \"$@\" && echo holds; cat args")
            .stub("id", "echo 1000")
            .stub("psql", CLIENT)
            .prints("differs\ncreate x\n+ made\nholds\npsql -X -A -t -q -v ON_ERROR_STOP=1 -v VERBOSITY=terse -d postgres\npsql -X -A -t -q -v ON_ERROR_STOP=1 -v VERBOSITY=terse -d postgres\npsql -X -A -t -q -v ON_ERROR_STOP=1 -v VERBOSITY=terse -d postgres\npsql -X -A -t -q -v ON_ERROR_STOP=1 -v VERBOSITY=terse -d postgres\npsql -X -A -t -q -v ON_ERROR_STOP=1 -v VERBOSITY=terse -d postgres\n"),
        // Another state: --change runs (not --create); as root, through runuser as
        // `postgres`, in `/`; the SQL (a password in it) is input, never an argument.
        case("export D=$PWD; k_sql diff --client psql --database app --probe 'SELECT probe' --want 'role login=true' --create x --change \"ALTER ROLE r PASSWORD 's3cret'\" --what 'alter r'; k_sql act --client psql --database app --probe 'SELECT probe' --want 'role login=true' --create x --change \"ALTER ROLE r PASSWORD 's3cret'\" --what 'alter r'; cat state; grep runuser args; grep s3cret args || echo 'not an argument'")
            .given("echo 'role login=false' > state")
            .stub("id", "echo 0")
            .stub("runuser", "echo \"runuser $1 $2 in $PWD\" >> \"$D/args\"; shift 3; exec \"$@\"")
            .stub("psql", CLIENT)
            .prints("alter r\n- role login=false\n+ role login=true\nALTER ROLE r PASSWORD 's3cret'\nrunuser -u postgres in /\nrunuser -u postgres in /\nrunuser -u postgres in /\nnot an argument\n"),
        // mysql as the running user, with its database; absent: want nothing, the change drops.
        case("export D=$PWD; k_sql act --client mysql --database shop --probe 'SELECT probe' --want '' --change 'DROP USER u' --what 'drop u'; k_sql ok --client mysql --database shop --probe 'SELECT probe' --want '' --change 'DROP USER u' --what 'drop u' && echo gone; head -n 2 args")
            .given("echo user > state")
            .stub("mysql", "echo \"$(basename \"$0\") $*\" >> args; in=$(cat); case $in in *probe*) [ \"$(cat state)\" = 'DROP USER u' ] || cat state ;; *) printf '%s\\n' \"$in\" > state ;; esac")
            .prints("gone\nmysql --batch --skip-column-names --database=shop\nmysql --batch --skip-column-names --database=shop\n"),
        // A probe that fails (the server is down) fails every verb, and changes nothing.
        case("k_sql ok --client psql --probe 'SELECT probe' --want x --change y --what z; echo \"ok $?\"; k_sql act --client psql --probe 'SELECT probe' --want x --change y --what z; echo \"act $?\"")
            .stub("id", "echo 1000")
            .stub("psql", "echo 'psql: error: connection to server failed' >&2; exit 2")
            .prints("ok 1\nact 1\n")
            .says("psql: error: connection to server failed\npsql: error: connection to server failed\n"),
    ],
}
