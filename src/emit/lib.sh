# --- kiln runtime library (POSIX sh) ---------------------------------------------------
# Status line: <marker><status> <index> <label> [<origin>]
k_say() { printf '%s%-13s %3s  %s  [%s]\n' "${KILN_MARK-}" "$1" "$2" "$3" "$4"; }
# A note on the op just reported (why it failed, what its planned change waits for): under
# its status line, indented as a diff is; marked in a live run, so kiln tells it from what
# commands print. From a builtin: it may quote what a diff shows.
k_note() { k_print "${KILN_MARK-}    $1"; }
k_err() { printf 'kiln: %s\n' "$*" >&2; }
# k_stat [-L] PATH: k_sm, PATH's permission bits in octal (read from the POSIX `ls -l` mode
# string), and k_so, its numeric owner and group (`UID:GID`): one `ls`, one `awk`. A
# symbolic link is read as itself, or with -L as the file it points to.
k_stat() {
  k_sl=; if [ "$1" = -L ]; then k_sl=L; shift; fi
  k_st=$(ls "-lnd$k_sl" -- "$1" 2>/dev/null | awk "$k_awk_perm"'{ printf "%04o %s:%s\n", k_perm($1), $3, $4 }')
  [ -n "$k_st" ] || return 1
  k_sm=${k_st%% *} k_so=${k_st#* }
}
# An awk function: the permission bits of an `ls -l` mode string, as a number.
k_awk_perm='function k_perm(s,  m, v, i, c, b) {
    m = substr(s, 2, 9); v = 0
    for (i = 1; i <= 9; i++) { c = substr(m, i, 1); b = (i - 1) % 3
      if (c == "r" || c == "w" || c == "x" || c == "s" || c == "t") v += (b == 0 ? 4 : b == 1 ? 2 : 1) * (i <= 3 ? 64 : i <= 6 ? 8 : 1)
      if (i == 3 && (c == "s" || c == "S")) v += 2048
      if (i == 6 && (c == "s" || c == "S")) v += 1024
      if (i == 9 && (c == "t" || c == "T")) v += 512 }
    return v }
