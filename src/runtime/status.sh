# The run and its report: options (k_begin), one guarded step per op (k_step), the status
# line of each op (k_say) and its note, notified handlers, and the summary (k_end). The
# status line's format is kiln's (runtime::status): the printf format below is filled in
# from that one definition, which kiln's live report reader parses with.

# k_say STATUS INDEX LABEL ORIGIN: an op's status line, after the run's marker. kiln fills in
# the format and the order of the fields from its one definition (runtime::status), which
# its live report reader parses with; it gives LABEL and ORIGIN escaped to one line.
k_say() { printf @STATUS_FORMAT@ "${KILN_MARK-}" @STATUS_ARGUMENTS@; }

# A note on the op just reported (why it failed, what its planned change waits for): under
# its status line, indented as a diff is; marked in a live run, so kiln tells it from what
# commands print. From a builtin: it may quote what a diff shows.
k_note() { k_print "${KILN_MARK-}    $1"; }

k_err() { printf 'kiln: %s\n' "$*" >&2; }

# Fails the run before any step ran: every step is reported not-run.
k_fail_run() { k_failed=$((k_failed + 1)) k_halt=1; }

# k_step INDEX LABEL ORIGIN NOTIFY CHECKS IGNORE RETRIES DELAY PROBE ACT DIFF
# CHECKS says what PROBE checks; the probe runs again after ACT, and must hold then, unless
# CHECKS is empty. After a failure (k_halt) no step runs: each is reported not-run. In a
# live run (KILN_MARK set) the step is announced and timed, and its standard error is kept
# in the run's private directory and passed on after it, marked as the step's own, on
# standard output: one stream, so kiln reads it with the step it belongs to.
k_step() {
  k_step_index=$1 k_step_label=$2 k_step_origin=$3
  if [ "$k_halt" = 1 ]; then k_not_run "$1" "$2" "$3"; return 0; fi
  if [ -z "${KILN_MARK-}" ]; then k_step_run "$@"; return; fi
  printf '%sbegin %s %s\n' "$KILN_MARK" "$k_step_index" "$k_step_label"
  if ! k_private 2>/dev/null; then k_step_run "$@"; return; fi
  # A name per step: a command left running in the background writes into its own.
  k_step_stderr=$k_tmpd/stderr.$k_step_index
  k_step_run "$@" 2> "$k_step_stderr"
  k_step_status=$?
  # Most steps print nothing on standard error: no process for them. The file goes with
  # the private directory at the end of the run.
  if [ -s "$k_step_stderr" ]; then K_M=$KILN_MARK awk '{ print ENVIRON["K_M"] "stderr " $0 }' "$k_step_stderr"; fi
  return "$k_step_status"
}

k_step_run() {
  if "$9"; then k_ok=$((k_ok + 1)); k_say ok "$k_step_index" "$k_step_label" "$k_step_origin"; return 0; fi
  if [ "$k_mode" = check ]; then k_plan_change "$4" "${11}"; return; fi
  k_step_try=0
  while :; do
    k_step_rechecked=0
    if "${10}"; then
      if [ -z "$5" ] || "$9"; then
        k_changed=$((k_changed + 1)); k_say changed "$k_step_index" "$k_step_label" "$k_step_origin"; k_notify "$4"; return 0
      fi
      k_step_rechecked=1
    fi
    [ "$k_step_try" -ge "$7" ] && break
    k_step_try=$((k_step_try + 1)); sleep "$8"
  done
  if [ "$6" = 1 ]; then
    k_ignored=$((k_ignored + 1)); k_say failed-ignored "$k_step_index" "$k_step_label" "$k_step_origin"
  else
    k_failed=$((k_failed + 1)) k_halt=1; k_say failed "$k_step_index" "$k_step_label" "$k_step_origin"
  fi
  # The act succeeded and yet the state is not there: say what is checked, and what
  # still differs.
  if [ "$k_step_rechecked" = 1 ]; then
    k_note "applied, but the check after it still fails: $5"
    if [ -n "${11}" ]; then "${11}" 2>&1 | sed 's/^/    /'; fi
  fi
  [ "$6" = 1 ]
}

