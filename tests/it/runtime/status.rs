//! `status.sh`: the run, its steps and their status lines.

use super::{case, functions};

/// A run begun in apply mode, as scripts begin.
const BEGUN: &str = "k_begin";

/// A run begun, and ops' step functions of the verb: `x` makes the file `x`; `noop` holds
/// already; `stuck` acts but never holds; `broken` fails; `tries` makes `tries/1`,
/// `tries/2`, ... one per act, and holds from the third on; `noisy` prints on both streams;
/// `cat_it` shows what it reads.
const STEPS: &str = "k_begin
x() { case $1 in ok) test -e x ;; act) touch x ;; diff) echo +x ;; esac; }
noop() { case $1 in ok) true ;; *) echo ran ;; esac; }
stuck() { case $1 in ok) false ;; act) true ;; diff) echo +x ;; esac; }
broken() { case $1 in ok) false ;; act) false ;; diff) k_err no such file; return 1 ;; esac; }
tries() { case $1 in ok) test -e tries/3 ;; act) mkdir -p tries; set -- tries/*; [ -e \"$1\" ] || set --; touch \"tries/$(($# + 1))\"; [ -e tries/3 ] ;; esac; }
noisy() { case $1 in ok) false ;; act) echo out; echo err >&2 ;; esac; }
cat_it() { case $1 in ok) cat; false ;; act) cat ;; diff) sed 's/^/+/' ;; esac; }
data() { echo payload; }
yes() { true; }
no() { false; }
undecided() { k_err 'this host has no fact os.id'; return 2; }";

functions! {
    k_say => [
        case("k_say changed 3 'files.put /etc/motd' main.toml:4")
            .prints("changed         3  files.put /etc/motd  [main.toml:4]\n"),
        case("k_say failed-ignored h12 \"it's  [x]\" 'a b.toml:10'")
            .prints("failed-ignored h12  it's  [x]  [a b.toml:10]\n"),
        case("KILN_MARK=@@ k_say ok 1 '%s \\n' m:1").prints("@@ok              1  %s \\n  [m:1]\n"),
        // With --report, the line is recorded for the report too.
        case("k_say ok 1 'a b' m:1 >/dev/null; printf %s \"$k_report_ops\"")
            .given("k_begin --report r.json")
            .prints("ok\n1\na b\nm:1\n"),
    ],
    k_note => [
        case("k_note 'applied, but %s'").prints("    applied, but %s\n"),
        case("KILN_MARK=@@; k_note 'x'").prints("@@    x\n"),
        // Every line of a note is marked and indented, so a live run reads it whole.
        case("KILN_MARK=@@; k_note 'a \"b\"\n\\c\n'").prints("@@    a \"b\"\n@@    \\c\n@@    \n"),
        // With --report, it is recorded too, with its number of lines.
        case("k_note 'a\nb' >/dev/null; printf %s \"$k_report_ops\"")
            .given("k_begin --report r.json")
            .prints("note\n2\na\nb\n"),
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
        case("k_step 1 L --origin m:1 -- noop; echo \"$? $k_ok $k_changed\"")
            .given(STEPS)
            .prints("ok              1  L  [m:1]\n0 1 0\n"),
        // The act makes it hold: changed, and the handlers it notifies are notified.
        case("k_step 2 L --origin m:2 --notify 'restart it' --notify other --check 'x is there' -- x; echo \"$? $k_changed\"; k_notified 'restart it' && k_notified other && echo notified")
            .given(STEPS)
            .prints("changed         2  L  [m:2]\n0 1\nnotified\n")
            .leaves("ls", "x\n"),
        // The act succeeds but the probe still fails: failed, with what is checked and the
        // diff; the run is halted, and later steps are not run.
        case("k_step 3 L --origin m:3 --check 'x is there' -- stuck; echo \"$? $k_failed $k_halt\"; k_step 4 M --origin m:4 -- noop")
            .given(STEPS)
            .prints("failed          3  L  [m:3]\n    applied, but the check after it still fails: x is there\n    +x\n1 1 1\nnot-run         4  M  [m:4]\n"),
        // Without --check, a successful act is enough.
        case("k_step 3 L --origin m:3 -- stuck").given(STEPS).prints("changed         3  L  [m:3]\n"),
        // An act that fails, with ignore_errors: failed-ignored, and the run goes on.
        case("k_step 5 L --origin m:5 --ignore-errors -- broken; echo \"$? $k_ignored $k_halt\"")
            .given(STEPS)
            .prints("failed-ignored   5  L  [m:5]\n0 1 0\n"),
        // Retries: the act runs again until it succeeds.
        case("k_step 6 L --origin m:6 --check 'three tries' --retries 4 --delay 0 -- tries")
            .given(STEPS)
            .prints("changed         6  L  [m:6]\n")
            .leaves("ls tries", "1\n2\n3\n"),
        case("k_step 6 L --origin m:6 --retries 1 -- tries; ls tries")
            .given(STEPS)
            .prints("failed          6  L  [m:6]\n1\n2\n"),
        // Check mode: the diff, and nothing acts.
        case("k_step 7 L --origin m:7 -- x; ls")
            .given("k_begin --check; x() { case $1 in ok) false ;; act) touch x ;; diff) echo +x ;; esac; }")
            .prints("would-change    7  L  [m:7]\n    +x\n"),
        // Its data on standard input, for every verb; nothing else.
        case("k_step 8 L --origin m:8 --data data -- cat_it; k_step 9 M --origin m:9 -- cat_it </dev/zero")
            .given(STEPS)
            .prints("payload\npayload\nchanged         8  L  [m:8]\nchanged         9  M  [m:9]\n"),
        case("k_step 8 L --origin m:8 --data data -- cat_it")
            .given("k_begin --check; cat_it() { case $1 in ok) false ;; diff) sed 's/^/+/' ;; esac; }; data() { echo payload; }")
            .prints("would-change    8  L  [m:8]\n    +payload\n"),
        // Text: the function sets k_text in this shell (no pipeline: what the step's
        // function sets stays), for every verb; standard input is nothing.
        case("k_step 8 L --origin m:8 --text text -- show_text; echo \"$k_shown\"")
            .given("k_begin; text() { k_text=\"it's\"; }; show_text() { case $1 in ok) false ;; act) k_shown=$k_text; cat ;; esac; }")
            .prints("changed         8  L  [m:8]\nit's\n"),
        case("k_step 17 L --origin m:17 --text k_data_17 --sudo bob -- k_op_17")
            .given(r#"k_begin; KILN_LIB=''; k_data_17_def='k_data_17() { k_text="it'\''s"; }'; k_op_17_def='k_op_17() { case $1 in ok) false ;; act) printf %s "$k_text" > got ;; esac; }'"#)
            .stub("id", r#"[ "$1" = -un ] && { echo me; exit; }; exec /usr/bin/id "$@""#)
            .stub("sudo", r#"for a; do shift; [ "$a" = -- ] && exec "$@"; done"#)
            .prints("changed        17  L  [m:17]\n")
            .leaves("cat got", "it's"),
        // Quiet: the probe and the act print nothing; a hidden diff says so.
        case("k_step 10 L --origin m:10 --quiet -- noisy").given(STEPS).prints("changed        10  L  [m:10]\n"),
        case("k_step 11 L --origin m:11 --hide-diff -- x")
            .given("k_begin --check; x() { case $1 in ok) false ;; diff) echo secret ;; esac; }")
            .prints("would-change   11  L  [m:11]\n    content differs, hidden\n"),
        // A condition decided here: true runs, false skips, undecidable fails.
        case("k_step 12 L --origin m:12 --when yes -- x; k_step 13 M --origin m:13 --when no -- x; echo \"$k_changed $k_skipped\"")
            .given(STEPS)
            .prints("changed        12  L  [m:12]\nskipped        13  M  [m:13]\n1 1\n"),
        case("k_step 14 L --origin m:14 --when undecided -- x; echo \"$? $k_failed $k_halt\"")
            .given(STEPS)
            .prints("failed         14  L  [m:14]\n1 1 1\n")
            .says("kiln: this host has no fact os.id\n"),
        // A result kept: skipped by its condition; a command's output and judges
        // (k_result); another op's changes (k_register_run).
        case("k_step 16 L --origin m:16 --when no --register -- x; k_step 17 M --origin m:17 --register --command --changed-when false -- noisy 2>/dev/null; k_step 18 N --origin m:18 --register -- x; echo \"$k_register_16_skipped $k_register_17_stdout $k_register_17_changed $k_register_18_changed\"")
            .given(STEPS)
            .prints("skipped        16  L  [m:16]\nout\nok             17  M  [m:17]\nchanged        18  N  [m:18]\n1 out 0 1\n"),
        // A live run: announced, and the step's standard error passed on after it, marked.
        case("KILN_MARK=@@; k_step 15 L --origin m:15 -- noisy")
            .given(STEPS)
            .prints("@@begin 15 L\nout\n@@changed        15  L  [m:15]\n@@stderr err\n"),
        case("k_step 16 L --bogus -- x").given(STEPS).status(64).says("kiln: k_step: unknown option --bogus\n"),
        // As another user: the call, quoted, with the definitions of the script's own
        // functions, in that user's shell (here a sudo that runs it as this user).
        case("k_step 17 L --origin m:17 --data k_data_17 --sudo bob -- k_op_17; cat calls")
            .given(r#"k_begin; KILN_LIB=''; k_data_17_def='k_data_17() { echo "it'\''s"; }'; k_op_17_def='k_op_17() { case $1 in ok) false ;; act) cat > got ;; esac; }'"#)
            .stub("id", r#"[ "$1" = -un ] && { echo me; exit; }; exec /usr/bin/id "$@""#)
            .stub("sudo", r#"echo "sudo $*" >> calls; for a; do shift; [ "$a" = -- ] && exec "$@"; done"#)
            .prints("changed        17  L  [m:17]\nsudo -n -H -u bob -- sh -s\nsudo -n -H -u bob -- sh -s\n")
            .leaves("cat got", "it's\n"),
    ],
    k_step_do => [
        case("k_step_do act cat_it 2>&1").given("k_begin; k_step_data=data; k_step_quiet=0 k_step_hide_diff=0 k_step_user=''; cat_it() { cat; }; data() { echo payload; }").prints("payload\n"),
        case("k_step_do act noisy; k_step_do diff noisy").given("k_begin; k_step_data='' k_step_quiet=1 k_step_hide_diff=0 k_step_user=''; noisy() { echo \"$1\"; }").prints("diff\n"),
        case("k_step_do diff x").given("k_begin; k_step_data='' k_step_quiet=0 k_step_hide_diff=1 k_step_user=''; x() { echo secret; }").prints("content differs, hidden\n"),
    ],
    k_plan_change => [
        case("k_plan_change diff; k_notified 2 && echo notified")
            .given("k_begin --check; k_step_index=1 k_step_label=L k_step_origin=m:1 k_step_notify='2\n' k_step_data='' k_step_quiet=0 k_step_hide_diff=0 k_step_user=''; diff() { printf -- '-a\\n+b\\n'; }")
            .prints("would-change    1  L  [m:1]\n    -a\n    +b\nnotified\n"),
        // A diff that fails, with no change before: the op would fail as the host is.
        case("k_plan_change missing; echo \"$? $k_failed\"")
            .given("k_begin --check; k_step_index=1 k_step_label=L k_step_origin=m:1 k_step_notify='' k_step_data='' k_step_quiet=0 k_step_hide_diff=0 k_step_user=''; missing() { k_err no such file; false; }")
            .prints("would-fail      1  L  [m:1]\n    no such file\n0 1\n"),
        // After an earlier change, it depends on it.
        case("k_plan_change false; echo \"$k_changed\"")
            .given("k_begin --check; k_changed=1 k_step_index=2 k_step_label=L k_step_origin=m:2 k_step_notify='' k_step_data='' k_step_quiet=0 k_step_hide_diff=0 k_step_user=''")
            .prints("would-change    2  L  [m:2]\n    depends on an earlier change\n2\n"),
    ],
    k_skip => [
        case("k_skip 4 L --origin m:4; echo \"$k_skipped\"")
            .given(BEGUN)
            .prints("skipped         4  L  [m:4]\n1\n"),
        case("k_skip 4 L --origin m:4; echo \"$k_skipped $k_notrun\"")
            .given("k_begin; k_halt=1")
            .prints("not-run         4  L  [m:4]\n0 1\n"),
    ],
    k_not_run => [
        case("k_not_run h1 'restart it' m:9; echo \"$k_notrun\"")
            .given(BEGUN)
            .prints("not-run        h1  restart it  [m:9]\n1\n"),
    ],
    k_notify => [
        case("k_notify 'restart it\nother\n'; k_notified 'restart it' && k_notified other && echo notified; k_notified restart || echo not-a-prefix").prints("notified\nnot-a-prefix\n"),
        case("k_notify ''; k_notified x || echo none").prints("none\n"),
    ],
    k_notified => [
        case("k_notified 'a b' && echo yes; k_notified a || echo no").given("k_notify 'a b\n'").prints("yes\nno\n"),
    ],
    k_begin => [
        // The uid is not asked here: only a step that needs it asks (once).
        case("k_begin; echo \"$k_mode $k_detailed $k_ok $k_changed $k_failed $k_skipped $k_ignored $k_notrun $k_halt ${k_uid-none}\"")
            .prints("apply 0 0 0 0 0 0 0 0 none\n"),
        case("k_begin --check --detailed-exitcodes; echo \"$k_mode $k_detailed\"").prints("check 1\n"),
        case("k_begin --bogus").status(64).says("kiln: unknown option: --bogus (try --help)\n"),
        case("k_begin --check --report d/r.json; echo \"$k_mode $k_report\"").given("mkdir d").prints("check d/r.json\n"),
        // Refused before anything runs: no path, or no directory to write it in.
        case("k_begin --report").status(64).says("kiln: --report needs a path (try --help)\n"),
        case("k_begin --report gone/r.json").status(64).says("kiln: --report gone/r.json: no directory gone\n"),
        case("k_begin --report d").given("mkdir d").status(64).says("kiln: --report d: a directory, not a file\n"),
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
        // The report is written at the end; one that cannot be fails the run.
        case("(k_end); grep -c '\"status\": \"changed\"' r.json; stat -c %a r.json")
            .given("k_begin --report r.json; k_changed=1")
            .prints("kiln: 0 ok, 1 changed, 0 failed, 0 skipped\n1\n600\n"),
        case("(k_end); echo $?")
            .given("mkdir d; k_begin --report d/r.json; rmdir d")
            .prints("kiln: 0 ok, 0 changed, 0 failed, 0 skipped\n1\n")
            .says("kiln: cannot make a temporary file in d\nkiln: cannot write the report d/r.json\n"),
        case("KILN_MARK=@@; k_end").given(BEGUN).prints("@@kiln: 0 ok, 0 changed, 0 failed, 0 skipped\n"),
    ],
}
