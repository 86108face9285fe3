# Private files. Nothing kiln writes for itself has a name that another user could plant
# first: scratch files live in k_tmpd, this shell's private directory, and a temporary file
# beside a destination (for the atomic rename) has a name no one can predict and is made
# exclusively.

# k_private: makes k_tmpd (mode 0700, a name no one can predict) on first use, under
# $TMPDIR when that is safe, else /tmp; it is removed when the shell that made it exits or
# is ended by HUP, INT or TERM. A subshell that makes its own removes it as it ends.
k_private() {
  [ -z "${k_tmpd-}" ] || return 0
  k_private_base=/tmp
  if [ -n "${TMPDIR-}" ] && [ "$TMPDIR" != /tmp ]; then
    if k_safe_dir "$TMPDIR"; then
      k_private_base=$TMPDIR
    else
      k_err "TMPDIR ($TMPDIR) is writable by other users or owned by one: using /tmp"
    fi
  fi
  k_tmp_dir "$k_private_base" kiln. || return 1
  k_tmpd=$k_tmp_dir_path
  trap 'rm -rf -- "$k_tmpd"' EXIT
  trap 'exit 129' HUP
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# k_tmp_dir DIR PREFIX: k_tmp_dir_path, a new directory in DIR, mode 0700, named PREFIX and
# random characters no one can predict. Without mktemp the name is k_random's, and mkdir is
# exclusive (it refuses a name that exists, a link too), so a name another user took first
# is passed over, never used.
k_tmp_dir() {
  if k_tmp_dir_path=$(umask 077; mktemp -d "$1/$2XXXXXXXXXX" 2>/dev/null); then return 0; fi
  k_tmp_dir_tries=0
  until k_tmp_dir_path=$1/$2$(k_random) && mkdir -m 700 -- "$k_tmp_dir_path" 2>/dev/null; do
    k_tmp_dir_tries=$((k_tmp_dir_tries + 1))
    if [ "$k_tmp_dir_tries" -ge 10 ]; then k_tmp_dir_path=; k_err "cannot make a private directory in $1"; return 1; fi
  done
}

# Whether DIR is safe for private directories: owned by root or by whoever runs this, and
# not writable by others unless sticky (as /tmp is).
k_safe_dir() {
  [ -d "$1" ] && k_stat "$1/." || return 1
  [ -n "${k_uid-}" ] || k_uid=$(id -u)
  case ${k_stat_owner%%:*} in 0 | "$k_uid") ;; *) return 1 ;; esac
  case $k_stat_mode in [1357]??? | ?[0-7][0145][0145]) return 0 ;; esac
  return 1
}

# k_tmp_beside DIR [shared]: k_tmp_beside_file, a new empty file in DIR with a name no one
# can predict (and short, whatever the length of the name it will replace), made
# exclusively: mode 0600, or with `shared` the mode the shell's umask gives a new file (what
# a new file with no mode asked for ends with, so no chmod follows); k_tmp_beside_shared
# says which (1 or 0). `mktemp -u` only draws the name (one process); the shell makes the
# file: noclobber opens an absent name exclusively (O_EXCL), and what was made must be a
# plain file. Without mktemp the name is k_random's.
k_tmp_beside() {
  case $1 in /*) k_tmp_beside_dir=$1 ;; *) k_tmp_beside_dir=./$1 ;; esac
  k_tmp_beside_shared=0
  if [ "${2-}" = shared ]; then k_tmp_beside_shared=1; else k_umask_mode || return 1; fi
  k_tmp_beside_tries=0
  while :; do
    # (No redirection inside the substitution: bash would spend a process on it.)
    if ! { command -v mktemp >/dev/null 2>&1 && k_tmp_beside_file=$(mktemp -u "$k_tmp_beside_dir/.kiln.XXXXXXXXXX"); }; then
      k_tmp_beside_file=$k_tmp_beside_dir/.kiln.$(k_random) || return 1
    fi
    if [ ! -e "$k_tmp_beside_file" ] && [ ! -L "$k_tmp_beside_file" ]; then
      [ "$k_tmp_beside_shared" = 1 ] || umask 077
      set -C
      { :; } 2>/dev/null >"$k_tmp_beside_file"
      k_tmp_beside_made=$?
      set +C
      [ "$k_tmp_beside_shared" = 1 ] || umask "$k_umask_mode_saved"
      if [ "$k_tmp_beside_made" = 0 ] && [ -f "$k_tmp_beside_file" ] && [ ! -L "$k_tmp_beside_file" ]; then return 0; fi
    fi
    k_tmp_beside_tries=$((k_tmp_beside_tries + 1))
    if [ "$k_tmp_beside_tries" -ge 10 ]; then k_err "cannot make a temporary file in $1"; return 1; fi
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
  k_fill_tmp=$1 k_fill_dest=$2 k_fill_mode=$3 k_fill_owner=$4 k_fill_group=$5
  shift 5
  { k_keep_attrs "$k_fill_dest" "$k_fill_tmp" "$k_fill_mode" "$k_fill_owner" "$k_fill_group" && k_attrs "$k_fill_tmp" "$k_fill_mode" "$k_fill_owner" "$k_fill_group" &&
    "$@" >&3; } 3> "$k_fill_tmp"
}

# k_rename TMP DEST: renames TMP over DEST (a link at DEST is replaced, not followed);
# TMP is removed when that fails.
k_rename() {
  if [ -L "$2" ] && ! rm -f -- "$2"; then rm -f -- "$1"; return 1; fi
  mv -f -- "$1" "$2" || { rm -f -- "$1"; return 1; }
}
