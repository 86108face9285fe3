# Waiting (server.wait): a command retried until it succeeds or time runs out, and TCP
# ports.

# Runs CMD... (its output discarded) every INTERVAL seconds until it succeeds, for at most
# TIMEOUT seconds: k_wait TIMEOUT INTERVAL CMD...
k_wait() {
  k_wait_timeout=$1 k_wait_interval=$2 k_wait_spent=0
  shift 2
  until "$@" >/dev/null 2>&1; do
    if [ "$k_wait_spent" -ge "$k_wait_timeout" ]; then k_err "still waiting after ${k_wait_timeout}s: giving up"; return 1; fi
    sleep "$k_wait_interval"
    k_wait_spent=$((k_wait_spent + k_wait_interval))
  done
}

k_not() { ! "$@"; }

# Whether a TCP port accepts connections: with nc, else (for this host) from the kernel's
# table of listening sockets. k_port_open HOST PORT
k_port_open() {
  if command -v nc >/dev/null 2>&1; then nc -z -w 2 "$1" "$2" >/dev/null 2>&1; return; fi
  k_port_open_hex=$(printf '%04X' "$2")
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | K_P=$k_port_open_hex awk '
    $4 == "0A" && substr($2, length($2) - 3) == ENVIRON["K_P"] { f = 1 } END { exit !f }'
}

# Whether k_port_open can check HOST here.
k_port_checkable() {
  command -v nc >/dev/null 2>&1 && return 0
  case $1 in
  127.0.0.1 | localhost | ::1 | 0.0.0.0) [ -r /proc/net/tcp ] && return 0 ;;
  esac
  k_err "cannot check ports of $1: nc is not installed"
  return 1
}

# k_wait_for ok|act|diff (--port PORT --host HOST | --path PATH | --command COMMAND)
# [--gone] [--delay SECONDS] --timeout SECONDS --interval SECONDS (server.wait): waits
# (after DELAY, in the probe) until the TCP port accepts connections, the path exists, or
# the shell COMMAND succeeds; with --gone, until it no longer does. The probe looks once;
# the act looks every INTERVAL for at most TIMEOUT (k_wait).
k_wait_for() {
  k_wait_for_verb=$1 k_wait_for_port='' k_wait_for_host='' k_wait_for_path='' k_wait_for_command=''
  k_wait_for_gone=0 k_wait_for_delay=0 k_wait_for_timeout=0 k_wait_for_interval=1
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --port) k_wait_for_port=$2; shift ;;
    --host) k_wait_for_host=$2; shift ;;
    --path) k_wait_for_path=$2; shift ;;
    --command) k_wait_for_command=$2; shift ;;
    --gone) k_wait_for_gone=1 ;;
    --delay) k_wait_for_delay=$2; shift ;;
    --timeout) k_wait_for_timeout=$2; shift ;;
    --interval) k_wait_for_interval=$2; shift ;;
    *) k_err "k_wait_for: unknown option $1"; return 64 ;;
    esac
    shift
  done
  if [ -n "$k_wait_for_port" ]; then
    set -- k_port_open "$k_wait_for_host" "$k_wait_for_port"
    if [ "$k_wait_for_gone" = 1 ]; then k_wait_for_what=close; else k_wait_for_what=open; fi
    k_wait_for_what="port $k_wait_for_port on $k_wait_for_host to $k_wait_for_what"
  elif [ -n "$k_wait_for_path" ]; then
    set -- test -e "$k_wait_for_path"
    if [ "$k_wait_for_gone" = 1 ]; then k_wait_for_what=disappear; else k_wait_for_what=exist; fi
    k_wait_for_what="$k_wait_for_path to $k_wait_for_what"
  else
    set -- sh -c "$k_wait_for_command"
    if [ "$k_wait_for_gone" = 1 ]; then k_wait_for_what=fail; else k_wait_for_what=succeed; fi
    k_wait_for_what="\`$k_wait_for_command\` to $k_wait_for_what"
  fi
  if [ "$k_wait_for_gone" = 1 ]; then set -- k_not "$@"; fi
  case $k_wait_for_verb in
  ok)
    if [ "$k_wait_for_delay" -gt 0 ]; then sleep "$k_wait_for_delay"; fi
    if [ -n "$k_wait_for_port" ]; then k_port_checkable "$k_wait_for_host" || return 1; fi
    # Commands and port checks say nothing; a failing `test` says nothing anyway.
    "$@" >/dev/null 2>&1 ;;
  act)
    if [ -n "$k_wait_for_port" ]; then k_port_checkable "$k_wait_for_host" || return 1; fi
    k_wait "$k_wait_for_timeout" "$k_wait_for_interval" "$@" ;;
  diff) printf 'wait for %s\n' "$k_wait_for_what" ;;
  esac
}
