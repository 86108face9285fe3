# Files: permission bits, owners and groups read and set (links followed only when
# trusted), paths split without a process, and atomic writes (a private temporary beside
# the destination gets its mode and owner, then its content, then is renamed over it).

# k_stat [-L] PATH: k_stat_mode, PATH's permission bits in octal (read from the POSIX
# `ls -l` mode string), and k_stat_owner, its numeric owner and group (`UID:GID`): one
# `ls`, read by the shell. A symbolic link is read as itself, or with -L as the file it
# points to. (The fields are split with globbing off: a name's `*` stays a character.)
k_stat() {
  k_stat_follow=; if [ "$1" = -L ]; then k_stat_follow=L; shift; fi
  # Nothing there: no `ls` to say so (and none redirected: bash runs a command
  # substitution with a redirection in a process of its own, then `ls` in another).
  if [ -n "$k_stat_follow" ]; then [ -e "$1" ]; else [ -e "$1" ] || [ -L "$1" ]; fi || return 1
  k_stat_line=$(ls "-lnd$k_stat_follow" -- "$1") && [ -n "$k_stat_line" ] || return 1
  set -f
  # shellcheck disable=SC2086
  set -- $k_stat_line
  set +f
  k_stat_owner=$3:$4 k_stat_bits=${1#?} k_stat_special=0 k_stat_mode=
  for k_stat_who in 4 2 1; do
    k_stat_digit=0 k_stat_triad=${k_stat_bits%"${k_stat_bits#???}"} k_stat_bits=${k_stat_bits#???}
    case $k_stat_triad in r??) k_stat_digit=4 ;; esac
    case $k_stat_triad in ?w?) k_stat_digit=$((k_stat_digit + 2)) ;; esac
    case $k_stat_triad in ??[xst]) k_stat_digit=$((k_stat_digit + 1)) ;; esac
    # setuid, setgid and sticky show in the x column of the owner, group and others.
    case $k_stat_triad in ??[sStT]) k_stat_special=$((k_stat_special + k_stat_who)) ;; esac
    k_stat_mode=$k_stat_mode$k_stat_digit
  done
  k_stat_mode=$k_stat_special$k_stat_mode
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
  case ${k_stat_owner%%:*} in 0 | "$k_uid") return 0 ;; esac
  k_err "$1 is a symbolic link owned by user ${k_stat_owner%%:*}: not following it (follow = false, force = true replaces it)"
  return 1
}

# Octal permission bits of a path: k_mode_of [-L] PATH.
k_mode_of() {
  if [ "$1" = -L ]; then k_stat -L "$2"; else k_stat "$1"; fi && printf '%s\n' "$k_stat_mode"
}

# k_mode_want [-L] PATH MODE: the octal mode PATH would have after `chmod MODE`. MODE is
# 4-digit octal (normalized by kiln) or symbolic, which is applied to a scratch copy of the
# current mode in this run's private directory (never under a name another user could
# plant).
# shellcheck disable=SC2086
k_mode_want() {
  k_mode_want_follow=; if [ "$1" = -L ]; then k_mode_want_follow=-L; shift; fi
  case $2 in
  *[!0-7]*)
    k_private || return 1
    k_mode_want_scratch=$k_tmpd/mode
    rm -rf -- "$k_mode_want_scratch"
    if [ -d "$1" ]; then mkdir -- "$k_mode_want_scratch"; else : > "$k_mode_want_scratch"; fi
    chmod "$(k_mode_of $k_mode_want_follow "$1")" "$k_mode_want_scratch" && chmod "$2" "$k_mode_want_scratch" && k_mode_of "$k_mode_want_scratch" ;;
  *) printf '%s\n' "$2" ;;
  esac
}

