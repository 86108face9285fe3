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
