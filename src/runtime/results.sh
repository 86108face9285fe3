# Registered results and judged commands (`register`, `changed_when`, `failed_when`): what a
# step did, kept in variables named after its index for the conditions and commands of the
# steps after it.

# k_register INDEX CHANGED FAILED SKIPPED [output]: keeps what the step INDEX did, 1 or 0
# each, in k_register_INDEX_changed, k_register_INDEX_failed and k_register_INDEX_skipped;
# with `output` (a command that ran), also its exit status, standard output and standard
# error as k_result left them (k_result_rc, k_result_out, k_result_err), in
# k_register_INDEX_rc, k_register_INDEX_stdout and k_register_INDEX_stderr. All are
# exported, so the commands of later steps (each its own `sh -c`) read them as
# "$k_register_INDEX_stdout". INDEX is kiln's (digits, or h and digits): `eval` only ever
# sees a name and `$` references, never a value.
k_register() {
  eval "k_register_$1_changed=\$2 k_register_$1_failed=\$3 k_register_$1_skipped=\$4"
  export "k_register_$1_changed" "k_register_$1_failed" "k_register_$1_skipped"
  [ "${5-}" = output ] || return 0
  eval "k_register_$1_rc=\$k_result_rc k_register_$1_stdout=\$k_result_out k_register_$1_stderr=\$k_result_err"
  export "k_register_$1_rc" "k_register_$1_stdout" "k_register_$1_stderr"
}

# k_register_run FUNCTION [ARG]...: k_step_run for a step that is not a command and whose
# result is kept (k_step --register): what it did is read from the run's counts.
k_register_run() {
  k_register_run_changed=$k_changed k_register_run_failed=$((k_failed + k_ignored))
  k_step_register=0
  k_step_run "$@"
  k_register_run_status=$?
  k_register "$k_step_index" $((k_changed - k_register_run_changed)) $((k_failed + k_ignored - k_register_run_failed)) 0
  return "$k_register_run_status"
}

# k_result FUNCTION [ARG]...: k_step_run for a command (k_step --command) whose result is
# kept (--register) or judged (--changed-when, --failed-when). The probe holding is ok (exit status 0, no
# output). Else, in check mode, the change is planned and the result is skipped, as the
# command does not run; except for a command whose --changed-when is `false` (it never
# changes anything), which runs in check mode too. The act's standard output and error are
# kept (their last newlines dropped, and NUL bytes, which a shell variable cannot hold), then
# shown; its status is the result's rc. The result is registered before it is judged, so the
# judges read it: --failed-when decides failure instead of the status (undecidable, 2: it
# fails), --changed-when whether a command that did not fail changed something. A command
# judged failed runs again, as k_step_run retries an act (--retries, --delay).
k_result() {
  k_result_rc=0 k_result_out='' k_result_err='' k_result_status=ok
  if k_step_do ok "$@"; then
    :
  elif [ "$k_mode" = check ] && [ "$k_step_changed_when" != false ]; then
    k_plan_change "$@"
    if [ "$k_step_register" = 1 ]; then k_register "$k_step_index" 0 0 1; fi
    return 0
  else
    k_step_try=0
    while :; do
      k_result_act "$@"
      if [ "$k_step_register" = 1 ]; then k_register "$k_step_index" 0 0 0 output; fi
      k_result_judge
      if [ "$k_result_status" != failed ] || [ "$k_step_try" -ge "$k_step_retries" ]; then break; fi
      k_step_try=$((k_step_try + 1)); sleep "$k_step_delay"
    done
  fi
  if [ "$k_step_register" = 1 ]; then
    k_result_changed=0 k_result_failed=0
    case $k_result_status in changed) k_result_changed=1 ;; failed) k_result_failed=1 ;; esac
    k_register "$k_step_index" "$k_result_changed" "$k_result_failed" 0 output
  fi
  k_result_say
}

# k_result_act FUNCTION [ARG]...: k_result's act, its output kept in k_result_out and
# k_result_err and then shown, its status in k_result_rc; k_result_status is `changed`, or
# `failed` when the status is not 0.
k_result_act() {
  k_private || { k_result_status=failed k_result_rc=1; return; }
  k_step_do act "$@" > "$k_tmpd/out.$k_step_index" 2> "$k_tmpd/err.$k_step_index"
  k_result_rc=$?
  k_result_out=$(tr -d '\000' < "$k_tmpd/out.$k_step_index")
  k_result_err=$(tr -d '\000' < "$k_tmpd/err.$k_step_index")
  rm -f -- "$k_tmpd/out.$k_step_index" "$k_tmpd/err.$k_step_index"
  if [ -n "$k_result_out" ]; then k_print "$k_result_out"; fi
  if [ -n "$k_result_err" ]; then k_print "$k_result_err" >&2; fi
  k_result_status=changed
  [ "$k_result_rc" = 0 ] || k_result_status=failed
}

# k_result_judge: k_result_status decided again by the step's --failed-when (instead of
# the exit status), then, unless it failed, by its --changed-when; both read the
# registered result. Undecidable (2) is failed.
k_result_judge() {
  if [ -n "$k_step_failed_when" ]; then
    "$k_step_failed_when" </dev/null
    case $? in
    0) k_result_status=failed; return ;;
    1) k_result_status=changed ;;
    *) k_result_status=failed; return ;;
    esac
  fi
  [ "$k_result_status" = failed ] && return
  [ -n "$k_step_changed_when" ] || return 0
  "$k_step_changed_when" </dev/null
  case $? in
  0) ;;
  1) k_result_status=ok ;;
  *) k_result_status=failed ;;
  esac
}

# k_result_say: the status line of k_result's step, counted as k_step_run counts it.
k_result_say() {
  case $k_result_status in
  ok) k_ok=$((k_ok + 1)); k_say ok "$k_step_index" "$k_step_label" "$k_step_origin" ;;
  changed) k_changed=$((k_changed + 1)); k_say changed "$k_step_index" "$k_step_label" "$k_step_origin"; k_notify "$k_step_notify" ;;
  *)
    if [ "$k_step_ignore" = 1 ]; then
      k_ignored=$((k_ignored + 1)); k_say failed-ignored "$k_step_index" "$k_step_label" "$k_step_origin"; return 0
    fi
    k_failed=$((k_failed + 1)) k_halt=1; k_say failed "$k_step_index" "$k_step_label" "$k_step_origin"; return 1 ;;
  esac
}
