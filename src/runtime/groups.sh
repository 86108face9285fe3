# Fused runs of ops: a run of ops kiln fused (src/emit/fuse.rs) is one step at run time (a
# file edited by one read, one awk and one write; directories made by one `mkdir -p`; files
# removed by one `rm -f`), yet each op is reported as k_step reports it: its own status
# line, its handlers notified, its `when` decided in its place, not-run after a failure.
# k_fused announces each op with k_step's arguments; the run's last call (k_fused_edits,
# k_fused_directories, k_fused_absent) runs them all. In check mode, after a failure, and
# for an op that would fail, ops are run one by one by k_step, exactly as unfused.

# k_fused INDEX LABEL [OPTION]... -- FUNCTION [ARG]...: an op of the fused run being
# announced, with k_step's arguments (kept quoted: k_group_N for the Nth, k_group_size).
k_fused() {
  k_group_size=$((${k_group_size:-0} + 1))
  k_quoted "$@"
  eval "k_group_$k_group_size=\$k_quoted_text"
}

# k_fused_edits: runs the announced edits of one file (k_edit calls of the same path,
# without mode, owner, group or backup). Every op's own check first, the file read once by
# the shell (nothing else to do on a second run); else one awk runs every edit in turn
# (k_edits_awk) into a file beside the edited one, which replaces it once; its outcomes
# go through a file in the run's private directory. (It takes no arguments: the
# positional parameters it sets are an op's.)
# shellcheck disable=SC2120
k_fused_edits() {
  k_group_start || return
  k_edit_keep=1 k_edit_scanned='' k_fused_edits_todo=0
  for k_fused_edits_n in $k_group_run; do
    k_group_read "$k_fused_edits_n"
    eval "set -- $k_group_args"
    if "$k_group_function" ok "$@"; then eval "k_group_out_$k_fused_edits_n=ok"; else k_fused_edits_todo=1; break; fi
  done
  if [ "$k_fused_edits_todo" = 1 ]; then k_fused_edits_write; fi
  k_edit_keep=0
  k_group_report
}

# k_fused_edits_write: k_fused_edits' change: every op to run gets its outcome from the one
# awk (k_group_out_N); the file is replaced when one changed it. A file that cannot be
# edited at all fails the first op. (The outcomes are words, split on purpose.)
# shellcheck disable=SC2086
k_fused_edits_write() {
  k_fused_edits_calls='' k_fused_edits_first=''
  for k_fused_edits_n in $k_group_run; do
    eval "k_group_out_$k_fused_edits_n="
    k_fused_edits_first=${k_fused_edits_first:-$k_fused_edits_n}
    k_fused_edits_calls="$k_fused_edits_calls \"\$k_group_call_$k_fused_edits_n\""
  done
  k_group_errors_begin
  k_edit_verb=act k_edit_missing=empty k_edit_path=$k_edit_asked
  if ! { k_edit_resolve && k_edit_scan && k_private && k_edit_dir_for_new && k_tmp_for "$k_edit_path" '' '' ''; } 2>&3; then
    eval "k_group_out_$k_fused_edits_first=failed"
    return
  fi
  k_fused_edits_tmp=$k_tmp_beside_file k_fused_edits_said=$k_tmpd/fused
  # As k_write: the new file is open before it gets its owner, who then cannot put
  # something else at its name for kiln to write through.
  if ! eval "k_fill \"\$k_fused_edits_tmp\" \"\$k_edit_path\" '' '' '' k_edits_awk \"\$k_fused_edits_said\" $k_fused_edits_calls" 2>&3; then
    rm -f -- "$k_fused_edits_tmp"
    eval "k_group_out_$k_fused_edits_first=failed"
    return
  fi
  k_fused_edits_outcomes=
  read -r k_fused_edits_outcomes < "$k_fused_edits_said"
  k_fused_edits_changed=''
  set -- $k_fused_edits_outcomes
  for k_fused_edits_n in $k_group_run; do
    [ "$#" -gt 0 ] || break
    eval "k_group_out_$k_fused_edits_n=\$1"
    case $1 in changed | unsettled) k_fused_edits_changed=${k_fused_edits_changed:-$k_fused_edits_n} ;; esac
    shift
  done
  if [ -z "$k_fused_edits_changed" ]; then
    rm -f -- "$k_fused_edits_tmp"
  elif ! k_rename "$k_fused_edits_tmp" "$k_edit_path" 2>&3; then
    # Nothing was written: the first op that changed the file failed, as its own act would.
    eval "k_group_out_$k_fused_edits_changed=failed"
  fi
}

