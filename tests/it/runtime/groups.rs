//! `groups.sh`: runs of ops kiln fused, run as one step and reported op by op.

use super::{case, functions};

/// `k_fused` of a line LINE in `f` (created if missing), op INDEX, with more k_step
/// options before `--`.
macro_rules! line {
    ($index:literal, $line:literal $(, $option:literal)*) => {
        concat!("k_fused ", $index, " L", $index, " --origin m:", $index, " --check 'f needs no further edit'", $(" ", $option,)* " -- k_edit --path f --missing empty -- k_line --line ", $line, "; ")
    };
}

/// A run begun in apply mode, with `yes` and `no` conditions.
const BEGUN: &str = "k_begin; yes() { true; }; no() { false; }";

functions! {
    k_fused => [
        // Announcing keeps the op's k_step arguments, quoted, for the run's last call.
        case("k_fused 3 \"it's\" --origin m:3 --notify h -- k_edit --path f -- k_line --line 'a b'; k_group_read 1; echo \"$k_group_size|$k_group_index|$k_group_label|$k_group_origin|$k_group_notify|$k_group_function|$k_group_args\"")
            .prints("1|3|it's|m:3|h\n|k_edit| '--path' 'f' '--' 'k_line' '--line' 'a b'\n"),
    ],
    k_fused_edits => [
        // One write for all: each op reports its own change, notifies its own handlers.
        case(concat!(line!(1, "a"), line!(2, "b", "--notify h"), "k_fused_edits; cat f; k_notified h && echo notified"))
            .given(BEGUN)
            .prints("changed         1  L1  [m:1]\nchanged         2  L2  [m:2]\na\nb\nnotified\n"),
        // Nothing to change: every op ok, the file untouched, and no command run (the
        // system has none but `id`, for k_begin, and `printf`, a program under mksh).
        case(concat!(line!(1, "a"), line!(2, "b"), "k_fused_edits; echo \"$k_ok\""))
            .given("k_begin; printf 'a\\nb\\n' > f")
            .only(&["id", "printf"])
            .prints("ok              1  L1  [m:1]\nok              2  L2  [m:2]\n2\n"),
        // A later op sees what the ones before it made; the mode of the file is kept.
        case(concat!(line!(1, "b"), line!(2, "b", "--notify h"), "k_fused_edits; cat f; stat -c %a f; k_notified h || echo quiet"))
            .given("k_begin; printf 'a\\n' > f; chmod 640 f")
            .prints("changed         1  L1  [m:1]\nok              2  L2  [m:2]\na\nb\n640\nquiet\n"),
        // A line ending in CRLF files, and a last line without its newline, as unfused.
        case(concat!(line!(1, "c"), line!(2, "d"), "k_fused_edits; tr '\\r' R < f"))
            .given("k_begin; printf 'a\\r\\nb' > f")
            .prints("changed         1  L1  [m:1]\nchanged         2  L2  [m:2]\naR\nbR\ncR\ndR\n"),
        // `when` decided in each op's place: a false one is skipped, and its edit not made.
        case(concat!(line!(1, "a"), line!(2, "b", "--when no"), line!(3, "c", "--when yes"), "k_fused_edits; cat f"))
            .given(BEGUN)
            .prints("changed         1  L1  [m:1]\nskipped         2  L2  [m:2]\nchanged         3  L3  [m:3]\na\nc\n"),
        // An op that fails: the ones before it are written, the ones after it not run.
        case(concat!(line!(1, "x"), "k_fused 2 B --origin m:2 -- k_edit --path f -- k_block --begin '#B' --end '#E' --count 1 --lines y; ", line!(3, "z"), "k_fused_edits; cat f; echo \"$k_failed $k_halt\""))
            .given("k_begin; printf 'a\\n#B\\n' > f")
            .prints("changed         1  L1  [m:1]\nfailed          2  B  [m:2]\nnot-run         3  L3  [m:3]\na\n#B\nx\n1 1\n")
            .says("kiln: f: line 2: an opening marker without a closing marker (fix the file by hand)\n"),
        // A missing file an op must not create fails that op, as unfused.
        case("k_fused 1 A --origin m:1 -- k_edit --path f --missing fail-create -- k_line --line a; k_fused 2 B --origin m:2 -- k_edit --path f -- k_line --line b; k_fused_edits; ls")
            .given("k_begin")
            .prints("failed          1  A  [m:1]\nnot-run         2  B  [m:2]\n")
            .says("kiln: f does not exist (create = true creates it)\n"),
        // Check mode runs each op as unfused: its own diff, against the file as it is.
        case(concat!(line!(1, "a"), line!(2, "b"), "k_fused_edits; ls"))
            .given("k_begin --check; printf 'a\\n' > f")
            .prints("ok              1  L1  [m:1]\nwould-change    2  L2  [m:2]\n    --- f\n    +++ f (desired)\n    @@ -1 +1,2 @@\n     a\n    +b\nf\n"),
        // After a failure, every op is not run.
        case(concat!(line!(1, "a"), line!(2, "b"), "k_fused_edits; ls"))
            .given("k_begin; k_halt=1")
            .prints("not-run         1  L1  [m:1]\nnot-run         2  L2  [m:2]\n"),
        // In a live run, each op is announced, and the failure's message follows its line.
        case(concat!(line!(1, "x"), "k_fused 2 B --origin m:2 -- k_edit --path f -- k_block --begin '#B' --end '#E' --count 1 --lines y; ", "KILN_MARK=@ k_fused_edits"))
            .given("k_begin; printf '#B\\n' > f")
            .prints("@begin 1 L1\n@changed         1  L1  [m:1]\n@begin 2 B\n@failed          2  B  [m:2]\n@stderr kiln: f: line 1: an opening marker without a closing marker (fix the file by hand)\n"),
    ],
    k_fused_directories => [
        // One `mkdir -p` for the directories missing; one there already is ok.
        case("k_fused 1 A --origin m:1 -- k_directory --path d/e; k_fused 2 B --origin m:2 -- k_directory --path x; k_fused 3 C --origin m:3 -- k_directory --path y; k_fused_directories; ls -d d/e x y")
            .given("k_begin; mkdir x")
            .prints("changed         1  A  [m:1]\nok              2  B  [m:2]\nchanged         3  C  [m:3]\nd/e\nx\ny\n"),
        // A file in the way fails its op as unfused; the directories after it are not made.
        case("k_fused 1 A --origin m:1 -- k_directory --path a; k_fused 2 B --origin m:2 -- k_directory --path f/sub; k_fused 3 C --origin m:3 -- k_directory --path c; k_fused_directories; ls")
            .given("k_begin; touch f")
            .prints("changed         1  A  [m:1]\nfailed          2  B  [m:2]\nnot-run         3  C  [m:3]\na\nf\n")
            .noisy(),
    ],
    k_fused_absent => [
        // One `rm -f` for the files there; one already gone is ok.
        case("k_fused 1 A --origin m:1 -- k_file --path a --absent; k_fused 2 B --origin m:2 -- k_file --path gone --absent; k_fused 3 C --origin m:3 -- k_file --path b --absent; k_fused_absent; ls")
            .given("k_begin; touch a b c")
            .prints("changed         1  A  [m:1]\nok              2  B  [m:2]\nchanged         3  C  [m:3]\nc\n"),
        // A directory in the way fails its op as unfused; the files after it stay.
        case("k_fused 1 A --origin m:1 -- k_file --path a --absent; k_fused 2 B --origin m:2 -- k_file --path d --absent; k_fused 3 C --origin m:3 -- k_file --path b --absent; k_fused_absent; ls")
            .given("k_begin; touch a b; mkdir d")
            .prints("changed         1  A  [m:1]\nfailed          2  B  [m:2]\nnot-run         3  C  [m:3]\nb\nd\n")
            .says("kiln: d is a directory (use force = true to remove it)\n"),
    ],
}
