# Commands (server.shell, server.command, server.script): run under guards that say when
# they need not run, in a subshell of their own.

# k_run ok|act|diff [--creates PATH] [--removes PATH] [--unless COMMAND] [--onlyif COMMAND]
# [--chdir DIR] [--env NAME=VALUE]... [--shell | --script NAME [--interpreter PROGRAM
# [--interpreter-arg ARG]]] -- WORD...: runs commands unless a guard says they need not run
# (`ok`): PATH exists (--creates), PATH is absent (--removes), the shell COMMAND succeeds
# (--unless) or fails (--onlyif); without a guard they always run. The WORDs are a program
# and its arguments, run without a shell; with --shell each WORD is a shell command of its
# own (`sh -c`), run in turn while they succeed; with --script, standard input is the
# script NAME, kept in the run's private directory while `PROGRAM [ARG] SCRIPT WORD...`
# runs it (`sh SCRIPT WORD...` without --interpreter). `act` runs them in a subshell, in
# DIR, with each NAME set to VALUE in their environment; `diff` says what would run.
k_run() {
  k_run_verb=$1
  shift
  case $k_run_verb in
  ok) k_run_guards "$@" ;;
  act) (k_run_act "$@") ;;
  diff) k_run_show "$@" ;;
  esac
}

# k_run_guards OPTION... -- WORD...: whether a guard of k_run says the commands need not
# run (the first that does ends the probe).
k_run_guards() {
  while [ "$#" -gt 0 ]; do
    case $1 in
    --creates) [ -e "$2" ] && return 0; shift ;;
    --removes) [ -e "$2" ] || return 0; shift ;;
    --unless) sh -c "$2" >/dev/null 2>&1 && return 0; shift ;;
    --onlyif) sh -c "$2" >/dev/null 2>&1 || return 0; shift ;;
    --chdir | --env | --script | --interpreter | --interpreter-arg) shift ;;
    --shell) ;;
    --) break ;;
    *) k_err "k_run: unknown option $1"; return 64 ;;
    esac
    shift
  done
  return 1
}

# k_run_show OPTION... -- WORD...: `would run: ...`, one line per command of k_run.
k_run_show() {
  k_run_shell=0 k_run_script=''
  while [ "$#" -gt 0 ]; do
    case $1 in
    --shell) k_run_shell=1 ;;
    --script) k_run_script=$2; shift ;;
    --) shift; break ;;
    *) shift ;;
    esac
    shift
  done
  if [ "$k_run_shell" = 1 ]; then
    for k_run_word in "$@"; do k_print "would run: $k_run_word"; done
    return 0
  fi
  k_run_line="would run:${k_run_script:+ $k_run_script}"
  for k_run_word in "$@"; do k_run_line="$k_run_line $k_run_word"; done
  k_print "$k_run_line"
}

# k_run_act OPTION... -- WORD...: the commands of k_run, run here (k_run calls it in a
# subshell, which `cd` and `export` change, and which `exit` ends). The last command
# replaces the subshell (`exec`): one process for a program or a shell command, not two.
k_run_act() {
  k_run_shell=0 k_run_script='' k_run_dir='' k_run_interpreter=sh k_run_interpreter_arg=''
  while [ "$#" -gt 0 ]; do
    case $1 in
    --creates | --removes | --unless | --onlyif) shift ;;
    --chdir) k_run_dir=$2; shift ;;
    --env) export "${2?}" || exit 1; shift ;;
    --shell) k_run_shell=1 ;;
    --script) k_run_script=$2; shift ;;
    --interpreter) k_run_interpreter=$2; shift ;;
    --interpreter-arg) k_run_interpreter_arg=$2; shift ;;
    --) shift; break ;;
    *) k_err "k_run: unknown option $1"; exit 64 ;;
    esac
    shift
  done
  if [ -n "$k_run_script" ]; then
    k_private && k_run_file=$k_tmpd/script && cat > "$k_run_file" || exit 1
    if [ -n "$k_run_dir" ] && ! cd -- "$k_run_dir"; then rm -f -- "$k_run_file"; exit 1; fi
    if [ -n "$k_run_interpreter_arg" ]; then
      "$k_run_interpreter" "$k_run_interpreter_arg" "$k_run_file" "$@"
    else
      "$k_run_interpreter" "$k_run_file" "$@"
    fi
    k_run_status=$?
    rm -f -- "$k_run_file"
    exit "$k_run_status"
  fi
  if [ -n "$k_run_dir" ]; then cd -- "$k_run_dir" || exit 1; fi
  [ "$#" -gt 0 ] || exit 0
  if [ "$k_run_shell" = 0 ]; then exec "$@"; fi
  while [ "$#" -gt 1 ]; do sh -c "$1" || exit; shift; done
  exec sh -c "$1"
}