# k_fused_directories: runs the announced files.directory ops (k_directory of a path,
# without attributes): one `mkdir -p` makes every directory missing.
k_fused_directories() {
  k_group_start || return
  k_group_batch k_group_blocked mkdir -p --
  k_group_report
}

# k_fused_absent: runs the announced files.file ops with present = false (k_file --absent,
# without force): one `rm -f` removes every file there.
k_fused_absent() {
  k_group_start || return
  k_group_batch k_group_directory rm -f --
  k_group_report
}

# k_group_start: whether the announced run is fused here: not in check mode nor after a
# failure (then each op is run by k_step now, and k_group_start fails). Decides each op's
# `when` in order (k_group_conditions).
k_group_start() {
  if [ "$k_mode" = check ] || [ "$k_halt" = 1 ]; then
    k_group_n=0
    while [ "$k_group_n" -lt "$k_group_size" ]; do
      k_group_n=$((k_group_n + 1))
      k_group_step "$k_group_n"
    done
    k_group_size=0
    return 1
  fi
  k_group_conditions
}

# k_group_step N: the run's Nth op, by k_step, as if it were not fused.
k_group_step() {
  k_group_step_words=''
  eval "k_group_step_words=\$k_group_$1"
  eval "k_step $k_group_step_words"
}

# k_group_read N: the Nth op's k_step options: k_group_index, k_group_label,
# k_group_origin, k_group_notify, k_group_check, k_group_when; its call: k_group_function
# and its arguments quoted in k_group_args (for `eval "set -- $k_group_args"`), the whole
# call quoted in k_group_call_N. A fused op has no other option (kiln fuses none).
k_group_read() {
  k_group_read_n=$1 k_group_read_words=''
  eval "k_group_read_words=\$k_group_$1"
  eval "set -- $k_group_read_words"
  k_group_index=$1 k_group_label=$2 k_group_origin='' k_group_notify='' k_group_check='' k_group_when=''
  shift 2
  while [ "$#" -gt 0 ]; do
    case $1 in
    --origin) k_group_origin=$2; shift ;;
    --notify) k_group_notify="$k_group_notify$2
" ; shift ;;
    --check) k_group_check=$2; shift ;;
    --when) k_group_when=$2; shift ;;
    --) shift; break ;;
    *) k_err "k_fused: unknown option $1"; return 64 ;;
    esac
    shift
  done
  k_quoted "$@"
  eval "k_group_call_$k_group_read_n=\$k_quoted_text"
  k_group_function=$1
  shift
  k_quoted "$@"
  k_group_args=$k_quoted_text
}

# k_group_conditions: each op's `when` decided in order, up to the first that cannot be
# decided: k_group_do_N is `run`, `skip` or `fail`; k_group_run the numbers of the ops to
# run; k_group_last the last op decided (those after it are not run). Clears every
# outcome (k_group_out_N).
k_group_conditions() {
  k_group_run='' k_group_last=0
  while [ "$k_group_last" -lt "$k_group_size" ]; do
    k_group_last=$((k_group_last + 1))
    k_group_read "$k_group_last" || return
    k_group_decision=run
    if [ -n "$k_group_when" ]; then
      "$k_group_when" </dev/null
      case $? in 0) ;; 1) k_group_decision=skip ;; *) k_group_decision=fail ;; esac
    fi
    eval "k_group_do_$k_group_last=$k_group_decision k_group_out_$k_group_last="
    case $k_group_decision in
    run) k_group_run="$k_group_run $k_group_last" ;;
    fail) break ;;
    esac
  done
}

# k_group_batch BLOCKED COMMAND...: for directories and absent files: every op to run
# whose own check fails is done by one `COMMAND PATH...` (PATH, its call's --path), up to
# the first that BLOCKED PATH says would fail, which k_step runs (so it says why, as
# unfused; the ops after it are then not run). When COMMAND fails, the first op whose
# check still fails failed, and the ops after it are not run.
k_group_batch() {
  k_group_batch_blocked=$1 k_group_batch_todo=''
  shift
  k_quoted "$@"
  k_group_batch_act=$k_quoted_text
  for k_group_batch_n in $k_group_run; do
    k_group_read "$k_group_batch_n"
    eval "set -- $k_group_args"
    if "$k_group_function" ok "$@"; then eval "k_group_out_$k_group_batch_n=ok"; continue; fi
    k_group_path "$@"
    if "$k_group_batch_blocked" "$k_group_path"; then break; fi
    k_group_batch_todo="$k_group_batch_todo $k_group_batch_n"
    eval "k_group_out_$k_group_batch_n=changed k_group_path_$k_group_batch_n=\$k_group_path"
  done
  [ -n "$k_group_batch_todo" ] || return 0
  k_group_batch_command=$k_group_batch_act
  for k_group_batch_n in $k_group_batch_todo; do
    k_group_batch_command="$k_group_batch_command \"\$k_group_path_$k_group_batch_n\""
  done
  k_group_errors_begin
  eval "$k_group_batch_command" 2>&3 && return 0
  for k_group_batch_n in $k_group_batch_todo; do
    k_group_read "$k_group_batch_n"
    eval "set -- $k_group_args"
    "$k_group_function" ok "$@" && continue
    eval "k_group_out_$k_group_batch_n=failed"
    break
  done
}

