# Links (files.link, files.sync): symbolic and hard links read, made and removed.

# Whether PATH is a symbolic link whose target is exactly TARGET: k_link_is PATH TARGET.
# `readlink` (POSIX since 2024; in coreutils, busybox and the BSDs) reads the target as
# stored, where parsing `ls -l` breaks on names containing " -> ". The `.` keeps a target's
# own trailing newlines from being stripped by the command substitution.
k_link_is() {
  [ -L "$1" ] || return 1
  k_link_is_target=$(readlink -- "$1" && echo .) || return 1
  [ "${k_link_is_target%?.}" = "$2" ]
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
