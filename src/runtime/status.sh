# The run and its report: options (k_begin), one guarded step per op (k_step), the status
# line of each op (k_say) and its note, notified handlers, and the summary (k_end). The
# status line's format is kiln's (runtime::status): the printf format below is filled in
# from that one definition, which kiln's live report reader parses with.

# k_say STATUS INDEX LABEL ORIGIN: an op's status line, after the run's marker. kiln fills in
# the format and the order of the fields from its one definition (runtime::status), which
# its live report reader parses with; it gives LABEL and ORIGIN escaped to one line. With
# --report, the line is recorded for the run's report too (k_report_op).
k_say() {
  printf @STATUS_FORMAT@ "${KILN_MARK-}" @STATUS_ARGUMENTS@
  [ -z "${k_report-}" ] || k_report_op "$@"
}

# k_note TEXT: a note on the op just reported (why it failed, what its planned change waits
# for): under its status line, each of its lines indented as a diff is and marked in a live
# run, so kiln tells the whole note from what commands print. From builtins, one line at a
# time (no process: notes may quote what a diff shows). With --report, the note is recorded
# for the report too (k_report_note), with its number of lines.
k_note() {
  k_note_rest=$1 k_note_lines=1
  while :; do
    k_print "${KILN_MARK-}    ${k_note_rest%%"
"*}"
    case $k_note_rest in
    *"
"*) k_note_rest=${k_note_rest#*"
"} k_note_lines=$((k_note_lines + 1)) ;;
    *) break ;;
    esac
  done
  [ -z "${k_report-}" ] || k_report_note "$k_note_lines" "$1"
}

# k_err TEXT...: `kiln: TEXT` on standard error.
k_err() { printf 'kiln: %s\n' "$*" >&2; }

# Fails the run before any step ran: every step is reported not-run.
k_fail_run() { k_failed=$((k_failed + 1)) k_halt=1; }

# k_step INDEX LABEL [OPTION]... -- FUNCTION [ARG]...: one op's step, reported with its
# status line. `FUNCTION ok ARG...` says whether the op's state holds; if not, in check mode
# `FUNCTION diff ARG...` shows what would change, else `FUNCTION act ARG...` makes it hold.
# Options:
#   --origin FILE:LINE   where the op is written
#   --notify ID          a handler to notify when the op changes something (repeatable)
#   --check TEXT         what `ok` checks: it must hold again after `act`, else the op
#                        fails, saying TEXT (without it, a successful `act` is enough)
#   --ignore-errors      a failure is reported failed-ignored, and the run goes on
#   --retries N          `act` is tried N more times while it fails,
#   --delay SECONDS      SECONDS apart
#   --when FUNCTION      a condition decided here: false (1) skips the op, undecidable (2)
#                        fails it
#   --register           what the op did is kept for later steps (k_register)
#   --command            the step is a command whose result is kept or judged (k_result):
#                        its output and exit status too
#   --changed-when FUNCTION, --failed-when FUNCTION   conditions that judge a command's
#                        result (k_result); `--changed-when false`: it never changes
#                        anything, and runs in check mode too
#   --data FUNCTION      what FUNCTION reads on standard input (else nothing)
#   --text FUNCTION      FUNCTION sets k_text, the step's content (text), in this shell:
#                        no process feeds it (the step's function reads k_text)
#   --quiet              `ok` and `act` print nothing (a sensitive op)
#   --hide-diff          check mode says `content differs, hidden` instead of the diff
#   --sudo USER, --su USER   FUNCTION runs as USER, in USER's shell (k_as), which gets the
#                        definitions of the script's own functions it needs from variables
#                        named after them (`k_op_3_def`, `k_data_3_def`)
# After a failure (k_halt) no step runs: each is reported not-run. In a live run (KILN_MARK
# set) the step is announced and timed, and its standard error is kept in the run's
# private directory and passed on after it, marked as the step's own, on standard output:
# one stream, so kiln reads it with the step it belongs to.
k_step() {
  k_step_index=$1 k_step_label=$2
  shift 2
  k_step_origin='' k_step_notify='' k_step_check='' k_step_ignore=0 k_step_retries=0 k_step_delay=0
  k_step_when='' k_step_data='' k_step_text='' k_step_quiet=0 k_step_hide_diff=0 k_step_how='' k_step_user=
  k_step_register=0 k_step_command=0 k_step_changed_when='' k_step_failed_when=''
  while [ "$#" -gt 0 ]; do
    case $1 in
    --origin) k_step_origin=$2; shift ;;
    --notify) k_step_notify="$k_step_notify$2
