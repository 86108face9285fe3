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
  # `mv` onto a directory (or a link to one) would move the file into it.
  if [ -d "$1" ] && [ ! -L "$1" ]; then k_err "$1 is a directory"; return 1; fi
  k_dir=$(dirname -- "$1")
  k_tmp=$k_dir/.kiln.$$.$(basename -- "$1")
  rm -f -- "$k_tmp" || return 1
  if ! (set -C; cat > "$k_tmp"); then rm -f -- "$k_tmp"; return 1; fi
  # Unless told otherwise, the new file keeps the old one's mode and (as root) owner.
  if [ -e "$1" ] && [ ! -L "$1" ]; then
    [ -z "$2" ] && chmod "$(k_mode_of "$1")" "$k_tmp"
    if [ -z "$3$4" ] && [ "$(id -u)" = 0 ]; then
      chown "$(ls -lnd -- "$1" | awk '{ print $3 ":" $4 }')" "$k_tmp"
    fi
  fi
  if ! k_attrs "$k_tmp" "$2" "$3" "$4"; then rm -f -- "$k_tmp"; return 1; fi
  # A symbolic link at DEST is replaced by the file, not followed.
  if [ -L "$1" ] && ! rm -f -- "$1"; then rm -f -- "$k_tmp"; return 1; fi
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
# Facts gathered on the host (k_facts holds the probe's key=value lines).
k_fact() {
  printf '%s\n' "${k_facts-}" | K_K=$1 awk '{
    i = index($0, "=")
    if (substr($0, 1, i - 1) == ENVIRON["K_K"]) { print substr($0, i + 1); exit } }'
}
k_in() { k_v=$1; shift; for k_x in "$@"; do [ "$k_v" = "$k_x" ] && return 0; done; return 1; }
k_in_list() { case ",$2," in *,"$1",*) return 0 ;; esac; return 1; }
# --- links (files.link, files.sync) ---
# Whether PATH is a symbolic link whose target is exactly TARGET: k_link_is PATH TARGET.
# `readlink` (POSIX since 2024; in coreutils, busybox and the BSDs) reads the target as
# stored, where parsing `ls -l` breaks on names containing " -> ". The `.` keeps a target's
# own trailing newlines from being stripped by the command substitution.
k_link_is() {
  [ -L "$1" ] || return 1
  k_lt=$(readlink -- "$1" && echo .) || return 1
  [ "${k_lt%?.}" = "$2" ]
}
# Makes PATH a link to TARGET: k_link PATH TARGET SYMBOLIC FORCE (1 or 0). A link already
# at PATH is replaced; a file, or an empty directory, only with FORCE.
k_link() {
  if [ -L "$1" ]; then
    rm -f -- "$1" || return 1
  elif [ -d "$1" ]; then
    if [ "$4" != 1 ]; then k_err "$1 is a directory (force = true replaces an empty one)"; return 1; fi
    rmdir -- "$1" || { k_err "$1 is a directory that is not empty: not replacing it"; return 1; }
  elif [ -e "$1" ]; then
    if [ "$4" != 1 ]; then k_err "$1 exists and is not a link (force = true replaces it)"; return 1; fi
    rm -f -- "$1" || return 1
  fi
  if [ "$3" = 1 ]; then ln -s -- "$2" "$1"; else ln -- "$2" "$1"; fi
}
# Removes the link at PATH: k_unlink PATH SYMBOLIC FORCE. A hard link is a file like any
# other; anything else that is not a symbolic link is removed only with FORCE (a directory
# only when empty).
k_unlink() {
  if [ -L "$1" ]; then
    rm -f -- "$1"
  elif [ -d "$1" ]; then
    if [ "$3" != 1 ]; then k_err "$1 is a directory, not a link (force = true removes an empty one)"; return 1; fi
    rmdir -- "$1"
  elif [ -e "$1" ]; then
    if [ "$2" = 1 ] && [ "$3" != 1 ]; then k_err "$1 is not a symbolic link (force = true removes it)"; return 1; fi
    rm -f -- "$1"
  fi
}
# --- downloads (files.download) ---
# The SHA-256 of FILE in lower-case hex, from sha256sum, shasum or openssl, whichever exists.
k_sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum < "$1" | awk '{ print tolower($1) }'
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 < "$1" | awk '{ print tolower($1) }'
  elif command -v openssl >/dev/null 2>&1; then
    openssl dgst -sha256 < "$1" | awk '{ print tolower($NF) }'
  else
    k_err "cannot compute a SHA-256: none of sha256sum, shasum or openssl is installed"; return 1
  fi
}
# Whether FILE is a regular file (not a link) whose SHA-256 is SUM: k_sha256_is FILE SUM.
k_sha256_is() {
  [ -f "$1" ] && [ ! -L "$1" ] && k_hs=$(k_sha256 "$1") && [ "$k_hs" = "$2" ]
}
# Fetches URL into FILE with curl, else wget: k_fetch URL FILE TIMEOUT [HEADER]...
# (TIMEOUT in seconds, empty for none; each HEADER is "Name: value").
k_fetch() {
  k_fu=$1 k_fo=$2 k_ft=$3
  shift 3
  if command -v curl >/dev/null 2>&1; then
    for k_fh in "$@"; do set -- "$@" -H "$k_fh"; shift; done
    if [ -n "$k_ft" ]; then set -- "$@" --max-time "$k_ft"; fi
    curl -fsSL "$@" -o "$k_fo" "$k_fu"
  elif command -v wget >/dev/null 2>&1; then
    for k_fh in "$@"; do set -- "$@" "--header=$k_fh"; shift; done
    if [ -n "$k_ft" ]; then set -- "$@" -T "$k_ft"; fi
    wget -q "$@" -O "$k_fo" "$k_fu"
  else
    k_err "cannot download: neither curl nor wget is installed"; return 1
  fi
}
# Downloads URL to DEST: k_download URL DEST SHA256 MODE OWNER GROUP TIMEOUT [HEADER]...
# The download goes to a temporary file next to DEST and must match SHA256 (unless empty);
# then it gets its mode and owner (by default the old file's, as k_write) and is renamed
# over DEST. A failure leaves DEST as it was.
k_download() {
  k_du=$1 k_dd=$2 k_ds=$3 k_dm=$4 k_do=$5 k_dg=$6 k_dt=$7
  shift 7
  if [ -d "$k_dd" ] && [ ! -L "$k_dd" ]; then k_err "$k_dd is a directory"; return 1; fi
  k_dtmp=$(dirname -- "$k_dd")/.kiln-download.$$.$(basename -- "$k_dd")
  rm -f -- "$k_dtmp" || return 1
  if ! k_fetch "$k_du" "$k_dtmp" "$k_dt" "$@"; then
    rm -f -- "$k_dtmp"; k_err "cannot download $k_du"; return 1
  fi
  if [ -n "$k_ds" ]; then
    if ! k_dgot=$(k_sha256 "$k_dtmp"); then rm -f -- "$k_dtmp"; return 1; fi
    if [ "$k_dgot" != "$k_ds" ]; then
      rm -f -- "$k_dtmp"; k_err "$k_du has SHA-256 $k_dgot, expected $k_ds"; return 1
    fi
  fi
  if [ -e "$k_dd" ] && [ ! -L "$k_dd" ]; then
    [ -z "$k_dm" ] && chmod "$(k_mode_of "$k_dd")" "$k_dtmp"
    if [ -z "$k_do$k_dg" ] && [ "$(id -u)" = 0 ]; then
      chown "$(ls -lnd -- "$k_dd" | awk '{ print $3 ":" $4 }')" "$k_dtmp"
    fi
  fi
  if ! k_attrs "$k_dtmp" "$k_dm" "$k_do" "$k_dg"; then rm -f -- "$k_dtmp"; return 1; fi
  if [ -L "$k_dd" ] && ! rm -f -- "$k_dd"; then rm -f -- "$k_dtmp"; return 1; fi
  mv -f -- "$k_dtmp" "$k_dd" || { rm -f -- "$k_dtmp"; return 1; }
}
# --- directory trees (files.sync) ---
# Whether FILE is a regular file (not a link) with the POSIX `cksum` (CRC and size) SUM.
k_cksum_is() {
  [ -f "$1" ] && [ ! -L "$1" ] && [ "$(cksum < "$1" | awk '{ print $1 " " $2 }')" = "$2" ]
}
# Clears PATH for an entry of another kind: k_clear PATH KIND REPLACE. KIND is d (a
# directory), f (a file) or l (a link). A link of the wrong kind is removed; any other entry
# of the wrong kind only with REPLACE (1), else it is an error.
k_clear() {
  if [ -L "$1" ]; then
    [ "$2" = l ] || rm -f -- "$1"
    return
  fi
  [ -e "$1" ] || return 0
  case $2 in
  d) [ -d "$1" ] && return 0 ;;
  f) [ -f "$1" ] && return 0 ;;
  esac
  if [ "$3" != 1 ]; then k_err "$1 is in the way (delete = true replaces it)"; return 1; fi
  rm -rf -- "$1"
}
# Lists (`list`) or removes (`remove`) what is under DIR and not kept:
# k_extras list|remove DIR KEEP [PREFIX]. `KEEP REL NAME` returns 0 to leave an entry
# alone, 2 for a wanted directory to look into, anything else for an extra. Links are never
# followed; an extra directory is emptied of extras, then removed if nothing is left in it.
k_extras() (
  for k_e in "$2"/* "$2"/.[!.]* "$2"/..?*; do
    [ -e "$k_e" ] || [ -L "$k_e" ] || continue
    k_n=${k_e##*/}
    "$3" "$4$k_n" "$k_n"
    k_k=$?
    [ "$k_k" = 0 ] && continue
    if [ "$k_k" = 2 ]; then
      if [ -d "$k_e" ] && [ ! -L "$k_e" ]; then k_extras "$1" "$k_e" "$3" "$4$k_n/" || exit 1; fi
      continue
    fi
    if [ "$1" = list ]; then
      printf '%s\n' "$4$k_n"
    elif [ -d "$k_e" ] && [ ! -L "$k_e" ]; then
      k_extras remove "$k_e" "$3" "$4$k_n/" || exit 1
      rmdir -- "$k_e" 2>/dev/null || :
    else
      rm -f -- "$k_e" || exit 1
    fi
  done
)
