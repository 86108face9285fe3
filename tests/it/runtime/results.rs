//! `results.sh`: registered results (`k_register`) and judged commands (`k_result`).

use super::{case, functions};

/// A run begun, with a step's options as `k_step` leaves them for `k_result`, and commands:
/// `say` prints hard values on both streams and exits 3; `holds` needs no run; `runs`
/// runs and succeeds; `seven`
/// judges: failed when the exit status is not 7.
const RESULT: &str = "k_begin
k_step_index=4 k_step_label=L k_step_origin=m:4 k_step_notify='' k_step_ignore=0 k_step_retries=0 k_step_delay=0 k_step_check='' k_step_data='' k_step_text='' k_step_quiet=0 k_step_hide_diff=0 k_step_user=''
k_step_register=1 k_step_command=1 k_step_changed_when='' k_step_failed_when=''
say() { case $1 in ok) false ;; act) printf '%s\\n' \"it's\" 'a \"q\" $(x) \\ b' '' ''; printf 'e\\000rr\\n' >&2; return 3 ;; diff) echo would say ;; esac; }
holds() { true; }
runs() { [ \"$1\" = act ]; }
seven() { [ \"$k_register_4_rc\" != 7 ]; }";

functions! {
    k_register => [
        // Each field, exported: a later command's own shell reads the values exactly.
        case("k_result_rc=0 k_result_out=\"a'b
\\$(c) \\\\\" k_result_err=''; k_register 3 1 0 0 output; sh -c 'printf \"[%s]\" \"$k_register_3_changed$k_register_3_failed$k_register_3_skipped\" \"$k_register_3_rc\" \"$k_register_3_stdout\" \"$k_register_3_stderr\"'")
            .prints("[100][0][a'b\n$(c) \\][]"),
        // A skipped op: its flags only (a handler's index has its `h`).
        case("k_register h2 0 0 1; echo \"$k_register_h2_skipped ${k_register_h2_rc-unset}\"")
            .prints("1 unset\n"),
    ],
    k_register_run => [
        // An op that is not a command: what it did, read from the run's counts.
        case("x() { case $1 in ok) test -e x ;; act) touch x ;; esac; }; k_step_register=1; k_register_run x; k_register_run x; echo \"$k_register_4_changed$k_register_4_failed$k_register_4_skipped\"")
            .given(RESULT)
            .prints("changed         4  L  [m:4]\nok              4  L  [m:4]\n000\n"),
        case("k_register_run false; echo \"$? $k_register_4_changed$k_register_4_failed$k_register_4_skipped\"")
            .given(RESULT)
            .prints("failed          4  L  [m:4]\n1 010\n"),
    ],
    k_result => [
        // The act fails (3): failed, its output kept (last newlines and NUL bytes dropped)
        // and shown.
        case("k_result say 2>err; echo \"$? $k_failed [$k_register_4_stdout] $k_register_4_rc $k_register_4_failed\"; cat err")
            .given(RESULT)
            .prints("it's\na \"q\" $(x) \\ b\nfailed          4  L  [m:4]\n1 1 [it's\na \"q\" $(x) \\ b] 3 1\nerr\n"),
        // failed_when decides instead of the status, reading the result; changed_when
        // `false`: ok.
        case("k_step_failed_when=seven k_step_changed_when=false; k_result say >/dev/null 2>&1; echo \"$? $k_register_4_failed $k_ok $k_failed\"; seven() { [ \"$k_register_4_rc\" != 3 ]; }; k_result say >out 2>/dev/null; tail -n 1 out; echo \"$k_register_4_changed$k_register_4_failed\"")
            .given(RESULT)
            .prints("1 1 0 1\nok              4  L  [m:4]\n00\n"),
        // An undecidable judge (2) fails the op.
        case("k_step_changed_when=undecided; undecided() { return 2; }; k_result holds; k_step_register=0; k_result runs; echo \"$?\"")
            .given(RESULT)
            .prints("ok              4  L  [m:4]\nfailed          4  L  [m:4]\n1\n"),
        // A command judged failed runs again (--retries), reading its latest result.
        case("k_step_retries=2 k_step_delay=0 k_step_failed_when=seven; n=0; count() { [ \"$1\" = act ] || return 1; n=$((n + 1)); return \"$((n + 4))\"; }; k_result count; echo \"$? $k_register_4_rc $n\"")
            .given(RESULT)
            .prints("changed         4  L  [m:4]\n0 7 3\n"),
        // The probe holds: ok, rc 0, no output; a failure with ignore_errors goes on.
        case("k_result holds; echo \"$k_register_4_rc [$k_register_4_stdout]\"; k_step_ignore=1; k_result say >/dev/null 2>&1; echo \"$? $k_ignored\"")
            .given(RESULT)
            .prints("ok              4  L  [m:4]\n0 []\n0 1\n"),
        // Check mode: planned, not run, the result skipped; a command that never changes
        // anything (`--changed-when false`) runs.
        case("k_mode=check; k_result say; echo \"$k_register_4_skipped\"; k_step_changed_when=false k_step_index=5; k_result say 2>/dev/null | tail -n 1")
            .given(RESULT)
            .prints("would-change    4  L  [m:4]\n    would say\n1\nfailed          5  L  [m:4]\n"),
    ],
}