# k_group_path ARG...: k_group_path, the value after `--path` among ARG.
k_group_path() {
  while [ "$#" -gt 1 ]; do
    if [ "$1" = --path ]; then k_group_path=$2; return; fi
    shift
  done
}

# k_group_blocked PATH: whether `mkdir -p PATH` would fail because PATH or a directory above
# it is something else than a directory.
k_group_blocked() {
  k_group_blocked_path=$1
  while :; do
    if [ -e "$k_group_blocked_path" ] || [ -L "$k_group_blocked_path" ]; then
      [ ! -d "$k_group_blocked_path" ]
      return
    fi
    k_split "$k_group_blocked_path"
    [ "$k_split_dir" != "$k_group_blocked_path" ] || return 1
    k_group_blocked_path=$k_split_dir
  done
}

# k_group_directory PATH: whether PATH is a directory (not a link to one), which
# `rm -f` cannot remove.
k_group_directory() { [ -d "$1" ] && [ ! -L "$1" ]; }

# k_group_errors_begin: file descriptor 3 takes what the run's one change prints on standard
# error: in a live run a file in the run's private directory (k_group_errors), passed on
# after the op it failed (k_step_stderr), else standard error.
k_group_errors_begin() {
  k_group_errors=
  if [ -n "${KILN_MARK-}" ] && k_private 2>/dev/null; then
    k_group_errors=$k_tmpd/stderr.fused
    exec 3> "$k_group_errors"
  else
    exec 3>&2
  fi
}

# k_group_report: each op of the run reported in order, as k_step would have, from its
# decision (k_group_do_N) and outcome (k_group_out_N: ok, changed, failed, unsettled); an op
# to run without an outcome is run by k_step now. Ends the run. (It takes no arguments: the
# positional parameters it sets are an op's.)
# shellcheck disable=SC2120
k_group_report() {
  k_group_n=0
  while [ "$k_group_n" -lt "$k_group_size" ]; do
    k_group_n=$((k_group_n + 1))
    k_group_read "$k_group_n"
    if [ "$k_group_n" -gt "$k_group_last" ] || [ "$k_halt" = 1 ]; then
      k_not_run "$k_group_index" "$k_group_label" "$k_group_origin"
      continue
    fi
    eval "k_group_decision=\$k_group_do_$k_group_n k_group_outcome=\$k_group_out_$k_group_n"
    case $k_group_decision in
    skip) k_skip "$k_group_index" "$k_group_label" --origin "$k_group_origin"; continue ;;
    fail) k_failed=$((k_failed + 1)) k_halt=1; k_say failed "$k_group_index" "$k_group_label" "$k_group_origin"; continue ;;
    esac
    if [ -z "$k_group_outcome" ]; then k_group_step "$k_group_n"; continue; fi
    [ -z "${KILN_MARK-}" ] || k_step_begin "$k_group_index" "$k_group_label"
    case $k_group_outcome in
    ok) k_ok=$((k_ok + 1)); k_say ok "$k_group_index" "$k_group_label" "$k_group_origin" ;;
    changed)
      k_changed=$((k_changed + 1)); k_say changed "$k_group_index" "$k_group_label" "$k_group_origin"
      k_notify "$k_group_notify" ;;
    *)
      k_failed=$((k_failed + 1)) k_halt=1; k_say failed "$k_group_index" "$k_group_label" "$k_group_origin"
      if [ "$k_group_outcome" = unsettled ]; then
        k_note "applied, but the check after it still fails: $k_group_check"
        eval "set -- $k_group_args"
        "$k_group_function" diff "$@" 2>&1 | sed 's/^/    /'
      fi
      [ -z "${k_group_errors-}" ] || k_step_stderr "$k_group_errors"
      k_group_errors= ;;
    esac
  done
  [ -z "${k_group_errors-}" ] || k_step_stderr "$k_group_errors"
  k_group_size=0 k_group_errors=
  exec 3>&-
}