# k_plan_change NOTIFY DIFF: in check mode, the probe says a change is needed. DIFF shows
# it; a DIFF that fails cannot tell what the change would be: after an earlier change
# (which check mode did not make) the op depends on it, as an edit of a file an earlier op
# creates does, and would change (Terraform's "known after apply"); with none before it,
# the op would fail as the host is (would-fail, counted as failed).
k_plan_change() {
  k_plan_change_diff=
  if [ -n "$2" ] && ! k_plan_change_diff=$("$2" 2>&1); then
    k_plan_change_diff=${k_plan_change_diff#kiln: }
    if [ "$k_changed" -gt 0 ]; then
      k_changed=$((k_changed + 1)); k_say would-change "$k_step_index" "$k_step_label" "$k_step_origin"
      k_note "depends on an earlier change${k_plan_change_diff:+: $k_plan_change_diff}"
      k_notify "$1"
    else
      k_failed=$((k_failed + 1)); k_say would-fail "$k_step_index" "$k_step_label" "$k_step_origin"
      k_note "${k_plan_change_diff:-cannot tell what would change}"
    fi
    return 0
  fi
  k_changed=$((k_changed + 1)); k_say would-change "$k_step_index" "$k_step_label" "$k_step_origin"
  if [ -n "$k_plan_change_diff" ]; then k_print "$k_plan_change_diff" | sed 's/^/    /'; fi
  k_notify "$1"
}

k_skip() {
  if [ "$k_halt" = 1 ]; then k_not_run "$1" "$2" "$3"; return 0; fi
  k_skipped=$((k_skipped + 1)); k_say skipped "$1" "$2" "$3"
}

k_not_run() { k_notrun=$((k_notrun + 1)); k_say not-run "$1" "$2" "$3"; }

k_notify() { for k_notify_handler in $1; do eval "k_notified_$k_notify_handler=1"; done; }

k_notified() { eval "[ \"\${k_notified_$1:-0}\" = 1 ]"; }

k_begin() {
  k_mode=apply k_detailed=0 k_ok=0 k_changed=0 k_failed=0 k_skipped=0 k_ignored=0 k_notrun=0
  k_halt=0
  # Asked once here, not by every write (steps run in subshells, which cannot keep it).
  k_uid=$(id -u)
  for k_begin_arg in "$@"; do
    case $k_begin_arg in
    --check) k_mode=check ;;
    --detailed-exitcodes) k_detailed=1 ;;
    -h|--help) sed -n '/^# Usage:/,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) k_err "unknown option: $k_begin_arg (try --help)"; exit 64 ;;
    esac
  done
}

k_end() {
  k_end_what=changed; [ "$k_mode" = check ] && k_end_what='would change'
  k_end_not_run=; [ "$k_notrun" = 0 ] || k_end_not_run=", $k_notrun not run"
  printf '%skiln: %s ok, %s %s, %s failed, %s skipped%s\n' "${KILN_MARK-}" "$k_ok" "$k_changed" "$k_end_what" "$((k_failed + k_ignored))" "$k_skipped" "$k_end_not_run"
  [ "$k_failed" -gt 0 ] && exit 1
  [ "$k_detailed" = 1 ] && [ "$k_changed" -gt 0 ] && exit 2
  exit 0
}

# The `else` of a step's `when` decided on the host, given the condition's status: 1
# skips the step, 2 (the condition could not be decided) fails it; after a failure, the
# step is not-run either way.
k_when_else() {
  if [ "$1" = 2 ] && [ "$k_halt" = 0 ]; then
    k_failed=$((k_failed + 1)) k_halt=1; k_say failed "$2" "$3" "$4"; return 1
  fi
  k_skip "$2" "$3" "$4"
}