'
# Whether PATH may be followed: it is not a symbolic link, or the link is root's or this
# user's (Linux's protected_symlinks rule, kept on every kernel): a link that another user
# planted, in /tmp say, would take kiln's mode, owner or new file to any file. k_follows PATH
k_follows() {
  [ -L "$1" ] || return 0
  k_stat "$1" || return 1
  [ -n "${k_uid-}" ] || k_uid=$(id -u)
  case ${k_so%%:*} in 0 | "$k_uid") return 0 ;; esac
  k_err "$1 is a symbolic link owned by user ${k_so%%:*}: not following it (follow = false, force = true replaces it)"
  return 1
}
# Octal permission bits of a path: k_mode_of [-L] PATH.
k_mode_of() {
  if [ "$1" = -L ]; then k_stat -L "$2"; else k_stat "$1"; fi && printf '%s\n' "$k_sm"
}
# k_mode_want [-L] PATH MODE: the octal mode PATH would have after `chmod MODE`. MODE is
# 4-digit octal (normalized by kiln) or symbolic, which is applied to a scratch copy of the
# current mode in this run's private directory (never under a name another user could
# plant).
# shellcheck disable=SC2086
k_mode_want() {
  k_wl=; if [ "$1" = -L ]; then k_wl=-L; shift; fi
  case $2 in
  *[!0-7]*)
    k_private || return 1
    k_s=$k_tmpd/mode
    rm -rf -- "$k_s"
    if [ -d "$1" ]; then mkdir -- "$k_s"; else : > "$k_s"; fi
    chmod "$(k_mode_of $k_wl "$1")" "$k_s" && chmod "$2" "$k_s" && k_mode_of "$k_s" ;;
  *) printf '%s\n' "$2" ;;
  esac
}
# k_attrs_ok [-L] PATH MODE OWNER GROUP: whether PATH has MODE, OWNER and GROUP (an empty
# one is not checked). A symbolic link at PATH is checked as itself, or with -L as the
# file it points to: the same file `k_attrs` with the same option changes.
# shellcheck disable=SC2086
k_attrs_ok() {
  k_al=; if [ "$1" = -L ]; then k_al=-L; shift; fi
  if [ -n "$2" ] && [ "$(k_mode_of $k_al "$1")" != "$(k_mode_want $k_al "$1" "$2")" ]; then return 1; fi
  [ -z "$k_al" ] || k_al=-H
  if [ -n "$3" ] && [ -z "$(find $k_al "$1" -prune -user "$3" 2>/dev/null)" ]; then return 1; fi
  if [ -n "$4" ] && [ -z "$(find $k_al "$1" -prune -group "$4" 2>/dev/null)" ]; then return 1; fi
  return 0
}
# k_attrs [-L] PATH MODE OWNER GROUP: sets them. Owner and group go on a symbolic link at
# PATH itself (`-h`), or with -L on the file it points to; chmod always follows a link (a
# link has no mode of its own), so a MODE for a path that may be a link wants -L.
# shellcheck disable=SC2086
k_attrs() {
  k_ah=-h; if [ "$1" = -L ]; then k_ah=; shift; fi
  if [ -n "$3" ]; then chown $k_ah -- "$3" "$1" || return 1; fi
  if [ -n "$4" ]; then chgrp $k_ah -- "$4" "$1" || return 1; fi
  if [ -n "$2" ]; then chmod -- "$2" "$1" || return 1; fi
}
# k_tree_modes_ok DIR MODE: whether `chmod -R MODE DIR` would change nothing under DIR
# (links are passed by, as chmod -R does). For a symbolic MODE the mode wanted depends on
# each entry's type (`X`) and current mode (`+`, `-`), so each distinct (type, mode) pair
# in the tree is worked out once, with `k_mode_want` on a scratch entry of that type. A
# name containing a newline can only add lines to the listing: at worst the tree is
# reported as differing, never as matching when it does not.
k_tree_modes_ok() {
  k_tm=$(find "$1" ! -type l -exec ls -lnd -- {} + 2>/dev/null |
    awk "$k_awk_perm"'$1 ~ /^[-dbcps]/ { printf "%s:%04o\n", substr($1, 1, 1) == "d" ? "d" : "f", k_perm($1) }' |
    sort -u) && [ -n "$k_tm" ] && k_private || return 1
  k_tx=$k_tmpd/tree
  for k_te in $k_tm; do
    rm -rf -- "$k_tx"
    if [ "${k_te%:*}" = d ]; then mkdir -- "$k_tx"; else : > "$k_tx"; fi
    chmod "${k_te#*:}" "$k_tx" && [ "$(k_mode_want "$k_tx" "$2")" = "${k_te#*:}" ] || return 1
  done
}
# k_split PATH: k_pd is PATH's directory, as `dirname` prints it, without a process (a
# file op would spend one on it).
k_split() {
  k_pp=$1
  while [ "$k_pp" != / ] && [ "${k_pp%/}" != "$k_pp" ]; do k_pp=${k_pp%/}; done
  case $k_pp in
  */*) k_pd=${k_pp%/*}; [ -n "$k_pd" ] || k_pd=/ ;;
  *) k_pd=. ;;
  esac
}
# k_keep_attrs OLD NEW MODE OWNER GROUP: NEW, about to replace the file OLD, keeps OLD's
# mode unless MODE is given, and (as root) its owner and group unless OWNER or GROUP is.
# A NEW file with no OLD to follow gets the mode the umask gives (mktemp made it 0600).
k_keep_attrs() {
  if [ ! -e "$1" ] || [ -L "$1" ]; then
    [ -n "$3" ] || chmod "$(k_umask_mode)" "$2"
    return
  fi
  if [ -n "$3" ] && [ -n "$4$5" ]; then return 0; fi
  k_stat "$1" || return 1
  [ -n "${k_uid-}" ] || k_uid=$(id -u)
  # chown first: it clears setuid and setgid bits that chmod sets.
  if [ -z "$4$5" ] && [ "$k_uid" = 0 ]; then chown "$k_so" "$2" || return 1; fi
  if [ -z "$3" ]; then chmod "$k_sm" "$2" || return 1; fi
}
# The mode a new file gets from the umask (0666 without the umask's bits), asked once.
k_umask_mode() {
  if [ -z "${k_um-}" ]; then
    k_uu=$(umask)
    k_uu=${k_uu#"${k_uu%???}"} k_um=0
    while [ -n "$k_uu" ]; do
      k_um=$k_um$((6 & ~${k_uu%"${k_uu#?}"})) k_uu=${k_uu#?}
    done
  fi
  printf '%s\n' "$k_um"
}
# --- private files -------------------------------------------------------------------------
# Nothing kiln writes for itself has a name that another user could plant first: scratch
# files live in k_tmpd, this shell's private directory, and a temporary file beside a
# destination (for the atomic rename) has a name no one can predict and is made exclusively.
#
# k_private: makes k_tmpd (mode 0700, a name no one can predict) on first use, under
# $TMPDIR when that is safe, else /tmp; it is removed when the shell that made it exits or
# is ended by HUP, INT or TERM. A subshell that makes its own removes it as it ends.
k_private() {
  [ -z "${k_tmpd-}" ] || return 0
  k_tb=/tmp
  if [ -n "${TMPDIR-}" ] && [ "$TMPDIR" != /tmp ]; then
    if k_safe_dir "$TMPDIR"; then
      k_tb=$TMPDIR
    else
      k_err "TMPDIR ($TMPDIR) is writable by other users or owned by one: using /tmp"
    fi
  fi
  if ! k_tmpd=$(umask 077; mktemp -d "$k_tb/kiln.XXXXXXXXXX" 2>/dev/null); then
    # Without mktemp: a random name, and mkdir is exclusive (it refuses a name that
    # exists, a link too), so a name another user took first is passed over, never used.
    k_tn=0
    until k_tmpd=$k_tb/kiln.$(k_random) && mkdir -m 700 -- "$k_tmpd" 2>/dev/null; do
      k_tn=$((k_tn + 1))
      if [ "$k_tn" -ge 10 ]; then k_tmpd=; k_err "cannot make a private directory in $k_tb"; return 1; fi
    done
  fi
  trap 'rm -rf -- "$k_tmpd"' EXIT
  trap 'exit 129' HUP
  trap 'exit 130' INT
  trap 'exit 143' TERM
}
# Whether DIR is safe for private directories: owned by root or by whoever runs this, and
# not writable by others unless sticky (as /tmp is).
k_safe_dir() {
  [ -d "$1" ] && k_stat "$1/." || return 1
  [ -n "${k_uid-}" ] || k_uid=$(id -u)
  case ${k_so%%:*} in 0 | "$k_uid") ;; *) return 1 ;; esac
  case $k_sm in [1357]??? | ?[0-7][0145][0145]) return 0 ;; esac
  return 1
}
# k_tmp_beside DIR: k_tmp, a new empty file in DIR with a name no one can predict (and
# short, whatever the length of the name it will replace), made exclusively, mode 0600.
k_tmp_beside() {
  case $1 in /*) k_td=$1 ;; *) k_td=./$1 ;; esac
  k_tmp=$(mktemp "$k_td/.kiln.XXXXXXXXXX" 2>/dev/null) && return 0
  # Without mktemp: a random name, taken only if nothing is there (noclobber opens an
  # absent name exclusively), and only when what was made is a plain file.
  k_tn=0
  while :; do
    k_tmp=$k_td/.kiln.$(k_random) || return 1
    if [ ! -e "$k_tmp" ] && [ ! -L "$k_tmp" ] && (umask 077; set -C; : > "$k_tmp") 2>/dev/null &&
      [ -f "$k_tmp" ] && [ ! -L "$k_tmp" ]; then
      return 0
    fi
    k_tn=$((k_tn + 1))
    if [ "$k_tn" -ge 10 ]; then k_err "cannot make a temporary file in $1"; return 1; fi
  done
}
# Sixteen random hex digits (for names where mktemp is missing).
k_random() {
  od -An -N8 -tx1 /dev/urandom 2>/dev/null | tr -d ' \n' | grep . ||
    { k_err "cannot make a random name: no mktemp, and /dev/urandom cannot be read"; return 1; }
}
# k_fill TMP DEST MODE OWNER GROUP CMD...: TMP (made by k_tmp_beside) gets its final mode
# and owner (DEST's, unless given), then what CMD prints. The file is open before its mode
# is set, so a mode without write permission does not stop the write, and no content is
# ever in a file with looser permissions than the final ones. (Only names are read, not
# the file: SC2094 does not apply.)
# shellcheck disable=SC2094
k_fill() {
  k_nt=$1 k_nd=$2 k_nm=$3 k_nw=$4 k_ng=$5
  shift 5
  { k_keep_attrs "$k_nd" "$k_nt" "$k_nm" "$k_nw" "$k_ng" && k_attrs "$k_nt" "$k_nm" "$k_nw" "$k_ng" &&
    "$@" >&3; } 3> "$k_nt"
}
# k_rename TMP DEST: renames TMP over DEST (a link at DEST is replaced, not followed);
# TMP is removed when that fails.
k_rename() {
  if [ -L "$2" ] && ! rm -f -- "$2"; then rm -f -- "$1"; return 1; fi
  mv -f -- "$1" "$2" || { rm -f -- "$1"; return 1; }
}
# Writes standard input to DEST atomically: a new private file beside DEST gets its mode
# and owner, then the content, then is renamed over DEST. A failure leaves DEST as it was.
# k_write DEST MODE OWNER GROUP
k_write() {
  # `mv` onto a directory (or a link to one) would move the file into it.
  if [ -d "$1" ] && [ ! -L "$1" ]; then k_err "$1 is a directory"; return 1; fi
  k_split "$1"
  k_tmp_beside "$k_pd" || return 1
  k_wt=$k_tmp
  if ! k_fill "$k_wt" "$1" "$2" "$3" "$4" cat; then rm -f -- "$k_wt"; return 1; fi
  k_rename "$k_wt" "$1"
}
# k_print VALUE: VALUE and a newline on standard output, always from a builtin: secrets go
# out this way, and an external printf (mksh's) would show them in its arguments to `ps`.
k_print() {
  if k_use_print; then print -r -- "$1"; else printf '%s\n' "$1"; fi
}
# k_bytes FORMAT: the bytes of one line of a file's content (see kiln's shell::content:
# `\ddd` octal escapes, `%%`, `\n`, `\t`; a backslash is always `\134`), from a builtin.
# mksh's print wants `\0ddd` for an octal byte.
k_bytes() {
  if k_use_print; then
    k_bf=$1
    eval 'k_bf=${k_bf//%%/%}
      for k_bd in 0 1 2 3 4 5 6 7; do k_bf=${k_bf//\\$k_bd/\\0$k_bd}; done'
    print -n -- "$k_bf"
  else
    # shellcheck disable=SC2059
    printf "$1"
  fi
}
# Whether printf is not a builtin here but print is (mksh, lksh).
k_use_print() {
  if [ -z "${k_up-}" ]; then
    k_up=0
    case ${KSH_VERSION-} in *KSH*) command -v print >/dev/null 2>&1 && k_up=1 ;; esac
  fi
  [ "$k_up" = 1 ]
}
# Runs shell code as another user: k_as sudo|su USER CODE... The other user's shell reads
# this library and each CODE (joined by newlines) on its standard input, never as an
# argument (which `ps` shows, and the kernel limits to about 128 KB); the last CODE runs with
# /dev/null for input, or data from a function that an earlier CODE defines. With a become
# password (live runs: KILN_BECOME_PASS, a variable of this script, never exported, never
# written anywhere) sudo gets it on standard input ahead of the code, and only when it asks
# for one (sudo reads it byte by byte, up to the newline). util-linux su reads its password
# in blocks, so it gets the password alone on standard input and the code comes round it on
# descriptor 3, and the code's standard error on descriptor 4 (su's own goes to /dev/null,
# which silences its prompt; k_become_check has already said whether su accepts it).
k_as() {
  k_ah=$1 k_au=$2
  shift 2
  if [ "$(id -un)" = "$k_au" ]; then
    (for k_ac in "$@"; do eval "$k_ac" || exit; done) </dev/null
    return
  fi
  case $k_ah in
  sudo)
    if [ -z "${KILN_BECOME_PASS-}" ] || sudo -n -u "$k_au" true 2>/dev/null; then
      k_as_code "$@" | sudo -n -H -u "$k_au" -- sh -s
    else
      { k_print "$KILN_BECOME_PASS"; k_as_code "$@"; } | sudo -S -p '' -H -u "$k_au" -- sh -s
    fi ;;
  su)
    if [ -z "${KILN_BECOME_PASS-}" ]; then
      k_as_code "$@" | su -s /bin/sh "$k_au" -c 'exec sh -s'
    else
      { k_as_code "$@" | { k_print "$KILN_BECOME_PASS" | su -s /bin/sh "$k_au" -c 'exec 2>&4 4>&- <&3 3<&-
exec sh -s' 3<&5 4>&2 5<&- 2>/dev/null; } 5<&0; }
    fi ;;
  esac
}
# The program k_as hands to the other user's shell: this library, then each CODE, the last
# one with its standard input from /dev/null unless it pipes data in itself.
k_as_code() {
  k_print "set -u"
  k_print "$KILN_LIB"
  while [ "$#" -gt 1 ]; do k_print "$1"; shift; done
  k_print "{
$1
} </dev/null"
}
# k_become_check sudo|su USER: with a become password, checks it once before any step
# (scripts end the run when it fails). sudo asks again after a wrong password, and su
# fails every call: without this, each step would count failed logins (and lock the
# account under pam_faillock), and a step's data would be read as further tries.
k_become_check() {
  # Once one check has failed the run, no other password try is made (nor counted).
  if [ "${k_halt-0}" = 1 ] || [ -z "${KILN_BECOME_PASS-}" ] || [ "$(id -un)" = "$2" ]; then return 0; fi
  case $1 in
  sudo)
    sudo -n -u "$2" true 2>/dev/null && return 0
    k_print "$KILN_BECOME_PASS" | sudo -S -p '' -u "$2" true 2>/dev/null && return 0 ;;
  su) k_print "$KILN_BECOME_PASS" | su -s /bin/sh "$2" -c true 2>/dev/null && return 0 ;;
  esac
  k_err "$1 refused the become password, or cannot run as $2 (from $(id -un)): nothing was done"
  return 1
}
# Fails the run before any step ran: every step is reported not-run.
k_fail_run() { k_failed=$((k_failed + 1)) k_halt=1; }
# k_step INDEX LABEL ORIGIN NOTIFY CHECKS IGNORE RETRIES DELAY PROBE ACT DIFF
# CHECKS says what PROBE checks; the probe runs again after ACT, and must hold then, unless
# CHECKS is empty. After a failure (k_halt) no step runs: each is reported not-run. In a
# live run (KILN_MARK set) the step is announced and timed, and its standard error is kept
# in the run's private directory and passed on after it, marked as the step's own, on
# standard output: one stream, so kiln reads it with the step it belongs to.
k_step() {
  k_i=$1 k_label=$2 k_origin=$3
  if [ "$k_halt" = 1 ]; then k_not_run "$1" "$2" "$3"; return 0; fi
  if [ -z "${KILN_MARK-}" ]; then k_step_run "$@"; return; fi
  printf '%sbegin %s %s\n' "$KILN_MARK" "$k_i" "$k_label"
  if ! k_private 2>/dev/null; then k_step_run "$@"; return; fi
  # A name per step: a command left running in the background writes into its own.
  k_se=$k_tmpd/stderr.$k_i
  k_step_run "$@" 2> "$k_se"
  k_sr=$?
  # Most steps print nothing on standard error: no process for them. The file goes with
  # the private directory at the end of the run.
  if [ -s "$k_se" ]; then K_M=$KILN_MARK awk '{ print ENVIRON["K_M"] "stderr " $0 }' "$k_se"; fi
  return "$k_sr"
}
k_step_run() {
  if "$9"; then k_ok=$((k_ok + 1)); k_say ok "$k_i" "$k_label" "$k_origin"; return 0; fi
  if [ "$k_mode" = check ]; then k_plan_change "$4" "${11}"; return; fi
  k_try=0
  while :; do
    k_rechecked=0
    if "${10}"; then
      if [ -z "$5" ] || "$9"; then
        k_changed=$((k_changed + 1)); k_say changed "$k_i" "$k_label" "$k_origin"; k_notify "$4"; return 0
      fi
      k_rechecked=1
    fi
    [ "$k_try" -ge "$7" ] && break
    k_try=$((k_try + 1)); sleep "$8"
  done
  if [ "$6" = 1 ]; then
    k_ignored=$((k_ignored + 1)); k_say failed-ignored "$k_i" "$k_label" "$k_origin"
  else
    k_failed=$((k_failed + 1)) k_halt=1; k_say failed "$k_i" "$k_label" "$k_origin"
  fi
  # The act succeeded and yet the state is not there: say what is checked, and what
  # still differs.
  if [ "$k_rechecked" = 1 ]; then
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
  k_dd=
  if [ -n "$2" ] && ! k_dd=$("$2" 2>&1); then
    k_dd=${k_dd#kiln: }
    if [ "$k_changed" -gt 0 ]; then
      k_changed=$((k_changed + 1)); k_say would-change "$k_i" "$k_label" "$k_origin"
      k_note "depends on an earlier change${k_dd:+: $k_dd}"
      k_notify "$1"
    else
      k_failed=$((k_failed + 1)); k_say would-fail "$k_i" "$k_label" "$k_origin"
      k_note "${k_dd:-cannot tell what would change}"
    fi
    return 0
  fi
  k_changed=$((k_changed + 1)); k_say would-change "$k_i" "$k_label" "$k_origin"
  if [ -n "$k_dd" ]; then k_print "$k_dd" | sed 's/^/    /'; fi
  k_notify "$1"
}
k_skip() {
  if [ "$k_halt" = 1 ]; then k_not_run "$1" "$2" "$3"; return 0; fi
  k_skipped=$((k_skipped + 1)); k_say skipped "$1" "$2" "$3"
}
k_not_run() { k_notrun=$((k_notrun + 1)); k_say not-run "$1" "$2" "$3"; }
k_notify() { for k_h in $1; do eval "k_notified_$k_h=1"; done; }
k_notified() { eval "[ \"\${k_notified_$1:-0}\" = 1 ]"; }
k_begin() {
  k_mode=apply k_detailed=0 k_ok=0 k_changed=0 k_failed=0 k_skipped=0 k_ignored=0 k_notrun=0
  k_halt=0
  # Asked once here, not by every write (steps run in subshells, which cannot keep it).
  k_uid=$(id -u)
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
  k_nr=; [ "$k_notrun" = 0 ] || k_nr=", $k_notrun not run"
  printf '%skiln: %s ok, %s %s, %s failed, %s skipped%s\n' "${KILN_MARK-}" "$k_ok" "$k_changed" "$k_what" "$((k_failed + k_ignored))" "$k_skipped" "$k_nr"
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
# Facts gathered on the host (k_facts holds the probe's key=value lines). A value loses
# the white space around it, as `facts::parse` does.
k_fact() {
  printf '%s\n' "${k_facts-}" | K_K=$1 awk '{
    i = index($0, "=")
    if (substr($0, 1, i - 1) == ENVIRON["K_K"]) {
      v = substr($0, i + 1); sub(/^[ \t\n\f\r]+/, "", v); sub(/[ \t\n\f\r]+$/, "", v)
      print v; exit
    } }'
}
# Whether the host has the fact KEY; if not, says so (a `when` that uses it cannot be
# decided: minijinja's strict undefined is an error, and so is this).
k_fact_need() {
  case "
${k_facts-}" in *"
$1="*) return 0 ;; esac
  k_err "this host has no fact $1, which a when condition uses"
  return 1
}
# Whether ITEM is in LIST, a list fact (comma-separated; its empty items do not count).
k_in_list() { [ -n "$1" ] && case ",$2," in *,"$1",*) return 0 ;; esac; return 1; }
# Whether a list fact has an item.
k_list_any() { case $1 in *[!,]*) return 0 ;; esac; return 1; }
# The `else` of a step's `when` decided on the host, given the condition's status: 1
# skips the step, 2 (the condition could not be decided) fails it; after a failure, the
# step is not-run either way.
k_when_else() {
  if [ "$1" = 2 ] && [ "$k_halt" = 0 ]; then
    k_failed=$((k_failed + 1)) k_halt=1; k_say failed "$2" "$3" "$4"; return 1
  fi
  k_skip "$2" "$3" "$4"
}
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
# Whether PATH is not a symbolic link and is the same file as TARGET (a hard link to it).
# `test -ef` is POSIX since 2024 and in every shell kiln supports; shellcheck predates it.
# shellcheck disable=SC3013
k_same_file() { [ ! -L "$1" ] && [ "$1" -ef "$2" ]; }
# Whether TARGET exists as a symbolic link at PATH would resolve it (a relative TARGET
# from PATH's directory): k_link_target PATH TARGET.
k_link_target() {
  case $2 in
  /*) [ -e "$2" ] ;;
  *) k_split "$1"; [ -e "$k_pd/$2" ] ;;
  esac
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
  if [ "$3" = 1 ]; then ln -s -- "$2" "$1"; else k_hard_target "$2" && ln -- "$k_ht" "$1"; fi
}
# k_hard_target TARGET: k_ht, what a hard link to TARGET links: TARGET, or when it is a
# symbolic link the file it resolves to (Ansible's `follow: true`). `ln` would otherwise
# make a second name for the link itself (GNU ln's default, busybox's only way), which
# `k_same_file` rightly never takes for the file. `realpath` is POSIX since 2024; older
# systems have `readlink -f`. The `.` keeps a name's own trailing newlines.
k_hard_target() {
  k_ht=$1
  [ -L "$1" ] || return 0
  k_ht=$(realpath -- "$1" 2>/dev/null && echo .) || k_ht=$(readlink -f -- "$1" && echo .) ||
    { k_err "cannot resolve the symbolic link $1"; return 1; }
  k_ht=${k_ht%?.}
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
# (TIMEOUT in seconds, empty for none; each HEADER is "Name: value"). Headers carry tokens,
# so they never reach an argument: curl reads them on standard input (`-H @-`); wget reads
# settings only from a regular file (`--config`), one in the run's private directory that
# is removed once wget is done.
k_fetch() {
  k_fu=$1 k_fo=$2 k_ft=$3
  shift 3
  if command -v curl >/dev/null 2>&1; then
    if [ "$#" -gt 0 ]; then
      for k_fh in "$@"; do k_print "$k_fh"; done |
        curl -fsSL -H @- ${k_ft:+--max-time "$k_ft"} -o "$k_fo" "$k_fu"
    else
      curl -fsSL ${k_ft:+--max-time "$k_ft"} -o "$k_fo" "$k_fu" </dev/null
    fi
  elif command -v wget >/dev/null 2>&1; then
    if [ "$#" -gt 0 ]; then
      k_private || return 1
      for k_fh in "$@"; do k_print "header = $k_fh"; done > "$k_tmpd/wgetrc"
      wget -q --config="$k_tmpd/wgetrc" ${k_ft:+-T "$k_ft"} -O "$k_fo" "$k_fu" </dev/null
      k_fr=$?
      rm -f -- "$k_tmpd/wgetrc"
      return "$k_fr"
    fi
    wget -q ${k_ft:+-T "$k_ft"} -O "$k_fo" "$k_fu" </dev/null
  else
    k_err "cannot download: neither curl nor wget is installed"; return 1
  fi
}
# Downloads URL to DEST: k_download URL DEST SHA256 MODE OWNER GROUP TIMEOUT [HEADER]...
# The download goes to a new private file next to DEST (with its final mode and owner:
# by default the old file's, as k_write) and must match SHA256 (unless empty); then it is
# renamed over DEST. A failure leaves DEST as it was.
k_download() {
  k_du=$1 k_dd=$2 k_ds=$3 k_dm=$4 k_do=$5 k_dg=$6 k_dt=$7
  shift 7
  if [ -d "$k_dd" ] && [ ! -L "$k_dd" ]; then k_err "$k_dd is a directory"; return 1; fi
  k_split "$k_dd"
  k_tmp_beside "$k_pd" || return 1
  k_dtmp=$k_tmp
  if ! k_fill "$k_dtmp" "$k_dd" "$k_dm" "$k_do" "$k_dg" :; then rm -f -- "$k_dtmp"; return 1; fi
  if ! k_fetch "$k_du" "$k_dtmp" "$k_dt" "$@"; then
    rm -f -- "$k_dtmp"; k_err "cannot download $k_du"; return 1
  fi
  if [ -n "$k_ds" ]; then
    if ! k_dgot=$(k_sha256 "$k_dtmp"); then rm -f -- "$k_dtmp"; return 1; fi
    if [ "$k_dgot" != "$k_ds" ]; then
      rm -f -- "$k_dtmp"; k_err "$k_du has SHA-256 $k_dgot, expected $k_ds"; return 1
    fi
  fi
  k_rename "$k_dtmp" "$k_dd"
}
# --- directory trees (files.sync) ---
# Whether FILE is a regular file (not a link) with the POSIX `cksum` (CRC and size) SUM.
k_cksum_is() {
  command -v cksum >/dev/null 2>&1 || { k_err "cksum is not installed"; return 1; }
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
# Lists (`list`) or removes (`remove`) what is under DIR and not kept: k_extras list|remove
# DIR KEEP. `KEEP REL NAME` (REL is the path under DIR) returns 0 to leave an entry alone, 2
# for a wanted directory to look into, anything else for an extra. Links are never
# followed; an extra directory goes only when everything in it goes.
k_extras() { k_extras_in "$1" "$2" "$3" ''; [ "$?" != 1 ]; }
# k_extras_in MODE DIR KEEP PREFIX: exits 1 on failure, 3 when something under DIR is kept.
k_extras_in() (
  k_kept=0
  for k_e in "$2"/* "$2"/.[!.]* "$2"/..?*; do
    [ -e "$k_e" ] || [ -L "$k_e" ] || continue
    k_n=${k_e##*/}
    "$3" "$4$k_n" "$k_n"
    k_k=$?
    if [ "$k_k" = 0 ] || [ "$k_k" = 2 ]; then
      k_kept=3
      if [ "$k_k" = 2 ] && [ -d "$k_e" ] && [ ! -L "$k_e" ]; then
        k_extras_in "$1" "$k_e" "$3" "$4$k_n/"
        [ "$?" = 1 ] && exit 1
      fi
    elif [ -d "$k_e" ] && [ ! -L "$k_e" ]; then
      k_extras_in "$1" "$k_e" "$3" "$4$k_n/"
      k_k=$?
      if [ "$k_k" = 1 ]; then exit 1; fi
      if [ "$k_k" = 3 ]; then k_kept=3
      elif [ "$1" = list ]; then printf '%s/\n' "$4$k_n"
      else rmdir -- "$k_e" || exit 1
      fi
    elif [ "$1" = list ]; then
      printf '%s\n' "$4$k_n"
    else
      rm -f -- "$k_e" || exit 1
    fi
  done
  exit "$k_kept"
)
# === system ops: packages, services, accounts, waiting (kiln lowering) ===
# --- packages (apt.packages, dnf.packages, ..., package.packages) ---
# Runs CMD with the packages that are not as wanted, if any: k_pkgs WANT TEST CMD... --
# PKG... WANT is 1 when `TEST PKG` must succeed (installed, newest), 0 when it must fail.
k_pkgs() {
  k_pw=$1 k_pt=$2
  shift 2
  k_pn=$# k_pc=1 k_pa=0
  for k_pv in "$@"; do
    if [ "$k_pc" = 1 ]; then
      if [ "$k_pv" = -- ]; then k_pc=0; else set -- "$@" "$k_pv"; fi
    elif "$k_pt" "$k_pv"; then
      [ "$k_pw" = 1 ] || { set -- "$@" "$k_pv"; k_pa=1; }
    else
      [ "$k_pw" = 0 ] || { set -- "$@" "$k_pv"; k_pa=1; }
    fi
  done
  shift "$k_pn"
  [ "$k_pa" = 0 ] || "$@"
}
# Whether every package is as wanted: k_pkgs_ok WANT TEST PKG...
k_pkgs_ok() { k_po=$1 k_pf=$2; shift 2; k_pkgs "$k_po" "$k_pf" false -- "$@"; }
# The CMD of a k_pkgs that ends an act: names the packages still not as wanted, and fails.
k_pkgs_left() { k_err "$*"; return 1; }
# Refreshes the package lists with CMD..., once per step: the probe of an op with `update`
# and `latest` refreshes them to learn what "newest" is, and its act and re-check reuse
# that. Under --check nothing is refreshed: the lists are read as they are.
k_pkgs_refresh() {
  [ "${k_mode-apply}" != check ] || return 0
  if [ -n "${k_i-}" ] && [ "${k_pkgs_fresh-}" = "$k_i" ]; then return 0; fi
  "$@" || return 1
  k_pkgs_fresh=${k_i-}
}
# Prints what k_pkgs would do to PKG...: install (or with LATEST, upgrade) them when WANT is
# 1, remove them when 0. k_pkgs_show WANT HAS LATEST|'' PKG...
k_pkgs_show() {
  k_sw=$1 k_sh=$2 k_sl=$3
  shift 3
  for k_sp in "$@"; do
    if [ "$k_sw" = 0 ]; then
      if "$k_sh" "$k_sp"; then printf 'remove %s\n' "$k_sp"; fi
    elif ! "$k_sh" "$k_sp"; then
      printf 'install %s\n' "$k_sp"
    elif [ -n "$k_sl" ] && ! "$k_sl" "$k_sp"; then
      printf 'upgrade %s\n' "$k_sp"
    fi
  done
}
# Per manager, whether one package is installed (`_has`) and at the newest version known
# (`_latest`). A pinned version (`name=1.2-1`, pip's `name==1.2`) must match exactly.
k_apt_has() {
  k_an=${1%%=*}
  k_an=${k_an%%/*}
  k_ast=$(dpkg-query -W -f='${Status} ${Version}' "$k_an" 2>/dev/null) || return 1
  case $k_ast in *' ok installed '*) ;; *) return 1 ;; esac
  case $1 in *=*) [ "${k_ast##* }" = "${1#*=}" ] ;; esac
}
k_apt_latest() {
  k_apt_has "$1" || return 1
  LC_ALL=C apt-cache policy "$k_an" 2>/dev/null | awk '
    $1 == "Installed:" { i = $2 } $1 == "Candidate:" { c = $2 }
    END { exit !(i != "" && i == c) }'
}
# Whether apt's package lists were refreshed less than SECONDS ago. After each update kiln
# touches the lists directory, which apt itself changes only when a list changed.
k_apt_fresh() {
  [ "$1" -gt 0 ] || return 1
  k_at=$(date -r /var/lib/apt/lists +%s 2>/dev/null) || return 1
  [ $(($(date +%s) - k_at)) -lt "$1" ]
}
k_apt_update() {
  k_apt_fresh "$1" && return 0
  apt-get update -q && touch /var/lib/apt/lists
}
k_rpm_has() { rpm -q --quiet "${1%%[<>=]*}" >/dev/null 2>&1; }
# dnf/yum check-update exits 100 when an update is available.
k_rpm_latest() { k_rpm_has "$2" && { "$1" -q check-update "$2" >/dev/null 2>&1 || [ $? != 100 ]; }; }
k_dnf_latest() { k_rpm_latest dnf "$1"; }
k_yum_latest() { k_rpm_latest yum "$1"; }
k_zypper_latest() {
  k_rpm_has "$1" || return 1
  zypper -n -q list-updates 2>/dev/null | K_P=${1%%[<>=]*} awk -F'|' '
    { gsub(/[ \t]/, "", $3) } $3 == ENVIRON["K_P"] { f = 1 } END { exit f }'
}
k_apk_has() { apk info -e "${1%%[=<>~@]*}" >/dev/null 2>&1; }
k_apk_latest() {
  k_apk_has "$1" && [ -z "$(apk version -l '<' "${1%%[=<>~@]*}" 2>/dev/null | sed 1d)" ]
}
k_pacman_has() { pacman -Q "$1" >/dev/null 2>&1; }
k_pacman_latest() { k_pacman_has "$1" && ! pacman -Qu "$1" >/dev/null 2>&1; }
k_brew_has() { brew list --formula --versions "$1" >/dev/null 2>&1; }
k_brew_latest() { k_brew_has "$1" && [ -z "$(brew outdated --formula --quiet "$1" 2>/dev/null)" ]; }
k_brewcask_has() { brew list --cask --versions "$1" >/dev/null 2>&1; }
k_brewcask_latest() { k_brewcask_has "$1" && [ -z "$(brew outdated --cask --quiet "$1" 2>/dev/null)" ]; }
# pip: `k_pip` holds the pip command. A name is compared as pip does (case, `-_.`).
k_pip_has() {
  k_ppn=$(printf '%s\n' "$1" | sed 's/[][ ;<>=!~@].*//')
  k_ppv=$("${k_pip-pip3}" show "$k_ppn" 2>/dev/null | sed -n 's/^Version: //p')
  [ -n "$k_ppv" ] || return 1
  case $1 in *==*) [ "$k_ppv" = "${1#*==}" ] ;; esac
}
k_pip_latest() {
  k_pip_has "$1" || return 1
  # Columns, after a two-line header (pip 22.3 and later refuse `freeze` with --outdated).
  ! "${k_pip-pip3}" list --outdated --format=columns 2>/dev/null | K_P=$k_ppn awk '
    function norm(s) { s = tolower(s); gsub(/[-_.]+/, "-", s); return s }
    NR > 2 && norm($1) == norm(ENVIRON["K_P"]) { f = 1 } END { exit !f }'
}
# --- services (systemd.service, openrc.service, sysvinit.service, service.service) ---
# Whether the SysV service NAME starts at boot: chkconfig, else an S link in rc2-5.d.
k_sysv_enabled() {
  if command -v chkconfig >/dev/null 2>&1; then chkconfig "$1" 2>/dev/null; return; fi
  for k_sf in /etc/rc[2345].d/S*; do
    [ "${k_sf##*/S[0-9][0-9]}" = "$1" ] && return 0
  done
  return 1
}
# k_sysv_enable NAME 1|0: starts the SysV service NAME at boot, or stops doing so.
k_sysv_enable() {
  if command -v update-rc.d >/dev/null 2>&1; then
    if [ "$2" = 1 ]; then update-rc.d "$1" defaults >/dev/null && update-rc.d "$1" enable
    else update-rc.d "$1" disable; fi
  elif command -v chkconfig >/dev/null 2>&1; then
    if [ "$2" = 1 ]; then chkconfig --add "$1" && chkconfig "$1" on; else chkconfig "$1" off; fi
  else
    k_err "cannot change the boot links of $1: neither update-rc.d nor chkconfig is installed"
    return 1
  fi
}
# --- edited files and accounts (server.*) ---
# Whether standard input is FILE's content (a missing FILE counts as empty).
k_same() { if [ -e "$1" ]; then cmp -s - "$1"; else cmp -s - /dev/null; fi; }
# As k_write, but CHECK... (the new file's path appended) must accept the new content
# before it replaces DEST: k_write_valid DEST MODE OWNER GROUP CHECK...
k_write_valid() {
  k_vd=$1
  if [ -d "$1" ] && [ ! -L "$1" ]; then k_err "$1 is a directory"; return 1; fi
  k_split "$1"
  k_tmp_beside "$k_pd" || return 1
  k_vt=$k_tmp
  if ! k_fill "$k_vt" "$1" "$2" "$3" "$4" cat; then rm -f -- "$k_vt"; return 1; fi
  shift 4
  if ! "$@" "$k_vt"; then rm -f -- "$k_vt"; k_err "$k_vd: the new content is invalid, not installed"; return 1; fi
  k_rename "$k_vt" "$k_vd"
}
# The lines kiln owns in files it does not own whole: each filter below reads a file's
# current content on standard input and prints its desired content. User values reach
# awk in its environment, never in its program nor through -v (which reads backslashes).
# k_filter_file ok|act|diff FILE MODE OWNER GROUP FILTER...: whether FILE (a missing one
# counts as empty) is what FILTER makes of it; writing it (k_write) if not; the diff.
k_filter_file() {
  k_fo=$1 k_ff=$2 k_fm=$3 k_fw=$4 k_fg=$5
  shift 5
  case $k_fo in
  ok) { [ ! -f "$k_ff" ] || cat -- "$k_ff"; } | "$@" | k_same "$k_ff" ;;
  act)
    { [ ! -f "$k_ff" ] || cat -- "$k_ff"; } | "$@" | k_same "$k_ff" && return 0
    { [ ! -f "$k_ff" ] || cat -- "$k_ff"; } | "$@" | k_write "$k_ff" "$k_fm" "$k_fw" "$k_fg" ;;
  diff) { [ ! -f "$k_ff" ] || cat -- "$k_ff"; } | "$@" | k_diffu "$k_ff" ;;
  esac
}
# Lines owned by key: the first line (not a comment) whose key is KEY becomes LINE (or is
# removed when PRESENT is 0), later ones are removed, LINE is appended if none had the key.
# A line's key, by FORMAT: `fstab` its mount point, `sysctl` the name before `=` (`/` read
# as `.`), `words` the whole line with blanks squeezed. k_keyed FORMAT KEY LINE PRESENT
k_keyed() {
  K_F=$1 K_KEY=$2 K_LINE=$3 K_PRESENT=$4 LC_ALL=C awk '
    function key(line,   f) {
      if (ENVIRON["K_F"] == "fstab") { split(line, f, /[ \t]+/); return f[1] == "" ? f[3] : f[2] }
      if (ENVIRON["K_F"] == "sysctl") {
        if (line !~ /=/) return ""
        sub(/^[ \t]*-?/, "", line); sub(/[ \t]*=.*/, "", line); gsub(/\//, ".", line)
        return line
      }
      gsub(/[ \t]+/, " ", line); sub(/^ /, "", line); sub(/ $/, "", line)
      return line
    }
    BEGIN { want = ENVIRON["K_PRESENT"] == "1"; line = ENVIRON["K_LINE"]; k = ENVIRON["K_KEY"] }
    $0 !~ /^[ \t]*#/ && key($0) == k { if (want && !done) print line; done = 1; next }
    { print }
    END { if (want && !done) print line }'
}
# /etc/locale.gen: the line LINE enabled where it is (commented out or not), else appended;
# or, with PRESENT 0, commented out. k_locale_gen LINE PRESENT
k_locale_gen() {
  K_LINE=$1 K_PRESENT=$2 LC_ALL=C awk '
    function key(line) { sub(/^[ \t]*#[ \t]*/, "", line); sub(/[ \t]+$/, "", line); return line }
    BEGIN { line = ENVIRON["K_LINE"]; want = ENVIRON["K_PRESENT"] == "1" }
    key($0) == line {
      if (!want) { print ($0 ~ /^[ \t]*#/ ? $0 : "# " line); next }
      if (!done) print line
      done = 1; next
    }
    { print }
    END { if (want && !done) print line }'
}
# authorized_keys: KEYS (one per line) present (PRESENT 1) or absent. A key is known by its
# base64 blob, so a wanted key in the file with other options or comment is replaced, not
# added twice. Comments and blank lines stay; other keys too, unless EXCLUSIVE is 1.
# k_auth_keys KEYS PRESENT EXCLUSIVE
k_auth_keys() {
  K_KEYS=$1 K_PRESENT=$2 K_EXCLUSIVE=$3 LC_ALL=C awk '
    function blob(line,   n, i, f) {
      n = split(line, f, /[ \t]+/)
      for (i = 1; i < n; i++) if (f[i] ~ /^(ssh-|ecdsa-|sk-)/) return f[i + 1]
      return line
    }
    BEGIN {
      n = split(ENVIRON["K_KEYS"], keys, "\n")
      for (i = 1; i <= n; i++) { wanted[keys[i]] = 1; blobs[blob(keys[i])] = 1 }
      want = ENVIRON["K_PRESENT"] == "1"; only = want && ENVIRON["K_EXCLUSIVE"] == "1"
    }
    /^[ \t]*(#|$)/ { print; next }
    want && ($0 in wanted) && !($0 in done) { print; done[$0] = 1; next }
    blob($0) in blobs { next }
    only { next }
    { print }
    END { if (want) for (i = 1; i <= n; i++) if (!(keys[i] in done)) { print keys[i]; done[keys[i]] = 1 } }'
}
# A crontab entry: with a NAME, the line after the marker `# kiln: NAME` (edited in place,
# the marker kept); without, the line whose job (what follows the schedule) is JOB. It
# becomes LINE, or is removed with PRESENT 0; a missing entry is appended.
# k_cron_entry NAME LINE JOB PRESENT
k_cron_entry() {
  K_NAME=$1 K_LINE=$2 K_JOB=$3 K_PRESENT=$4 LC_ALL=C awk '
    function job(line) {
      if (line ~ /^[ \t]*#/ || line ~ /^[ \t]*$/ || line ~ /^[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*=/) return ""
      if (line ~ /^[ \t]*@/) { sub(/^[ \t]*@[^ \t]+[ \t]+/, "", line); return line }
      if (sub(/^[ \t]*[^ \t]+[ \t]+[^ \t]+[ \t]+[^ \t]+[ \t]+[^ \t]+[ \t]+[^ \t]+[ \t]+/, "", line)) return line
      return ""
    }
    BEGIN {
      name = ENVIRON["K_NAME"]; marker = "# kiln: " name; entry = ENVIRON["K_LINE"]
      cmd = ENVIRON["K_JOB"]; want = ENVIRON["K_PRESENT"] == "1"
    }
    after_marker { after_marker = 0; if (job($0) != "") next }
    name != "" && $0 == marker {
      if (want && !done) { print marker; print entry }
      done = 1; after_marker = 1; next
    }
    name == "" && job($0) == cmd { if (want && !done) print entry; done = 1; next }
    { print }
    END { if (want && !done) { if (name != "") print marker; print entry } }'
}
# k_crontab_entry ok|act|diff USER FILTER...: as k_filter_file, for USER's crontab (read
# with `crontab -l`, installed with `crontab -`).
k_crontab_entry() {
  k_co=$1 k_cw=$2
  shift 2
  k_cc=$(k_crontab "$k_cw" -l 2>/dev/null)
  case $k_co in
  ok) [ "$(k_crontab_now | "$@")" = "$k_cc" ] ;;
  act)
    [ "$(k_crontab_now | "$@")" = "$k_cc" ] && return 0
    k_crontab_now | "$@" | k_crontab "$k_cw" - ;;
  diff)
    k_private || return 1
    k_crontab_now | "$@" > "$k_tmpd/crontab"
    k_crontab_now | diff -u - "$k_tmpd/crontab" | sed '1,2d' ;;
  esac
}
k_crontab_now() { [ -z "$k_cc" ] || printf '%s\n' "$k_cc"; }
# An entry of the passwd, group or shadow database: getent, else the file.
k_getent() {
  if command -v getent >/dev/null 2>&1; then getent "$1" "$2"; return; fi
  K_K=$2 awk -F: '$1 == ENVIRON["K_K"] { print; f = 1; exit } END { exit !f }' "/etc/$1"
}
# Field N of a colon-separated database entry: k_field ENTRY N (a shadow entry's hash
# too: no process sees it).
k_field() {
  k_fe=$1 k_fn=$2
  while [ "$k_fn" -gt 1 ]; do
    case $k_fe in *:*) k_fe=${k_fe#*:} ;; *) k_fe= ;; esac
    k_fn=$((k_fn - 1))
  done
  k_print "${k_fe%%:*}"
}
# A group's name, given its name or number.
k_group_name() {
  if k_gl=$(k_getent group "$1") && [ -n "$k_gl" ]; then k_field "$k_gl" 1; else printf '%s\n' "$1"; fi
}
# Whether USER's supplementary groups are exactly GROUP... (with APPEND=1: include them):
# k_groups_ok USER APPEND GROUP...
k_groups_ok() {
  k_gu=$1 k_ga=$2
  shift 2
  k_gp=$(id -gn "$k_gu") || return 1
  k_gh=$(id -Gn "$k_gu" | tr ' ' '\n' | grep -vxF -e "$k_gp" | sort -u)
  k_gw=$(for k_g in "$@"; do k_group_name "$k_g"; done | grep -vxF -e "$k_gp" | sort -u)
  if [ "$k_ga" = 1 ]; then
    [ -z "$(printf '%s\n' "$k_gh" "$k_gh" "$k_gw" | sort | uniq -u)" ]
  else
    [ "$k_gh" = "$k_gw" ]
  fi
}
# Runs CMD... as USER (empty: as is), through sudo when installed, else su.
k_run_as() {
  k_ru=$1
  shift
  if [ -z "$k_ru" ] || [ "$(id -un)" = "$k_ru" ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n -H -u "$k_ru" -- "$@"
  else su -s /bin/sh -- "$k_ru" -c 'exec "$0" "$@"' "$@"
  fi
}
# crontab for USER (empty: whoever runs this): k_crontab USER ARG...
k_crontab() {
  k_cu=$1
  shift
  if [ -z "$k_cu" ] || [ "$(id -un)" = "$k_cu" ]; then crontab "$@"; else crontab -u "$k_cu" "$@"; fi
}
# Whether the mount point (as /proc/mounts writes it, spaces as \040) is mounted.
k_mounted() { K_P=$1 awk '$2 == ENVIRON["K_P"] { f = 1 } END { exit !f }' /proc/mounts 2>/dev/null; }
# Whether the kernel module NAME (with `_`, as the kernel names it) is loaded or built in.
k_module_loaded() {
  [ -d "/sys/module/$1" ] && return 0
  K_M=$1 awk '{ n = $0; sub(/.*\//, "", n); sub(/\.ko.*$/, "", n); gsub(/-/, "_", n) }
    n == ENVIRON["K_M"] { f = 1 } END { exit !f }' "/lib/modules/$(uname -r)/modules.builtin" 2>/dev/null
}
# --- waiting (server.wait) ---
# Runs CMD... (its output discarded) every INTERVAL seconds until it succeeds, for at most
# TIMEOUT seconds: k_wait TIMEOUT INTERVAL CMD...
k_wait() {
  k_wt=$1 k_wi=$2 k_ws=0
  shift 2
  until "$@" >/dev/null 2>&1; do
    if [ "$k_ws" -ge "$k_wt" ]; then k_err "still waiting after ${k_wt}s: giving up"; return 1; fi
    sleep "$k_wi"
    k_ws=$((k_ws + k_wi))
  done
}
k_not() { ! "$@"; }
# Whether a TCP port accepts connections: with nc, else (for this host) from the kernel's
# table of listening sockets. k_port_open HOST PORT
k_port_open() {
  if command -v nc >/dev/null 2>&1; then nc -z -w 2 "$1" "$2" >/dev/null 2>&1; return; fi
  k_pp=$(printf '%04X' "$2")
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | K_P=$k_pp awk '
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
# === end of system ops ===
# --- line edits (files.line, files.block, files.replace) ---
# k_edit VERB PATH MISSING MODE OWNER GROUP BACKUP FN [ARG]...
# `FN ARG...` (k_line, k_block, k_replace) prints PATH's desired content, computed from the
# file $k_src. VERB `ok` succeeds when PATH already has it (and MODE, OWNER, GROUP); `act`
# writes it atomically with k_write (after a timestamped copy when BACKUP is 1); `diff`
# prints a unified diff to it. A symbolic link is followed: its target is edited. A missing
# PATH is MISSING: `empty` (an empty file, created only if the edit adds something), `fail`,
# or `fail-create` (fail, pointing at `create = true`).
k_edit() {
  k_ev=$1 k_ep=$2 k_em=$4 k_eo=$5 k_eg=$6 k_eb=$7
  k_en=0
  while [ -L "$k_ep" ]; do
    k_en=$((k_en + 1))
    if [ "$k_en" -gt 40 ]; then k_edit_err "$2: too many levels of symbolic links"; return 1; fi
    # A link another user owns is never followed (see k_follows).
    if ! k_follows "$k_ep" 2>/dev/null; then
      k_edit_err "$2: $k_ep is a symbolic link owned by user ${k_so%%:*}: not following it"; return 1
    fi
    k_et=$(readlink -- "$k_ep" && echo .) || return 1
    k_et=${k_et%?.}
    case $k_et in
    /*) k_ep=$k_et ;;
    *) k_split "$k_ep"; k_ep=$k_pd/$k_et ;;
    esac
  done
  k_src=$k_ep
  if [ -d "$k_ep" ]; then
    k_edit_err "$2 is a directory, not a file"; return 1
  elif [ -e "$k_ep" ]; then
    if [ ! -f "$k_ep" ]; then k_edit_err "$2 is not a regular file"; return 1; fi
  else
    case $3 in
    empty) k_src=/dev/null ;;
    fail-create) k_edit_err "$2 does not exist (create = true creates it)"; return 1 ;;
    *) k_edit_err "$2 does not exist"; return 1 ;;
    esac
  fi
  # Whether the last line lacks its newline (awk cannot tell). The `.` keeps a last
  # newline from being stripped by the command substitution.
  k_noeol=0
  if [ -s "$k_src" ]; then
    k_last=$(tail -c 1 -- "$k_src"; echo .)
    [ "$k_last" = "
." ] || k_noeol=1
  fi
  shift 7
  case $k_ev in
  ok)
    k_eop=check
    "$@" 2>/dev/null || return 1
    [ "$k_src" = /dev/null ] || k_attrs_ok "$k_ep" "$k_em" "$k_eo" "$k_eg" ;;
  diff)
    # An edit that fails says why, rather than showing a diff to nothing.
    k_eop=check
    "$@"
    [ "$?" -lt 2 ] || return 1
    k_eop=want
    "$@" | k_diffu "$k_ep" ;;
  act)
    k_eop=want
    k_split "$k_ep"
    k_ed=$k_pd
    if [ "$k_src" = /dev/null ]; then mkdir -p -- "$k_ed" || return 1; fi
    # The edit writes straight into a new private file beside PATH, renamed over it only
    # when the edit succeeded: a failed edit never reaches PATH.
    k_tmp_beside "$k_ed" || return 1
    k_et=$k_tmp
    if ! k_fill "$k_et" "$k_ep" "$k_em" "$k_eo" "$k_eg" "$@"; then rm -f -- "$k_et"; return 1; fi
    if [ "$k_eb" = 1 ] && [ -f "$k_ep" ] && ! k_backup "$k_ep"; then rm -f -- "$k_et"; return 1; fi
    k_rename "$k_et" "$k_ep" ;;
  esac
}
# A copy of FILE as it is now, beside it, named FILE.TIMESTAMP~ (Ansible's backup
# naming): a hard link to the file that is about to be replaced by a rename, so the backup
# keeps its content, mode and owner without a copy; a new name, never written through.
k_backup() {
  k_bn=$1.$(date +%Y%m%d%H%M%S)~
  if [ -e "$k_bn" ] || [ -L "$k_bn" ]; then k_err "$k_bn is in the way of the backup"; return 1; fi
  ln -- "$1" "$k_bn" 2>/dev/null || { k_tmp_beside "${1%/*}" && cp -p -- "$1" "$k_tmp" && mv -f -- "$k_tmp" "$k_bn"; }
}
k_edit_err() { [ "$k_ev" = ok ] || k_err "$1"; }
# Runs the awk PROGRAM over $k_src. Values reach awk in the environment, never as
# program text.
k_edit_awk() {
  K_SRC=$k_src K_NOEOL=$k_noeol K_OP=$k_eop K_PATH=$k_ep LC_ALL=C awk "$1" "$k_src"
}
# The frame every edit shares. Per line: body[i] (without its `\r`), term[i] (`\r\n`, `\n`,
# or for a last line without newline `\r` or nothing). The op's edit() calls put(TEXT,
# TERMINATOR) for each line of the result; a line written after an unterminated last line
# first ends it, and o[] collects the result. Check mode exits 0 when nothing changes,
# else 1; want mode prints the result; an error exits 2.
#
# Regular expressions are kiln's translation of the manifest's (src/regex): POSIX EREs
# whose UTF-8 byte classes are markers that rx_bytes() turns into bytes. rx_load() reads
# a matcher program (src/regex/program.rs), at the start the one in K_RX, and a
# replacement from K_REPL;
# rx_find() finds Python's leftmost-first match with it, rx_sub() replaces every match
# (re.sub), rx_expand() expands the replacement for the last match found.
k_awk_edit='
function put(s, t) {
  if (open) o[no] = o[no] (lastt == "\r" ? "\n" : eol)
  o[++no] = s t; lastt = t; open = (t !~ /\n$/)
}
function fix(t) { return t ~ /\n$/ ? t : (t == "\r" ? "\r\n" : eol) }
function keep(  i) { for (i = 1; i <= n; i++) put(body[i], term[i]); return 1 }
function fail(m) { print "kiln: " ENVIRON["K_PATH"] ": " m | "cat 1>&2"; close("cat 1>&2"); return 0 }
function where(at, after, first,  i, hit) {
  at = rx_bytes(at)
  for (i = 1; i <= n; i++) if (body[i] ~ at) { hit = i; if (first) break }
  if (!hit) return n
  return after ? hit : hit - 1
}
function rx_range(a, b) { return sprintf("%c", a) "-" sprintf("%c", b) }
function rx_bytes(s) {
  gsub(/\001L2/, "[" rx_range(192, 223) "]", s); gsub(/\001L3/, "[" rx_range(224, 239) "]", s)
  gsub(/\001L4/, "[" rx_range(240, 247) "]", s); gsub(/\001C/, "[" rx_range(128, 191) "]", s)
  gsub(/\001H/, rx_range(128, 255), s)
  return s
}
function rx_load(program,  r, f, i) {
  split(program, r, "\n"); split(r[1], f, " ")
  rxpre = f[1]; rxanch = f[2]; rxn = f[3]; rxany = rx_bytes(r[2])
  for (i = 1; i <= rxn; i++) {
    rxk[i] = r[4 * i - 1]; rxw[i] = rx_bytes(r[4 * i]); rxf[i] = rx_bytes(r[4 * i + 1]); rxt[i] = rx_bytes(r[4 * i + 2])
  }
}
function rx_find(from,  p) {
  # Each start is tried anchored: mawk 1.3.4 can report a later start than the leftmost
  # when alternatives overlap, so match() is not asked where a match begins.
  for (p = from; p <= rxlen + 1; p++) {
    if (rxanch && p > 1) return 0
    if (rxpre == "n" && p > 1 && substr(rxs, p - 1, 1) ~ /[0-9A-Z_a-z]/) continue
    if (rxpre == "w" && (p == 1 || substr(rxs, p - 1, 1) !~ /[0-9A-Z_a-z]/)) continue
    if (substr(rxs, p) ~ rxt[1]) { split("", rxgs); split("", rxge); rxm = p; rxq = rx_at(1, p); return p }
  }
  return 0
}
function rx_at(i, p,  f, c, l, q) {
  split(rxk[i], f, " ")
  if (f[1] == "l") {
    # From the longest text down: the first the leaf matches whole that leaves the rest a
    # match (every length is asked: the RLENGTH of match() is not trusted, as above).
    for (l = rxlen - p + 1; l > 0; l--) if (substr(rxs, p, l) ~ rxw[i] && substr(rxs, p + l) ~ rxf[i]) break
    return l > 0 ? p + l : p
  }
  if (f[1] == "g") { q = rx_at(f[4], p); rxgs[f[2]] = p; rxge[f[2]] = q; return q }
  if (f[1] == "a") {
    for (c = 4; c < 4 + f[3]; c++) if (substr(rxs, p) ~ rxt[f[c]]) return rx_at(f[c], p)
    return p
  }
  q = p
  for (c = 4; c < 4 + f[3]; c++) q = rx_at(f[c], q)
  return q
}
function rx_expand(  i, g, out) {
  out = ""
  for (i = 1; i <= rxrn; i++) {
    if (substr(rxr[i], 1, 1) == "T") { out = out substr(rxr[i], 2); continue }
    g = substr(rxr[i], 2) + 0
    if (g == 0) out = out substr(rxs, rxm, rxq - rxm)
    else if (g in rxgs) out = out substr(rxs, rxgs[g], rxge[g] - rxgs[g])
  }
  return out
}
function rx_search(s) { rxs = s; rxlen = length(s); return s ~ rxany && rx_find(1) }
function rx_sub(s,  out, p) {
  if (s !~ rxany) return s
  rxs = s; rxlen = length(s); out = ""; p = 1
  while (p <= rxlen && rx_find(p)) { out = out substr(s, p, rxm - p) rx_expand(); p = rxq }
  return out substr(s, p)
}
BEGIN { n = 0; if (ENVIRON["K_RX"] != "") rx_load(ENVIRON["K_RX"]); rxrn = split(ENVIRON["K_REPL"], rxr, "\n") }
{
  cr = ""; if (sub(/\r$/, "")) cr = "\r"
  body[NR] = $0; term[NR] = cr "\n"; n = NR
}
END {
  if (n && ENVIRON["K_NOEOL"] == "1") term[n] = cr
  eol = (n && term[1] ~ /^\r/) ? "\r\n" : "\n"
  no = 0
  if (!edit()) exit 2
  # Both sides split after each newline, so equal lines mean equal bytes.
  if (ENVIRON["K_OP"] == "check") {
    if (no != n) exit 1
    for (i = 1; i <= n; i++) if (o[i] != body[i] term[i]) exit 1
    exit 0
  }
  for (i = 1; i <= no; i++) printf "%s", o[i]
}
'
# files.line: k_line LINE REGEXP PRESENT FIRST WHERE ANCHOR [PROGRAM REPLACEMENT]. REGEXP
# and ANCHOR are EREs; WHERE is bof, eof, after or before (the last line, or FIRST,
# matching ANCHOR; eof when none does). With PROGRAM (for back-references: REGEXP's
# matcher program, and LINE as a replacement), a matching line becomes the REPLACEMENT
# expanded from its first match.
k_line() (
  K_LINE=$1 K_RE=$2 K_PRESENT=$3 K_FIRST=$4 K_WHERE=$5 K_AT=$6 K_RX=${7-} K_REPL=${8-}
  export K_LINE K_RE K_PRESENT K_FIRST K_WHERE K_AT K_RX K_REPL
  k_edit_awk "$k_awk_edit$k_awk_line"
)
k_awk_line='
function edit(  line, re, i, e, rep, done, pos, from, step, w, backrefs) {
  line = ENVIRON["K_LINE"]; re = rx_bytes(ENVIRON["K_RE"]); backrefs = ENVIRON["K_RX"] != ""
  if (ENVIRON["K_PRESENT"] != "1") {
    for (i = 1; i <= n; i++) if (re != "" ? body[i] !~ re : body[i] != line) put(body[i], term[i])
    return 1
  }
  # Replace the last (first) match; when the new line no longer matches, the next one too:
  # where repeated runs would end, reached in one.
  if (re != "") {
    if (ENVIRON["K_FIRST"] == "1") { from = 1; step = 1 } else { from = n; step = -1 }
    for (i = from; i >= 1 && i <= n; i += step) {
      if (backrefs) { if (!rx_search(body[i])) continue; e = rx_expand() }
      else if (body[i] ~ re) e = line
      else continue
      rep[i] = e; done = 1
      if (e ~ re) break
    }
  }
  pos = -1
  if (!done) {
    if (backrefs) return keep()
    for (i = 1; i <= n; i++) if (body[i] == line) return keep()
    w = ENVIRON["K_WHERE"]
    if (w == "bof") pos = 0
    else if (w == "after" || w == "before") pos = where(ENVIRON["K_AT"], w == "after", ENVIRON["K_FIRST"] == "1")
    else pos = n
  }
  if (pos == 0) put(line, eol)
  for (i = 1; i <= n; i++) {
    if (i in rep) put(rep[i], fix(term[i])); else put(body[i], term[i])
    if (i == pos) put(line, eol)
  }
  return 1
}
'
# files.block: k_block BEGIN END FIRST PREPEND APPEND PRESENT COUNT LINES WHERE ANCHOR.
# LINES: the block's COUNT lines, joined by newlines. WHERE as for k_line (the last line
# matching ANCHOR, or FIRST). PREPEND / APPEND: keep an empty line before / after the block
# where the neighbouring line is not empty and is not the file's start / end.
k_block() (
  K_BEGIN=$1 K_END=$2 K_FIRST=$3 K_PREPEND=$4 K_APPEND=$5 K_PRESENT=$6 K_NB=$7 K_BLOCK=$8 K_WHERE=$9 K_AT=${10}
  export K_BEGIN K_END K_FIRST K_PREPEND K_APPEND K_PRESENT K_NB K_BLOCK K_WHERE K_AT
  k_edit_awk "$k_awk_edit$k_awk_block"
)
k_awk_block='
# The block between lines above and below of the file (0 and n + 1: its start and end);
# first and last: the marker lines as they are (with their endings), or new ones.
function block(above, below, first, last,  i) {
  if (ENVIRON["K_PREPEND"] == "1" && above >= 1 && body[above] != "") put("", eol)
  if (first == "") put(ENVIRON["K_BEGIN"], eol); else put(body[first], term[first])
  for (i = 1; i <= nb; i++) put(bl[i], eol)
  if (last == "") put(ENVIRON["K_END"], eol); else put(body[last], term[last])
  if (ENVIRON["K_APPEND"] == "1" && below <= n && body[below] != "") put("", eol)
}
function edit(  begin, end, i, k, at, np, pb, pe, pos, w) {
  begin = ENVIRON["K_BEGIN"]; end = ENVIRON["K_END"]; nb = ENVIRON["K_NB"] + 0
  split(ENVIRON["K_BLOCK"], bl, "\n")
  for (i = 1; i <= n; i++) {
    if (body[i] == begin) {
      if (at) return fail("line " i ": a second opening marker, before the closing marker of line " at " (fix the file by hand)")
      at = i
    } else if (body[i] == end) {
      if (!at) return fail("line " i ": a closing marker without an opening marker (fix the file by hand)")
      np++; pb[np] = at; pe[np] = i; at = 0
    }
  }
  if (at) return fail("line " at ": an opening marker without a closing marker (fix the file by hand)")
  if (!np) {
    if (ENVIRON["K_PRESENT"] != "1") return keep()
    w = ENVIRON["K_WHERE"]
    if (w == "bof") pos = 0
    else if (w == "after" || w == "before") pos = where(ENVIRON["K_AT"], w == "after", ENVIRON["K_FIRST"] == "1")
    else pos = n
    if (pos == 0) block(0, 1, "", "")
    for (i = 1; i <= n; i++) { put(body[i], term[i]); if (i == pos) block(i, i + 1, "", "") }
    return 1
  }
  # The first block is rewritten in place (its marker lines kept as they are); any later
  # copy is removed.
  k = 1
  for (i = 1; i <= n; i++) {
    if (k <= np && i == pb[k]) {
      if (k == 1 && ENVIRON["K_PRESENT"] == "1") block(i - 1, pe[k] + 1, i, pe[k])
      i = pe[k]; k++
      continue
    }
    put(body[i], term[i])
  }
  return 1
}
'
# files.replace: k_replace PROGRAM REPLACEMENT AFTER BEFORE. Every match of PROGRAM (a
# matcher program) in each line is replaced; with AFTER and BEFORE (matcher programs, of
# patterns that match within a line), only in the text after the first match of AFTER and
# before the first match of BEFORE after it (without AFTER: the last match of BEFORE), as
# Ansible's replace; if either is not found, nothing. A result that would change again on
# the next run fails the edit before anything is written.
k_replace() (
  K_RX=$1 K_REPL=$2 K_AFTER=$3 K_BEFORE=$4
  export K_RX K_REPL K_AFTER K_BEFORE
  k_edit_awk "$k_awk_edit$k_awk_replace"
)
k_awk_replace='
# The text to edit in lines src[1..n]: from column sc of line sl to column ec of line el
# (ec excluded; 0 for the line end). 0 when AFTER or BEFORE is not found.
function section(src,  i, p, q) {
  sl = 1; sc = 1; el = n; ec = 0
  if (ENVIRON["K_AFTER"] != "") {
    rx_load(ENVIRON["K_AFTER"])
    for (i = 1; i <= n && !rx_search(src[i]); i++) continue
    if (i > n) return 0
    sl = i; sc = rxq
  }
  if (ENVIRON["K_BEFORE"] != "") {
    rx_load(ENVIRON["K_BEFORE"])
    if (ENVIRON["K_AFTER"] != "") {
      for (i = sl; i <= n; i++) { rxs = src[i]; rxlen = length(rxs); if (p = rx_find(i == sl ? sc : 1)) break }
    } else {
      for (i = n; i >= 1; i--) {
        rxs = src[i]; rxlen = length(rxs); p = 0
        for (q = rx_find(1); q; q = rx_find(q + 1)) p = q
        if (p) break
      }
    }
    if (i < 1 || i > n) return 0
    el = i; ec = p
  }
  rx_load(ENVIRON["K_RX"])
  return 1
}
# src[] with every match replaced in the section, into dst[]; whether anything changed.
function replaced(src, dst,  i, a, b, s, changed) {
  if (!section(src)) { for (i = 1; i <= n; i++) dst[i] = src[i]; return 0 }
  for (i = 1; i <= n; i++) {
    s = src[i]
    if (i >= sl && i <= el) {
      a = i == sl ? sc : 1; b = i == el && ec ? ec : length(s) + 1
      s = substr(s, 1, a - 1) rx_sub(substr(s, a, b - a)) substr(s, b)
    }
    dst[i] = s; if (s != src[i]) changed = 1
  }
  return changed
}
function edit(  i, r, again) {
  if (replaced(body, r) && replaced(r, again))
    for (i = 1; i <= n; i++) if (again[i] != r[i])
      return fail("line " i ": the replacement does not settle: the result still matches, and the next run would make \"" again[i] "\" of it; nothing was written")
  for (i = 1; i <= n; i++) put(r[i], term[i])
  return 1
}
'
