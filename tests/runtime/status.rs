//! `status.sh`: the run, its steps and their status lines.

use crate::{case, functions};

/// A run begun in apply mode, as scripts begin.
const BEGUN: &str = "k_begin";

/// A run begun, and step functions: `act` makes `x`, `has_x` probes it, `diff` shows it;
/// `try` makes `tries/1`, `tries/2`, ... one per call, and `has_3` probes the third.
const STEPS: &str = "k_begin
act() { touch x; }
has_x() { test -e x; }
diff() { echo +x; }
try() { mkdir -p tries; set -- tries/*; [ -e \"$1\" ] || set --; touch \"tries/$(($# + 1))\"; [ -e tries/3 ]; }
has_3() { test -e tries/3; }";

functions! {
    k_say => [
        case("k_say changed 3 'files.put /etc/motd' main.toml:4")
            .prints("changed         3  files.put /etc/motd  [main.toml:4]\n"),
        case("k_say failed-ignored h12 \"it's  [x]\" 'a b.toml:10'")
            .prints("failed-ignored h12  it's  [x]  [a b.toml:10]\n"),
        case("KILN_MARK=@@ k_say ok 1 '%s \\n' m:1").prints("@@ok              1  %s \\n  [m:1]\n"),
    ],
    k_note => [
        case("k_note 'applied, but %s'").prints("    applied, but %s\n"),
        case("KILN_MARK=@@; k_note 'x'").prints("@@    x\n"),
    ],
    k_err => [
        case("k_err cannot do it: 100%").says("kiln: cannot do it: 100%\n"),
    ],
    k_fail_run => [
        case("k_fail_run; echo \"$k_failed $k_halt\"")
            .given(BEGUN)
            .prints("1 1\n"),
    ],
    k_step => [
        // The probe holds: ok, and nothing else runs.
        case("k_step 1 L m:1 '' '' 0 0 0 true act ''; echo \"$? $k_ok $k_changed\"")
            .given(STEPS)
            .prints("ok              1  L  [m:1]\n0 1 0\n"),
        // The act makes it hold: changed, and the handlers it notifies are notified.
        case("k_step 2 L m:2 '1 3' 'x is there' 0 0 0 has_x act ''; echo \"$? $k_changed\"; k_notified 3 && echo notified")
            .given(STEPS)
            .prints("changed         2  L  [m:2]\n0 1\nnotified\n")
            .leaves("ls", "x\n"),
        // The act succeeds but the probe still fails: failed, with what is checked and the
        // diff; the run is halted, and later steps are not run.
        case("k_step 3 L m:3 '' 'x is there' 0 0 0 has_x true diff; echo \"$? $k_failed $k_halt\"; k_step 4 M m:4 '' '' 0 0 0 true true ''")
            .given(STEPS)
            .prints("failed          3  L  [m:3]\n    applied, but the check after it still fails: x is there\n    +x\n1 1 1\nnot-run         4  M  [m:4]\n"),
        // An act that fails, with ignore_errors: failed-ignored, and the run goes on.
        case("k_step 5 L m:5 '' '' 1 0 0 false false ''; echo \"$? $k_ignored $k_halt\"")
            .given(STEPS)
            .prints("failed-ignored   5  L  [m:5]\n0 1 0\n"),
        // Retries: the act runs again until it succeeds, and no more.
        case("k_step 6 L m:6 '' 'three tries' 0 4 0 has_3 try ''")
            .given(STEPS)
            .prints("changed         6  L  [m:6]\n")
            .leaves("ls tries", "1\n2\n3\n"),
        // Check mode: the diff, and nothing acts.
        case("k_step 7 L m:7 '' '' 0 0 0 false act diff; ls")
            .given("k_begin --check; act() { touch x; }; diff() { echo +x; }")
            .prints("would-change    7  L  [m:7]\n    +x\n"),
        // A live run: announced, and the step's standard error passed on after it, marked.
        case("k_step 8 L m:8 '' '' 0 0 0 false noisy ''")
            .given("k_begin; KILN_MARK=@@; noisy() { echo out; echo err >&2; }")
            .prints("@@begin 8 L\nout\n@@changed         8  L  [m:8]\n@@stderr err\n"),
    ],
    k_plan_change => [
        case("k_plan_change 2 diff; k_notified 2 && echo notified")
            .given("k_begin --check; k_step_index=1 k_step_label=L k_step_origin=m:1; diff() { printf -- '-a\\n+b\\n'; }")
            .prints("would-change    1  L  [m:1]\n    -a\n    +b\nnotified\n"),
        // A diff that fails, with no change before: the op would fail as the host is.
        case("k_plan_change '' missing; echo \"$? $k_failed\"")
            .given("k_begin --check; k_step_index=1 k_step_label=L k_step_origin=m:1; missing() { k_err no such file; false; }")
            .prints("would-fail      1  L  [m:1]\n    no such file\n0 1\n"),
        // After an earlier change, it depends on it.
        case("k_plan_change '' false; echo \"$k_changed\"")
            .given("k_begin --check; k_changed=1 k_step_index=2 k_step_label=L k_step_origin=m:2")
            .prints("would-change    2  L  [m:2]\n    depends on an earlier change\n2\n"),
    ],
    k_skip => [
        case("k_skip 4 L m:4; echo \"$k_skipped\"")
            .given(BEGUN)
            .prints("skipped         4  L  [m:4]\n1\n"),
        case("k_skip 4 L m:4; echo \"$k_skipped $k_notrun\"")
            .given("k_begin; k_halt=1")
            .prints("not-run         4  L  [m:4]\n0 1\n"),
    ],
    k_not_run => [
        case("k_not_run h1 'restart it' m:9; echo \"$k_notrun\"")
            .given(BEGUN)
            .prints("not-run        h1  restart it  [m:9]\n1\n"),
    ],
    k_notify => [
        case("k_notify '0 2'; echo \"${k_notified_0-} ${k_notified_1-no} ${k_notified_2-}\"").prints("1 no 1\n"),
        case("k_notify ' '; k_notified 0 || echo none").prints("none\n"),
    ],
    k_notified => [
        case("k_notified 0 && echo yes; k_notified 1 || echo no").given("k_notified_0=1").prints("yes\nno\n"),
    ],
    k_begin => [
        case("k_begin; echo \"$k_mode $k_detailed $k_ok $k_changed $k_failed $k_skipped $k_ignored $k_notrun $k_halt\"; [ \"$k_uid\" = \"$(id -u)\" ] && echo uid")
            .prints("apply 0 0 0 0 0 0 0 0\nuid\n"),
        case("k_begin --check --detailed-exitcodes; echo \"$k_mode $k_detailed\"").prints("check 1\n"),
        case("k_begin --bogus").status(64).says("kiln: unknown option: --bogus (try --help)\n"),
        case("k_begin --help")
            .given("\n# Usage: sh SCRIPT [--check]\n#   --check   change nothing\n")
            .prints("Usage: sh SCRIPT [--check]\n  --check   change nothing\n"),
    ],
    k_end => [
        case("k_end").given("k_begin; k_ok=2 k_changed=1").prints("kiln: 2 ok, 1 changed, 0 failed, 0 skipped\n"),
        case("k_end").given("k_begin --check; k_changed=1 k_skipped=2").prints("kiln: 0 ok, 1 would change, 0 failed, 2 skipped\n"),
        case("k_end").given("k_begin; k_failed=1 k_ignored=1 k_notrun=3").prints("kiln: 0 ok, 0 changed, 2 failed, 0 skipped, 3 not run\n").status(1),
        case("k_end").given("k_begin; k_ignored=1").prints("kiln: 0 ok, 0 changed, 1 failed, 0 skipped\n"),
        case("k_end").given("k_begin --detailed-exitcodes; k_changed=1").prints("kiln: 0 ok, 1 changed, 0 failed, 0 skipped\n").status(2),
        case("KILN_MARK=@@; k_end").given(BEGUN).prints("@@kiln: 0 ok, 0 changed, 0 failed, 0 skipped\n"),
    ],
    k_when_else => [
        case("k_when_else 1 3 L m:3; echo \"$? $k_skipped\"").given(BEGUN).prints("skipped         3  L  [m:3]\n0 1\n"),
        case("k_when_else 2 3 L m:3; echo \"$? $k_failed $k_halt\"").given(BEGUN).prints("failed          3  L  [m:3]\n1 1 1\n"),
        case("k_when_else 2 3 L m:3; echo \"$?\"").given("k_begin; k_halt=1").prints("not-run         3  L  [m:3]\n0\n"),
    ],
}