" ; shift ;;
    --check) k_step_check=$2; shift ;;
    --ignore-errors) k_step_ignore=1 ;;
    --retries) k_step_retries=$2; shift ;;
    --delay) k_step_delay=$2; shift ;;
    --when) k_step_when=$2; shift ;;
    --register) k_step_register=1 ;;
    --command) k_step_command=1 ;;
    --changed-when) k_step_changed_when=$2; shift ;;
    --failed-when) k_step_failed_when=$2; shift ;;
    --data) k_step_data=$2; shift ;;
    --text) k_step_text=$2; shift ;;
    --quiet) k_step_quiet=1 ;;
    --hide-diff) k_step_hide_diff=1 ;;
    --sudo | --su) k_step_how=${1#--} k_step_user=$2; shift ;;
    --) shift; break ;;
    *) k_err "k_step: unknown option $1"; return 64 ;;
    esac
    shift
  done
  if [ "$k_halt" = 1 ]; then k_not_run "$k_step_index" "$k_step_label" "$k_step_origin"; return 0; fi
  if [ -n "$k_step_when" ]; then
    "$k_step_when" </dev/null
    case $? in
    0) ;;
    1)
      if [ "$k_step_register" = 1 ]; then k_register "$k_step_index" 0 0 1; fi
      k_skip "$k_step_index" "$k_step_label" --origin "$k_step_origin"; return 0 ;;
    *) k_failed=$((k_failed + 1)) k_halt=1; k_say failed "$k_step_index" "$k_step_label" "$k_step_origin"; return 1 ;;
    esac
  fi
  if [ -z "${KILN_MARK-}" ]; then k_step_run "$@"; return; fi
  k_step_begin "$k_step_index" "$k_step_label"
  if ! k_private 2>/dev/null; then k_step_run "$@"; return; fi
  # A name per step: a command left running in the background writes into its own.
  k_step_stderr=$k_tmpd/stderr.$k_step_index
  k_step_run "$@" 2> "$k_step_stderr"
  k_step_status=$?
  # Most steps print nothing on standard error: no process for them. The file goes with
  # the private directory at the end of the run.
  k_step_stderr "$k_step_stderr"
  return "$k_step_status"
}

# k_step_begin INDEX LABEL: in a live run, the line that says the op INDEX starts.
k_step_begin() { printf '%sbegin %s %s\n' "$KILN_MARK" "$1" "$2"; }

# k_step_stderr FILE: in a live run, what a step printed on standard error (kept in FILE),
# marked as the step's own, if it printed anything.
k_step_stderr() {
  if [ -s "$1" ]; then K_M=$KILN_MARK awk '{ print ENVIRON["K_M"] "stderr " $0 }' "$1"; fi
}