# k_attrs_ok [-L] PATH MODE OWNER GROUP: whether PATH has MODE, OWNER and GROUP (an empty
# one is not checked). A symbolic link at PATH is checked as itself, or with -L as the
# file it points to: the same file `k_attrs` with the same option changes.
# shellcheck disable=SC2086
k_attrs_ok() {
  k_attrs_ok_follow=; if [ "$1" = -L ]; then k_attrs_ok_follow=-L; shift; fi
  if [ -n "$2" ]; then
    case $2 in
    *[!0-7]*) k_attrs_ok_mode=$(k_mode_want $k_attrs_ok_follow "$1" "$2") || return 1 ;;
    *) k_attrs_ok_mode=$2 ;;
    esac
    k_stat $k_attrs_ok_follow "$1" && [ "$k_stat_mode" = "$k_attrs_ok_mode" ] || return 1
  fi
  [ -z "$k_attrs_ok_follow" ] || k_attrs_ok_follow=-H
  if [ -n "$3" ] && [ -z "$(find $k_attrs_ok_follow "$1" -prune -user "$3" 2>/dev/null)" ]; then return 1; fi
  if [ -n "$4" ] && [ -z "$(find $k_attrs_ok_follow "$1" -prune -group "$4" 2>/dev/null)" ]; then return 1; fi
  return 0
}

# k_attrs [-L] PATH MODE OWNER GROUP: sets them. Owner and group go on a symbolic link at
# PATH itself (`-h`), or with -L on the file it points to; chmod always follows a link (a
# link has no mode of its own), so a MODE for a path that may be a link wants -L.
# shellcheck disable=SC2086
k_attrs() {
  k_attrs_no_follow=-h; if [ "$1" = -L ]; then k_attrs_no_follow=; shift; fi
  if [ -n "$3" ]; then chown $k_attrs_no_follow -- "$3" "$1" || return 1; fi
  if [ -n "$4" ]; then chgrp $k_attrs_no_follow -- "$4" "$1" || return 1; fi
  if [ -n "$2" ]; then chmod -- "$2" "$1" || return 1; fi
}

# k_tree_modes_ok DIR MODE: whether `chmod -R MODE DIR` would change nothing under DIR
# (links are passed by, as chmod -R does). For a symbolic MODE the mode wanted depends on
# each entry's type (`X`) and current mode (`+`, `-`), so each distinct (type, mode) pair
# in the tree is worked out once, with `k_mode_want` on a scratch entry of that type. A
# name containing a newline can only add lines to the listing: at worst the tree is
# reported as differing, never as matching when it does not.
k_tree_modes_ok() {
  k_tree_modes_ok_seen=$(find "$1" ! -type l -exec ls -lnd -- {} + 2>/dev/null |
    awk "$k_awk_perm"'$1 ~ /^[-dbcps]/ { printf "%s:%04o\n", substr($1, 1, 1) == "d" ? "d" : "f", k_perm($1) }' |
    sort -u) && [ -n "$k_tree_modes_ok_seen" ] && k_private || return 1
  k_tree_modes_ok_scratch=$k_tmpd/tree
  for k_tree_modes_ok_pair in $k_tree_modes_ok_seen; do
    rm -rf -- "$k_tree_modes_ok_scratch"
    if [ "${k_tree_modes_ok_pair%:*}" = d ]; then mkdir -- "$k_tree_modes_ok_scratch"; else : > "$k_tree_modes_ok_scratch"; fi
    chmod "${k_tree_modes_ok_pair#*:}" "$k_tree_modes_ok_scratch" && [ "$(k_mode_want "$k_tree_modes_ok_scratch" "$2")" = "${k_tree_modes_ok_pair#*:}" ] || return 1
  done
}

