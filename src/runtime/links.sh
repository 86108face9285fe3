# Links (files.link, files.sync): symbolic and hard links read, made and removed.

# Whether PATH is a symbolic link whose target is exactly TARGET: k_link_is PATH TARGET.
# `readlink` (POSIX since 2024; in coreutils, busybox and the BSDs) reads the target as
# stored, where parsing `ls -l` breaks on names containing " -> ": one process. A command
# substitution strips trailing newlines: for a TARGET ending in one, a `.` after the
# target keeps them (a second process). Else a stored target that is TARGET followed by
# newlines reads as TARGET, but names another file: PATH resolves to TARGET's file (or,
# TARGET missing, to nothing), else it is not the link asked for.
# shellcheck disable=SC3013
k_link_is() {
  [ -L "$1" ] || return 1
  case $2 in
  *'
')
    k_link_is_target=$(readlink -- "$1" && echo .) || return 1
    [ "${k_link_is_target%?.}" = "$2" ] ;;
  *)
    k_link_is_target=$(readlink -- "$1") && [ "$k_link_is_target" = "$2" ] || return 1
    case $2 in /*) k_link_is_file=$2 ;; *) k_split "$1"; k_link_is_file=$k_split_dir/$2 ;; esac
    if [ -e "$1" ]; then [ "$1" -ef "$k_link_is_file" ]; else [ ! -e "$k_link_is_file" ]; fi ;;
  esac
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
  *) k_split "$1"; [ -e "$k_split_dir/$2" ] ;;
  esac
}

# Makes PATH a link to TARGET: k_link_make PATH TARGET SYMBOLIC FORCE (1 or 0). A link
# already at PATH is replaced; a file, or an empty directory, only with FORCE.
k_link_make() {
  if [ -L "$1" ]; then
    rm -f -- "$1" || return 1
  elif [ -d "$1" ]; then
    if [ "$4" != 1 ]; then k_err "$1 is a directory (force = true replaces an empty one)"; return 1; fi
    rmdir -- "$1" || { k_err "$1 is a directory that is not empty: not replacing it"; return 1; }
  elif [ -e "$1" ]; then
    if [ "$4" != 1 ]; then k_err "$1 exists and is not a link (force = true replaces it)"; return 1; fi
    rm -f -- "$1" || return 1
  fi
  if [ "$3" = 1 ]; then ln -s -- "$2" "$1"; else k_hard_target "$2" && ln -- "$k_hard_target_path" "$1"; fi
}

# k_hard_target TARGET: k_hard_target_path, what a hard link to TARGET links: TARGET, or
# when it is a symbolic link the file it resolves to (Ansible's `follow: true`). `ln`
# would otherwise make a second name for the link itself (GNU ln's default, busybox's only
# way), which `k_same_file` rightly never takes for the file. `realpath` is POSIX since 2024; older
# systems have `readlink -f`. The `.` keeps a name's own trailing newlines.
k_hard_target() {
  k_hard_target_path=$1
  [ -L "$1" ] || return 0
  k_hard_target_path=$(realpath -- "$1" 2>/dev/null && echo .) || k_hard_target_path=$(readlink -f -- "$1" && echo .) ||
    { k_err "cannot resolve the symbolic link $1"; return 1; }
  k_hard_target_path=${k_hard_target_path%?.}
}

# Removes the link at PATH: k_link_remove PATH SYMBOLIC FORCE. A hard link is a file like
# any other; anything else that is not a symbolic link is removed only with FORCE (a
# directory only when empty).
k_link_remove() {
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

# k_link ok|act|diff --path PATH --target TARGET [--hard] [--force] [--owner USER]
# [--group GROUP] [--absent] (files.link): PATH is a symbolic link to TARGET (with --hard,
# a hard link to the file TARGET is, or resolves to), with OWNER and GROUP set on the link
# itself; with --absent no link is at PATH. A symbolic link to a TARGET that does not exist
# fails the op, unless --force; what is in the way is replaced only with --force (see
# k_link_make, k_link_remove).
k_link() {
  k_link_verb=$1 k_link_path='' k_link_target='' k_link_symbolic=1 k_link_force=0 k_link_owner='' k_link_group='' k_link_absent=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --path) k_link_path=$2; shift ;;
    --target) k_link_target=$2; shift ;;
    --hard) k_link_symbolic=0 ;;
    --force) k_link_force=1 ;;
    --owner) k_link_owner=$2; shift ;;
    --group) k_link_group=$2; shift ;;
    --absent) k_link_absent=1 ;;
    *) k_err "k_link: unknown option $1"; return 64 ;;
    esac
    shift
  done
  if [ "$k_link_absent" = 1 ]; then
    case $k_link_verb in
    ok) [ ! -L "$k_link_path" ] && [ ! -e "$k_link_path" ] ;;
    act) k_link_remove "$k_link_path" "$k_link_symbolic" "$k_link_force" ;;
    diff) printf 'remove %s\n' "$k_link_path" ;;
    esac
    return
  fi
  # Without --force, a symbolic link's target must exist (from PATH's directory).
  k_link_dangling=0
  if [ "$k_link_symbolic" = 1 ] && [ "$k_link_force" = 0 ] && ! k_link_target "$k_link_path" "$k_link_target"; then
    k_link_dangling=1
  fi
  case $k_link_verb in
  ok)
    [ "$k_link_dangling" = 0 ] && k_link_linked &&
      k_attrs_ok "$k_link_path" '' "$k_link_owner" "$k_link_group" ;;
  act)
    if [ "$k_link_dangling" = 1 ]; then
      k_err "$k_link_path: $k_link_target does not exist (force = true makes a link to it anyway)"; return 1
    fi
    if ! k_link_linked; then
      k_link_make "$k_link_path" "$k_link_target" "$k_link_symbolic" "$k_link_force" || return 1
    fi
    k_attrs "$k_link_path" '' "$k_link_owner" "$k_link_group" ;;
  diff)
    # Check mode runs no earlier op, which may make the target: a note, not a failure.
    if [ "$k_link_dangling" = 1 ]; then
      printf 'note: %s %s\n' "$k_link_target" 'does not exist yet: unless it does when this op runs, the op fails (force = true makes a link to it anyway)'
    fi
    if k_link_linked; then
      printf 'set owner/group of %s\n' "$k_link_path"
    else
      printf 'link %s -> %s\n' "$k_link_path" "$k_link_target"
    fi ;;
  esac
}

# Whether the link k_link works on is there: PATH a symbolic link to TARGET, or with --hard
# the same file.
k_link_linked() {
  if [ "$k_link_symbolic" = 1 ]; then
    k_link_is "$k_link_path" "$k_link_target"
  else
    k_same_file "$k_link_path" "$k_link_target"
  fi
}