# k_step_run FUNCTION [ARG]...: the probe, and the change or its diff, of the step k_step
# read the options of.
k_step_run() {
  if [ "$k_step_command" = 1 ]; then k_result "$@"; return; fi
  if [ "$k_step_register" = 1 ]; then k_register_run "$@"; return; fi
  if k_step_do ok "$@"; then k_ok=$((k_ok + 1)); k_say ok "$k_step_index" "$k_step_label" "$k_step_origin"; return 0; fi
  if [ "$k_mode" = check ]; then k_plan_change "$@"; return; fi
  k_step_try=0
  while :; do
    k_step_rechecked=0
    if k_step_do act "$@"; then
      if [ -z "$k_step_check" ] || k_step_do ok "$@"; then
        k_changed=$((k_changed + 1)); k_say changed "$k_step_index" "$k_step_label" "$k_step_origin"; k_notify "$k_step_notify"; return 0
      fi
      k_step_rechecked=1
    fi
    [ "$k_step_try" -ge "$k_step_retries" ] && break
    k_step_try=$((k_step_try + 1)); sleep "$k_step_delay"
  done
  if [ "$k_step_ignore" = 1 ]; then
    k_ignored=$((k_ignored + 1)); k_say failed-ignored "$k_step_index" "$k_step_label" "$k_step_origin"
  else
    k_failed=$((k_failed + 1)) k_halt=1; k_say failed "$k_step_index" "$k_step_label" "$k_step_origin"
  fi
  # The act succeeded and yet the state is not there: say what is checked, and what
  # still differs.
  if [ "$k_step_rechecked" = 1 ]; then
    k_note "applied, but the check after it still fails: $k_step_check"
    k_step_do diff "$@" 2>&1 | sed 's/^/    /'
  fi
  [ "$k_step_ignore" = 1 ]
}

# k_step_do ok|act|diff FUNCTION [ARG]...: `FUNCTION VERB ARG...`, reading the step's data
# or nothing, as the step's user, and printing nothing but a diff for a quiet step; a
# hidden diff is a line saying so.
k_step_do() {
  if [ "$1" = diff ] && [ "$k_step_hide_diff" = 1 ]; then k_print 'content differs, hidden'; return 0; fi
  k_step_do_verb=$1
  if [ -n "$k_step_user" ]; then
    shift
    k_step_as "$@"
  elif [ "$k_step_quiet" = 1 ] && [ "$k_step_do_verb" != diff ]; then
    k_step_here "$@" >/dev/null 2>&1
  else
    k_step_here "$@"
  fi
}

# k_step_here VERB FUNCTION [ARG]...: the step's function run in this shell, with its data
# (a text step's content is set here: no pipeline, no subshell).
k_step_here() {
  k_step_here_verb=$1 k_step_here_function=$2
  shift 2
  if [ -n "$k_step_data" ]; then
    "$k_step_data" | "$k_step_here_function" "$k_step_here_verb" "$@"
  else
    if [ -n "${k_step_text-}" ]; then "$k_step_text"; fi
    "$k_step_here_function" "$k_step_here_verb" "$@" </dev/null
  fi
}

# k_step_as FUNCTION [ARG]...: the step's function run for k_step_do_verb as the step's
# user (k_as), with the definitions of the data (or text) function and of FUNCTION when the
# script made them (the variables `NAME_def`), and the call quoted.
k_step_as() {
  eval "k_step_as_function=\${${1}_def-}"
  k_quoted "$1" "$k_step_do_verb"
  k_step_as_call=$k_quoted_text
  shift
  k_quoted "$@"
  k_step_as_call=$k_step_as_call$k_quoted_text
  set --
  if [ -n "$k_step_data" ]; then
    eval "set -- \"\${${k_step_data}_def}\""
    k_step_as_call="$k_step_data |$k_step_as_call"
  elif [ -n "${k_step_text-}" ]; then
    eval "set -- \"\${${k_step_text}_def}\""
    k_step_as_call="$k_step_text;$k_step_as_call"
  fi
  if [ -n "$k_step_as_function" ]; then set -- "$@" "$k_step_as_function"; fi
  if [ "$k_step_quiet" = 1 ] && [ "$k_step_do_verb" != diff ]; then
    k_as "$k_step_how" "$k_step_user" "$@" "$k_step_as_call" >/dev/null 2>&1
  else
    k_as "$k_step_how" "$k_step_user" "$@" "$k_step_as_call"
  fi
}