# k_split PATH: k_split_dir is PATH's directory, as `dirname` prints it, without a process
# (a file op would spend one on it).
k_split() {
  k_split_path=$1
  while [ "$k_split_path" != / ] && [ "${k_split_path%/}" != "$k_split_path" ]; do k_split_path=${k_split_path%/}; done
  case $k_split_path in
  */*) k_split_dir=${k_split_path%/*}; [ -n "$k_split_dir" ] || k_split_dir=/ ;;
  *) k_split_dir=. ;;
  esac
}

# k_keep_attrs OLD NEW MODE OWNER GROUP: NEW, about to replace the file OLD, keeps OLD's
# mode unless MODE is given, and (as root) its owner and group unless OWNER or GROUP is.
# A NEW file with no OLD to follow gets the mode the umask gives. A NEW that k_tmp_beside
# made `shared` has its final attributes already (its caller knew: k_write_tmp). NEW is
# this user's, in this user's group unless its directory is setgid: an OLD owned alike
# (k_owned_alike) needs no chown.
k_keep_attrs() {
  [ "${k_tmp_beside_shared-}" != 1 ] || return 0
  if [ ! -e "$1" ] || [ -L "$1" ]; then
    [ -n "$3" ] || { k_umask_mode && chmod "$k_umask_mode_value" "$2"; }
    return
  fi
  k_keep_attrs_owner=0
  if [ -z "$4$5" ] && ! k_owned_alike "$1" "$2"; then
    [ -n "${k_uid-}" ] || k_uid=$(id -u)
    [ "$k_uid" != 0 ] || k_keep_attrs_owner=1
  fi
  if [ -n "$3" ] && [ "$k_keep_attrs_owner" = 0 ]; then return 0; fi
  k_stat "$1" || return 1
  # chown first: it clears setuid and setgid bits that chmod sets.
  if [ "$k_keep_attrs_owner" = 1 ]; then chown "$k_stat_owner" "$2" || return 1; fi
  if [ -z "$3" ]; then chmod "$k_stat_mode" "$2" || return 1; fi
}

# k_umask_mode: k_umask_mode_value, the mode a new file gets from the umask (0666 without
# the umask's bits), and k_umask_mode_saved, the umask as `umask` prints it: asked once.
k_umask_mode() {
  [ -z "${k_umask_mode_value-}" ] || return 0
  k_umask_mode_saved=$(umask) || return 1
  k_umask_mode_bits=${k_umask_mode_saved#"${k_umask_mode_saved%???}"} k_umask_mode_value=0
  while [ -n "$k_umask_mode_bits" ]; do
    k_umask_mode_value=$k_umask_mode_value$((6 & ~${k_umask_mode_bits%"${k_umask_mode_bits#?}"})) k_umask_mode_bits=${k_umask_mode_bits#?}
  done
}

# k_write DEST MODE OWNER GROUP [SOURCE...]: writes what SOURCE prints (standard input,
# without SOURCE) to DEST atomically: a new private file beside DEST gets its mode and
# owner, then the content, then is renamed over DEST. A failure leaves DEST as it was.
k_write() {
  k_write_dest=$1
  k_write_tmp "$@" && k_rename "$k_write_tmp_file" "$k_write_dest"
}

# As k_write, but CHECK... (the new file's path appended) must accept the new content
# before it replaces DEST: k_write_valid DEST MODE OWNER GROUP SOURCE CHECK...
k_write_valid() {
  k_write_valid_dest=$1
  k_write_tmp "$1" "$2" "$3" "$4" "$5" || return 1
  k_write_valid_tmp=$k_write_tmp_file
  shift 5
  if ! "$@" "$k_write_valid_tmp"; then rm -f -- "$k_write_valid_tmp"; k_err "$k_write_valid_dest: the new content is invalid, not installed"; return 1; fi
  k_rename "$k_write_valid_tmp" "$k_write_valid_dest"
}

# k_candidate SOURCE [ARG]...: k_candidate_file, what `SOURCE ARG...` prints, in the run's
# private directory (mode 0700: no other user reads it, a secret included), for check mode
# to validate and diff what a write would install.
k_candidate() {
  k_private || return 1
  k_candidate_file=$k_tmpd/candidate
  "$@" > "$k_candidate_file"
}

# k_candidate_valid CHECK...: whether CHECK (k_candidate_file's path appended) accepts the
# candidate; else the candidate is removed, and `would fail validation:` and what CHECK
# printed go to standard error.
k_candidate_valid() {
  k_candidate_valid_out=$("$@" "$k_candidate_file" 2>&1) && return 0
  rm -f -- "$k_candidate_file"
  k_err "would fail validation${k_candidate_valid_out:+: $k_candidate_valid_out}"
  return 1
}

# k_owned_alike OLD NEW: whether OLD has the owner and group a file NEW makes gets: this
# user's, and this user's group unless NEW's directory is setgid (builtins only).
k_owned_alike() {
  k_split "$2"
  [ -O "$1" ] && [ -G "$1" ] && [ ! -g "$k_split_dir" ]
}

# k_write_tmp DEST MODE OWNER GROUP [SOURCE...]: k_write_tmp_file, a new file beside DEST
# with DEST's attributes (k_fill) and what SOURCE prints (standard input, without SOURCE),
# for k_write and k_write_valid to rename over DEST; nothing is left when it fails. When no
# attributes are asked for and the file as the umask makes it has DEST's (DEST is new, or
# has the umask's mode and is owned alike: the usual config file), it is made so, and
# needs no chmod or chown.
k_write_tmp() {
  # `mv` onto a directory (or a link to one) would move the file into it.
  if [ -d "$1" ] && [ ! -L "$1" ]; then k_err "$1 is a directory"; return 1; fi
  k_write_tmp_dest=$1 k_write_tmp_mode=$2 k_write_tmp_owner=$3 k_write_tmp_group=$4
  shift 4
  [ "$#" -gt 0 ] || set -- cat
  k_tmp_for "$k_write_tmp_dest" "$k_write_tmp_mode" "$k_write_tmp_owner" "$k_write_tmp_group" || return 1
  k_write_tmp_file=$k_tmp_beside_file
  if ! k_fill "$k_write_tmp_file" "$k_write_tmp_dest" "$k_write_tmp_mode" "$k_write_tmp_owner" "$k_write_tmp_group" "$@"; then
    rm -f -- "$k_write_tmp_file"; return 1
  fi
}

# k_tmp_for DEST MODE OWNER GROUP: k_tmp_beside_file, a new file beside DEST that will
# replace it (k_fill fills it): made under the umask when no attributes are asked for and
# that gives it what DEST must keep (k_write_tmp_umask_made), so it needs no chmod or chown;
# else private (0600) until k_fill gives it its attributes.
k_tmp_for() {
  k_split "$1"
  if [ -z "$2$3$4" ] && k_write_tmp_umask_made "$1"; then
    k_tmp_beside "$k_split_dir" shared
  else
    k_tmp_beside "$k_split_dir"
  fi
}

# k_write_tmp_umask_made DEST: whether a file made under the umask has what DEST must keep:
# DEST is new (or a link, which is replaced), or is owned alike and has the umask's mode.
k_write_tmp_umask_made() {
  if [ ! -e "$1" ] || [ -L "$1" ]; then return 0; fi
  k_owned_alike "$1" "$1" && k_stat "$1" && k_umask_mode && [ "$k_stat_mode" = "$k_umask_mode_value" ]
}

# A copy of FILE as it is now, beside it, named FILE.TIMESTAMP~ (Ansible's backup
# naming): a hard link to the file that is about to be replaced by a rename, so the backup
# keeps its content, mode and owner without a copy; a new name, never written through.
k_backup() {
  k_backup_name=$1.$(date +%Y%m%d%H%M%S)~
  if [ -e "$k_backup_name" ] || [ -L "$k_backup_name" ]; then k_err "$k_backup_name is in the way of the backup"; return 1; fi
  ln -- "$1" "$k_backup_name" 2>/dev/null && return 0
  # Where hard links cannot be made: a copy, through a temporary beside it.
  k_split "$1"
  k_tmp_beside "$k_split_dir" && cp -p -- "$1" "$k_tmp_beside_file" && mv -f -- "$k_tmp_beside_file" "$k_backup_name"
}

# k_directory ok|act|diff --path PATH [--mode MODE] [--owner USER] [--group GROUP]
# [--recursive] [--absent] (files.directory): PATH is a directory (its parents made too)
# with MODE, OWNER and GROUP, each when given (with --recursive everything in it too, links
# passed by, as `chmod -R` and `chown -R -P` do); with --absent nothing is at PATH (a
# directory there goes with everything in it). A symbolic link at PATH does for a directory
# without attributes; with one, the op fails: attributes are never set through a link. A
# file in the way is an error, never removed.
k_directory() {
  k_directory_verb=$1 k_directory_path='' k_directory_mode='' k_directory_owner='' k_directory_group=''
  k_directory_recursive=0 k_directory_absent=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --path) k_directory_path=$2; shift ;;
    --mode) k_directory_mode=$2; shift ;;
    --owner) k_directory_owner=$2; shift ;;
    --group) k_directory_group=$2; shift ;;
    --recursive) k_directory_recursive=1 ;;
    --absent) k_directory_absent=1 ;;
    *) k_err "k_directory: unknown option $1"; return 64 ;;
    esac
    shift
  done
  if [ "$k_directory_absent" = 1 ]; then
    case $k_directory_verb in
    ok) [ ! -e "$k_directory_path" ] && [ ! -L "$k_directory_path" ] ;;
    act) rm -rf -- "$k_directory_path" ;;
    diff) printf 'remove directory %s\n' "$k_directory_path" ;;
    esac
    return
  fi
  k_directory_attrs=$k_directory_mode$k_directory_owner$k_directory_group
  case $k_directory_verb in
  ok)
    [ -d "$k_directory_path" ] || return 1
    [ -z "$k_directory_attrs" ] && return 0
    ! [ -L "$k_directory_path" ] &&
      k_attrs_ok "$k_directory_path" "$k_directory_mode" "$k_directory_owner" "$k_directory_group" || return 1
    [ "$k_directory_recursive" = 0 ] || k_directory_tree_ok ;;
  act)
    if [ -n "$k_directory_attrs" ] && [ -L "$k_directory_path" ]; then
      k_err "$k_directory_path is a symbolic link: mode and ownership are set on a real directory only, never through a link"
      return 1
    fi
    if { [ -e "$k_directory_path" ] || [ -L "$k_directory_path" ]; } && [ ! -d "$k_directory_path" ]; then
      k_err "$k_directory_path exists and is not a directory"; return 1
    fi
    # A new directory takes an octal mode from mkdir itself: one process, not two.
    k_directory_chmod=$k_directory_mode
    case $k_directory_mode in
    '' | *[!0-7]*) mkdir -p -- "$k_directory_path" ;;
    *)
      # Only the directory asked for gets the mode (its parents the umask's), as wanted.
      # shellcheck disable=SC2174
      if [ -d "$k_directory_path" ]; then :; else mkdir -p -m "$k_directory_mode" -- "$k_directory_path" && k_directory_chmod=; fi ;;
    esac || return 1
    [ -n "$k_directory_attrs" ] || return 0
    k_attrs "$k_directory_path" "$k_directory_chmod" "$k_directory_owner" "$k_directory_group" || return 1
    [ "$k_directory_recursive" = 1 ] || return 0
    if [ -n "$k_directory_owner" ]; then chown -R -P -- "$k_directory_owner" "$k_directory_path" || return 1; fi
    if [ -n "$k_directory_group" ]; then chgrp -R -P -- "$k_directory_group" "$k_directory_path" || return 1; fi
    if [ -n "$k_directory_mode" ]; then chmod -R -- "$k_directory_mode" "$k_directory_path" || return 1; fi ;;
  diff)
    if [ -n "$k_directory_attrs" ] && [ -L "$k_directory_path" ]; then
      printf '%s %s\n' "$k_directory_path" 'is a symbolic link: mode and ownership are set on a real directory only, never through a link'
    elif [ -d "$k_directory_path" ]; then
      printf 'set mode/owner of %s\n' "$k_directory_path"
    else
      printf 'create directory %s\n' "$k_directory_path"
    fi ;;
  esac
}

# Whether everything under the directory k_directory works on (links passed by) has its
# owner, group and mode: `find` looks for an entry whose owner, group or octal mode
# differs; a symbolic mode (whose `X`, `+` and `-` ask each entry for something else) is
# worked out by k_tree_modes_ok, as `chmod -R` would apply it.
k_directory_tree_ok() {
  set --
  if [ -n "$k_directory_owner" ]; then set -- "$@" -o ! -user "$k_directory_owner"; fi
  if [ -n "$k_directory_group" ]; then set -- "$@" -o ! -group "$k_directory_group"; fi
  case $k_directory_mode in '' | *[!0-7]*) ;; *) set -- "$@" -o ! -perm "$k_directory_mode" ;; esac
  if [ "$#" -gt 0 ]; then
    shift
    [ -z "$(find "$k_directory_path" ! -type l \( "$@" \) -print | head -n 1)" ] || return 1
  fi
  case $k_directory_mode in *[!0-7]*) k_tree_modes_ok "$k_directory_path" "$k_directory_mode" ;; esac
}

# k_put ok|act|diff --dest DEST [--mode MODE] [--owner USER] [--group GROUP] [--backup]
# [--parents] [--keep] [--text] [-- CHECK...] (files.put, files.template, server.sudoers):
# DEST is a regular file holding exactly what standard input holds (with --text: k_text,
# set by the step's text function, compared by k_same_text), with MODE, OWNER and GROUP
# (each when given; else a replaced file's). It is written atomically (k_write): after a
# copy of the old file with --backup (k_backup), in a directory made first with
# --parents, and only when CHECK (the new file's path appended) accepts it
# (k_write_valid); `diff` runs CHECK too, on a candidate in the run's private directory
# (k_candidate). A symbolic link at DEST is replaced, never written through. With
# --keep, a file or link already at DEST stays whatever it holds (Ansible's `force: no`):
# only its attributes are set, and never through a link.
k_put() {
  k_put_verb=$1 k_put_dest='' k_put_mode='' k_put_owner='' k_put_group='' k_put_backup=0 k_put_parents=0 k_put_keep=0
  k_put_source='cat'
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --dest) k_put_dest=$2; shift ;;
    --mode) k_put_mode=$2; shift ;;
    --owner) k_put_owner=$2; shift ;;
    --group) k_put_group=$2; shift ;;
    --backup) k_put_backup=1 ;;
    --parents) k_put_parents=1 ;;
    --keep) k_put_keep=1 ;;
    --text) k_put_source=k_text_out ;;
    --) shift; break ;;
    *) k_err "k_put: unknown option $1"; return 64 ;;
    esac
    shift
  done
  if [ "$k_put_keep" = 1 ] && { [ -L "$k_put_dest" ] || [ -f "$k_put_dest" ]; }; then
    [ -n "$k_put_mode$k_put_owner$k_put_group" ] || return 0
    case $k_put_verb in
    ok) ! [ -L "$k_put_dest" ] && k_attrs_ok "$k_put_dest" "$k_put_mode" "$k_put_owner" "$k_put_group" ;;
    act)
      if [ -L "$k_put_dest" ]; then
        k_err "$k_put_dest is a symbolic link, kept as it is (force = false): its mode and ownership are never set through it"
        return 1
      fi
      k_attrs "$k_put_dest" "$k_put_mode" "$k_put_owner" "$k_put_group" ;;
    diff) printf 'set mode/owner of %s\n' "$k_put_dest" ;;
    esac
    return
  fi
  case $k_put_verb in
  ok)
    [ -f "$k_put_dest" ] && [ ! -L "$k_put_dest" ] || return 1
    if [ "$k_put_source" = cat ]; then cmp -s - "$k_put_dest"; else k_same_text "$k_put_dest"; fi &&
      k_attrs_ok "$k_put_dest" "$k_put_mode" "$k_put_owner" "$k_put_group" ;;
  act)
    if [ "$k_put_parents" = 1 ]; then k_split "$k_put_dest"; mkdir -p -- "$k_split_dir" || return 1; fi
    if [ "$k_put_backup" = 1 ] && [ -f "$k_put_dest" ]; then k_backup "$k_put_dest" || return 1; fi
    if [ "$#" -gt 0 ]; then
      k_write_valid "$k_put_dest" "$k_put_mode" "$k_put_owner" "$k_put_group" "$k_put_source" "$@"
    else
      k_write "$k_put_dest" "$k_put_mode" "$k_put_owner" "$k_put_group" "$k_put_source"
    fi ;;
  diff)
    if [ "$#" -eq 0 ]; then "$k_put_source" | k_diffu "$k_put_dest"; return; fi
    k_candidate "$k_put_source" && k_candidate_valid "$@" || return 1
    k_diffu "$k_put_dest" < "$k_candidate_file"
    rm -f -- "$k_candidate_file" ;;
  esac
}

# k_file ok|act|diff --path PATH [--mode MODE] [--owner USER] [--group GROUP] [--follow]
# [--force] [--no-create] [--touch] [--absent] (files.file): PATH is a regular file (an
# empty one made if missing, unless --no-create) with MODE, OWNER and GROUP (each when
# given); --touch also updates its times (so it always changes). A symbolic link at PATH
# is a file only with --follow, and only when root or this user owns it (k_follows); then
# the file it points to gets the attributes. Something else in the way is replaced only
# with --force, else the op fails. With --absent nothing is at PATH (a directory there
# only goes with --force). A file this op makes and then cannot give its attributes is
# removed again: a failed op leaves no file behind.
k_file() {
  k_file_verb=$1 k_file_path='' k_file_mode='' k_file_owner='' k_file_group='' k_file_follow=0
  k_file_force=0 k_file_create=1 k_file_touch=0 k_file_absent=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --path) k_file_path=$2; shift ;;
    --mode) k_file_mode=$2; shift ;;
    --owner) k_file_owner=$2; shift ;;
    --group) k_file_group=$2; shift ;;
    --follow) k_file_follow=1 ;;
    --force) k_file_force=1 ;;
    --no-create) k_file_create=0 ;;
    --touch) k_file_touch=1 ;;
    --absent) k_file_absent=1 ;;
    *) k_err "k_file: unknown option $1"; return 64 ;;
    esac
    shift
  done
  if [ "$k_file_absent" = 1 ]; then
    case $k_file_verb in
    ok) [ ! -e "$k_file_path" ] && [ ! -L "$k_file_path" ] ;;
    act)
      if [ -d "$k_file_path" ] && [ ! -L "$k_file_path" ]; then
        k_file_in_the_way "is a directory (use force = true to remove it)"
      else
        rm -f -- "$k_file_path"
      fi ;;
    diff) printf 'remove %s\n' "$k_file_path" ;;
    esac
    return
  fi
  case $k_file_verb in
  ok)
    # Touching always changes the times: never ok.
    [ "$k_file_touch" = 0 ] || return 1
    if [ "$k_file_follow" = 1 ]; then k_follows "$k_file_path" 2>/dev/null || return 1; fi
    k_file_is && k_attrs_ok -L "$k_file_path" "$k_file_mode" "$k_file_owner" "$k_file_group" ;;
  act)
    if [ "$k_file_follow" = 1 ] && ! k_follows "$k_file_path"; then
      return 1
    elif [ "$k_file_create" = 0 ] && k_file_missing; then
      k_err "$k_file_path does not exist, and create = false: not creating it"; return 1
    elif { [ -e "$k_file_path" ] || [ -L "$k_file_path" ]; } && ! k_file_is; then
      if [ "$k_file_follow" = 1 ]; then
        k_file_in_the_way "exists and is not a regular file (use force = true to replace it)" || return 1
      else
        k_file_in_the_way "is not a regular file, or is a link (follow = false; use force = true to replace it)" || return 1
      fi
    fi
    k_file_new=0
    [ -e "$k_file_path" ] || k_file_new=1
    if [ "$k_file_touch" = 1 ]; then
      touch -- "$k_file_path" || return 1
    else
      k_file_is || : > "$k_file_path" || return 1
    fi
    k_attrs -L "$k_file_path" "$k_file_mode" "$k_file_owner" "$k_file_group" && return 0
    [ "$k_file_new" = 0 ] || rm -f -- "$k_file_path"
    return 1 ;;
  diff)
    if k_file_is; then
      printf 'update %s\n' "$k_file_path"
    elif [ "$k_file_create" = 0 ] && k_file_missing; then
      printf '%s %s\n' "$k_file_path" 'does not exist, and create = false: not creating it'
    else
      printf 'create %s\n' "$k_file_path"
    fi ;;
  esac
}

# Whether the file k_file works on is a regular file (with --follow, or a link to one).
k_file_is() {
  [ -f "$k_file_path" ] && { [ "$k_file_follow" = 1 ] || [ ! -L "$k_file_path" ]; }
}

# Whether nothing is where k_file works (with --follow, a dangling link counts as nothing).
k_file_missing() {
  if [ "$k_file_follow" = 1 ]; then
    [ ! -e "$k_file_path" ]
  else
    [ ! -e "$k_file_path" ] && [ ! -L "$k_file_path" ]
  fi
}

# k_file_in_the_way PROBLEM: what is at k_file's path goes with --force; else the op fails,
# saying PROBLEM.
k_file_in_the_way() {
  if [ "$k_file_force" = 1 ]; then rm -rf -- "$k_file_path"; return; fi
  k_err "$k_file_path $1"
  return 1
}
