# --- kiln runtime library (POSIX sh) ---------------------------------------------------
# Status line: <marker><status> <index> <label> [<origin>]
k_say() { printf '%s%-13s %3s  %s  [%s]\n' "${KILN_MARK-}" "$1" "$2" "$3" "$4"; }
k_err() { printf 'kiln: %s\n' "$*" >&2; }
# Octal permission bits of a path, from the POSIX `ls -ld` mode string.
k_mode_of() {
  ls -ld -- "$1" 2>/dev/null | awk '{
    m = substr($1, 2, 9); v = 0
    for (i = 1; i <= 9; i++) { c = substr(m, i, 1); b = (i - 1) % 3
      if (c == "r" || c == "w" || c == "x" || c == "s" || c == "t") v += (b == 0 ? 4 : b == 1 ? 2 : 1) * (i <= 3 ? 64 : i <= 6 ? 8 : 1)
      if (i == 3 && (c == "s" || c == "S")) v += 2048
      if (i == 6 && (c == "s" || c == "S")) v += 1024
      if (i == 9 && (c == "t" || c == "T")) v += 512 }
    printf "%04o\n", v }'
}
# The octal mode `path` would have after `chmod MODE`: MODE is 4-digit octal (normalized by
# kiln) or symbolic, which is applied to a scratch copy of the current mode.
k_mode_want() {
  case $2 in
  *[!0-7]*)
    k_s=${TMPDIR:-/tmp}/.kiln-mode.$$
    rm -rf -- "$k_s"
    if [ -d "$1" ]; then mkdir -- "$k_s"; else : > "$k_s"; fi
    chmod "$(k_mode_of "$1")" "$k_s" && chmod "$2" "$k_s" && k_mode_of "$k_s"
    rm -rf -- "$k_s" ;;
  *) printf '%s\n' "$2" ;;
  esac
}
# Whether `path` has MODE, OWNER and GROUP (an empty one is not checked).
k_attrs_ok() {
  if [ -n "$2" ] && [ "$(k_mode_of "$1")" != "$(k_mode_want "$1" "$2")" ]; then return 1; fi
  if [ -n "$3" ] && [ -z "$(find "$1" -prune -user "$3" 2>/dev/null)" ]; then return 1; fi
  if [ -n "$4" ] && [ -z "$(find "$1" -prune -group "$4" 2>/dev/null)" ]; then return 1; fi
  return 0
}
k_attrs() {
  if [ -n "$3" ]; then chown -h -- "$3" "$1" || return 1; fi
  if [ -n "$4" ]; then chgrp -h -- "$4" "$1" || return 1; fi
  if [ -n "$2" ]; then chmod -- "$2" "$1" || return 1; fi
}
# Writes standard input to DEST atomically: a temporary file in the same directory gets
# the content, mode and owner, then is renamed over DEST. A failure leaves DEST as it was.
k_write() {
  k_dir=$(dirname -- "$1")
  k_tmp=$k_dir/.kiln.$$.$(basename -- "$1")
  rm -f -- "$k_tmp" || return 1
  if ! (set -C; cat > "$k_tmp"); then rm -f -- "$k_tmp"; return 1; fi
  # Unless told otherwise, the new file keeps the old one's mode and (as root) owner.
  if [ -e "$1" ]; then
    [ -z "$2" ] && chmod "$(k_mode_of "$1")" "$k_tmp"
    if [ -z "$3$4" ] && [ "$(id -u)" = 0 ]; then
      chown "$(ls -lnd -- "$1" | awk '{ print $3 ":" $4 }')" "$k_tmp"
    fi
  fi
  if ! k_attrs "$k_tmp" "$2" "$3" "$4"; then rm -f -- "$k_tmp"; return 1; fi
  mv -f -- "$k_tmp" "$1" || { rm -f -- "$k_tmp"; return 1; }
}
# Runs shell code as another user: k_as sudo|su USER CODE. The code gets this library.
k_as() {
  if [ "$(id -un)" = "$2" ]; then (eval "$3"); return; fi
  case $1 in
  sudo) sudo -n -H -u "$2" -- sh -c "$KILN_LIB
$3" ;;
  su) su -s /bin/sh "$2" -c "$KILN_LIB
$3" ;;
  esac
}
# k_step INDEX LABEL ORIGIN NOTIFY VERIFY IGNORE RETRIES DELAY PROBE ACT DIFF
k_step() {
  k_i=$1 k_label=$2 k_origin=$3
  if "$9"; then k_ok=$((k_ok + 1)); k_say ok "$k_i" "$k_label" "$k_origin"; return 0; fi
  if [ "$k_mode" = check ]; then
    k_changed=$((k_changed + 1)); k_say would-change "$k_i" "$k_label" "$k_origin"
    if [ -n "${11}" ]; then "${11}" 2>&1 | sed 's/^/    /'; fi
    k_notify "$4"; return 0
  fi
  k_try=0
  while :; do
    if "${10}" && { [ "$5" = 0 ] || "$9"; }; then
      k_changed=$((k_changed + 1)); k_say changed "$k_i" "$k_label" "$k_origin"; k_notify "$4"; return 0
    fi
    [ "$k_try" -ge "$7" ] && break
    k_try=$((k_try + 1)); sleep "$8"
  done
  if [ "$6" = 1 ]; then
    k_ignored=$((k_ignored + 1)); k_say failed-ignored "$k_i" "$k_label" "$k_origin"; return 0
  fi
  k_failed=$((k_failed + 1)); k_say failed "$k_i" "$k_label" "$k_origin"; return 1
}
k_skip() { k_skipped=$((k_skipped + 1)); k_say skipped "$1" "$2" "$3"; }
k_notify() { for k_h in $1; do eval "k_notified_$k_h=1"; done; }
k_notified() { eval "[ \"\${k_notified_$1:-0}\" = 1 ]"; }
k_begin() {
  k_mode=apply k_detailed=0 k_ok=0 k_changed=0 k_failed=0 k_skipped=0 k_ignored=0
  for k_arg in "$@"; do
    case $k_arg in
    --check) k_mode=check ;;
    --detailed-exitcodes) k_detailed=1 ;;
    -h|--help) sed -n '/^# Usage:/,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) k_err "unknown option: $k_arg (try --help)"; exit 64 ;;
    esac
  done
}
k_end() {
  k_what=changed; [ "$k_mode" = check ] && k_what='would change'
  printf '%skiln: %s ok, %s %s, %s failed, %s skipped\n' "${KILN_MARK-}" "$k_ok" "$k_changed" "$k_what" "$((k_failed + k_ignored))" "$k_skipped"
  [ "$k_failed" -gt 0 ] && exit 1
  [ "$k_detailed" = 1 ] && [ "$k_changed" -gt 0 ] && exit 2
  exit 0
}
# Unified diff from PATH (or nothing) to the desired content on standard input, with
# stable labels instead of timestamps.
k_diffu() {
  if [ -f "$1" ]; then k_old=$1; else k_old=/dev/null; fi
  diff -u "$k_old" - | K_D=$1 awk '
    NR == 1 { print "--- " ENVIRON["K_D"]; next }
    NR == 2 { print "+++ " ENVIRON["K_D"] " (desired)"; next }
    { print }'
}