# k_plan_change FUNCTION [ARG]...: in check mode, the probe says a change is needed. The
# diff shows it; a diff that fails cannot tell what the change would be: after an earlier
# change (which check mode did not make) the op depends on it, as an edit of a file an
# earlier op creates does, and would change (Terraform's "known after apply"); with none
# before it, the op would fail as the host is (would-fail, counted as failed).
k_plan_change() {
  if ! k_plan_change_diff=$(k_step_do diff "$@" 2>&1); then
    k_plan_change_diff=${k_plan_change_diff#kiln: }
    if [ "$k_changed" -gt 0 ]; then
      k_changed=$((k_changed + 1)); k_say would-change "$k_step_index" "$k_step_label" "$k_step_origin"
      k_note "depends on an earlier change${k_plan_change_diff:+: $k_plan_change_diff}"
      k_notify "$k_step_notify"
    else
      k_failed=$((k_failed + 1)); k_say would-fail "$k_step_index" "$k_step_label" "$k_step_origin"
      k_note "${k_plan_change_diff:-cannot tell what would change}"
    fi
    return 0
  fi
  k_changed=$((k_changed + 1)); k_say would-change "$k_step_index" "$k_step_label" "$k_step_origin"
  if [ -n "$k_plan_change_diff" ]; then k_print "$k_plan_change_diff" | sed 's/^/    /'; fi
  k_notify "$k_step_notify"
}

# k_skip INDEX LABEL --origin FILE:LINE: an op whose `when` is false here (after a failure:
# not run).
k_skip() {
  if [ "$k_halt" = 1 ]; then k_not_run "$1" "$2" "$4"; return 0; fi
  k_skipped=$((k_skipped + 1)); k_say skipped "$1" "$2" "$4"
}

# k_not_run INDEX LABEL ORIGIN: an op not run, because an earlier one failed.
k_not_run() { k_notrun=$((k_notrun + 1)); k_say not-run "$1" "$2" "$3"; }

# k_notify IDS: notifies the handlers IDS (each id followed by a newline; kiln writes ids
# on one line each).
k_notify() { k_notified_ids="${k_notified_ids-}
$1"; }

# k_notified ID: whether the handler ID was notified.
k_notified() {
  case "${k_notified_ids-}
" in *"
$1
"*) return 0 ;; esac
  return 1
}

# k_begin "$@": the run begins, with the script's options (--check, --detailed-exitcodes,
# --report PATH). The report's directory must exist, and PATH must not be one, before
# anything runs: a run whose results cannot be written back is refused (64) before it
# changes anything.
k_begin() {
  k_mode=apply k_detailed=0 k_ok=0 k_changed=0 k_failed=0 k_skipped=0 k_ignored=0 k_notrun=0
  k_halt=0 k_report='' k_report_ops='' k_report_start=''
  while [ "$#" -gt 0 ]; do
    case $1 in
    --check) k_mode=check ;;
    --detailed-exitcodes) k_detailed=1 ;;
    --report)
      if [ -z "${2-}" ]; then k_err "--report needs a path (try --help)"; exit 64; fi
      k_report=$2; shift
      case $k_report in */*) k_begin_dir=${k_report%/*} ;; *) k_begin_dir=. ;; esac
      if [ ! -d "${k_begin_dir:-/}" ]; then k_err "--report $k_report: no directory ${k_begin_dir:-/}"; exit 64; fi
      if [ -d "$k_report" ] && [ ! -L "$k_report" ]; then k_err "--report $k_report: a directory, not a file"; exit 64; fi
      k_report_start=$(date +%s 2>/dev/null) ;;
    -h|--help) sed -n '/^# Usage:/,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) k_err "unknown option: $1 (try --help)"; exit 64 ;;
    esac
    shift
  done
}

# k_end: the summary line, the report (--report), and the script's exit status: a report
# that cannot be written fails the run.
k_end() {
  k_end_what=changed; [ "$k_mode" = check ] && k_end_what='would change'
  k_end_not_run=; [ "$k_notrun" = 0 ] || k_end_not_run=", $k_notrun not run"
  printf '%skiln: %s ok, %s %s, %s failed, %s skipped%s\n' "${KILN_MARK-}" "$k_ok" "$k_changed" "$k_end_what" "$((k_failed + k_ignored))" "$k_skipped" "$k_end_not_run"
  if [ -n "$k_report" ] && ! k_report_write; then exit 1; fi
  [ "$k_failed" -gt 0 ] && exit 1
  [ "$k_detailed" = 1 ] && [ "$k_changed" -gt 0 ] && exit 2
  exit 0
}
