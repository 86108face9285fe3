# Line edits (files.line, files.block, files.replace): k_edit reads the file (following
# trusted links) and runs the op's edit (k_line, k_block, k_replace: awk programs from
# edit_programs.sh over the file), to check it, to show the diff, or to write the result.

# k_edit ok|act|diff --path PATH [--missing empty|fail|fail-create] [--mode MODE]
# [--owner USER] [--group GROUP] [--backup] -- EDIT [ARG]...: `EDIT ARG...` (k_line,
# k_block, k_replace) prints PATH's desired content, computed from the file $k_edit_src.
# `ok` succeeds when PATH already has it (and MODE, OWNER, GROUP); `act` writes it
# atomically, as k_write does (after a timestamped copy with --backup); `diff` prints a
# unified diff to it. A symbolic link is followed: its target is edited. A missing PATH is
# MISSING: `empty` (an empty file, created only if the edit adds something), `fail` (the
# default), or `fail-create` (fail, pointing at `create = true`).
k_edit() {
  k_edit_verb=$1 k_edit_path='' k_edit_missing=fail k_edit_mode='' k_edit_owner='' k_edit_group='' k_edit_backup=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --path) k_edit_path=$2; shift ;;
    --missing) k_edit_missing=$2; shift ;;
    --mode) k_edit_mode=$2; shift ;;
    --owner) k_edit_owner=$2; shift ;;
    --group) k_edit_group=$2; shift ;;
    --backup) k_edit_backup=1 ;;
    --) shift; break ;;
    *) k_err "k_edit: unknown option $1"; return 64 ;;
    esac
    shift
  done
  k_edit_asked=$k_edit_path k_edit_links=0
  while [ -L "$k_edit_path" ]; do
    k_edit_links=$((k_edit_links + 1))
    if [ "$k_edit_links" -gt 40 ]; then k_edit_err "$k_edit_asked: too many levels of symbolic links"; return 1; fi
    # A link another user owns is never followed (see k_follows).
    if ! k_follows "$k_edit_path" 2>/dev/null; then
      k_edit_err "$k_edit_asked: $k_edit_path is a symbolic link owned by user ${k_stat_owner%%:*}: not following it"; return 1
    fi
    k_edit_target=$(readlink -- "$k_edit_path" && echo .) || return 1
    k_edit_target=${k_edit_target%?.}
    case $k_edit_target in
    /*) k_edit_path=$k_edit_target ;;
    *) k_split "$k_edit_path"; k_edit_path=$k_split_dir/$k_edit_target ;;
    esac
  done
  k_edit_src=$k_edit_path
  if [ -d "$k_edit_path" ]; then
    k_edit_err "$k_edit_asked is a directory, not a file"; return 1
  elif [ -e "$k_edit_path" ]; then
    if [ ! -f "$k_edit_path" ]; then k_edit_err "$k_edit_asked is not a regular file"; return 1; fi
  else
    case $k_edit_missing in
    empty) k_edit_src=/dev/null ;;
    fail-create) k_edit_err "$k_edit_asked does not exist (create = true creates it)"; return 1 ;;
    *) k_edit_err "$k_edit_asked does not exist"; return 1 ;;
    esac
  fi
  # Whether the last line lacks its newline (awk cannot tell). The `.` keeps a last
  # newline from being stripped by the command substitution.
  k_edit_noeol=0
  if [ -s "$k_edit_src" ]; then
    k_edit_last=$(tail -c 1 -- "$k_edit_src"; echo .)
    [ "$k_edit_last" = "
." ] || k_edit_noeol=1
  fi
  case $k_edit_verb in
  ok)
    k_edit_op=check
    "$@" 2>/dev/null || return 1
    [ "$k_edit_src" = /dev/null ] || k_attrs_ok "$k_edit_path" "$k_edit_mode" "$k_edit_owner" "$k_edit_group" ;;
  diff)
    # An edit that fails says why, rather than showing a diff to nothing.
    k_edit_op=check
    "$@"
    [ "$?" -lt 2 ] || return 1
    k_edit_op=want
    "$@" | k_diffu "$k_edit_path" ;;
  act)
    k_edit_op=want
    k_split "$k_edit_path"
    k_edit_dir=$k_split_dir
    if [ "$k_edit_src" = /dev/null ]; then mkdir -p -- "$k_edit_dir" || return 1; fi
    # The edit writes straight into a new private file beside PATH, renamed over it only
    # when the edit succeeded: a failed edit never reaches PATH.
    k_tmp_beside "$k_edit_dir" || return 1
    k_edit_tmp=$k_tmp_beside_file
    if ! k_fill "$k_edit_tmp" "$k_edit_path" "$k_edit_mode" "$k_edit_owner" "$k_edit_group" "$@"; then rm -f -- "$k_edit_tmp"; return 1; fi
    if [ "$k_edit_backup" = 1 ] && [ -f "$k_edit_path" ] && ! k_backup "$k_edit_path"; then rm -f -- "$k_edit_tmp"; return 1; fi
    k_rename "$k_edit_tmp" "$k_edit_path" ;;
  esac
}

# k_edit_err TEXT: k_edit's error, said unless it is only probing.
k_edit_err() { [ "$k_edit_verb" = ok ] || k_err "$1"; }

# Runs the awk PROGRAM over $k_edit_src. Values reach awk in the environment, never as
# program text.
k_edit_awk() {
  K_SRC=$k_edit_src K_NOEOL=$k_edit_noeol K_OP=$k_edit_op K_PATH=$k_edit_path LC_ALL=C awk "$1" "$k_edit_src"
}

# k_line --line LINE [--regexp ERE] [--absent] [--first] [--where bof|eof|after|before]
# [--anchor ERE] [--program PROGRAM --replacement REPLACEMENT] (files.line, for k_edit):
# LINE is in the file, replacing the last line REGEXP matches (the first, with --first); or
# with --absent, no line matches REGEXP (or is LINE). A new line goes at WHERE: the start,
# the end (the default), or after or before the last line (the first, with --first)
# matching ANCHOR (the end when none does). With PROGRAM (REGEXP's matcher program, for
# back-references), a matching line becomes REPLACEMENT expanded from its first match.
k_line() (
  K_LINE='' K_RE='' K_PRESENT=1 K_FIRST=0 K_WHERE=eof K_AT='' K_RX='' K_REPL=''
  while [ "$#" -gt 0 ]; do
    case $1 in
    --line) K_LINE=$2; shift ;;
    --regexp) K_RE=$2; shift ;;
    --absent) K_PRESENT=0 ;;
    --first) K_FIRST=1 ;;
    --where) K_WHERE=$2; shift ;;
    --anchor) K_AT=$2; shift ;;
    --program) K_RX=$2; shift ;;
    --replacement) K_REPL=$2; shift ;;
    *) k_err "k_line: unknown option $1"; exit 64 ;;
    esac
    shift
  done
  export K_LINE K_RE K_PRESENT K_FIRST K_WHERE K_AT K_RX K_REPL
  k_edit_awk "$k_awk_edit$k_awk_line"
)

# k_block --begin MARKER --end MARKER --count N --lines LINES [--absent] [--first]
# [--blank-before] [--blank-after] [--where bof|eof|after|before] [--anchor ERE]
# (files.block, for k_edit): the N LINES (joined by newlines) between the marker lines,
# rewritten where they are, else at WHERE (as for k_line); with --absent, no block.
# --blank-before / --blank-after keep an empty line before / after the block where the
# neighbouring line is not empty and is not the file's start / end.
k_block() (
  K_BEGIN='' K_END='' K_FIRST=0 K_PREPEND=0 K_APPEND=0 K_PRESENT=1 K_NB=0 K_BLOCK='' K_WHERE=eof K_AT=''
  while [ "$#" -gt 0 ]; do
    case $1 in
    --begin) K_BEGIN=$2; shift ;;
    --end) K_END=$2; shift ;;
    --count) K_NB=$2; shift ;;
    --lines) K_BLOCK=$2; shift ;;
    --absent) K_PRESENT=0 ;;
    --first) K_FIRST=1 ;;
    --blank-before) K_PREPEND=1 ;;
    --blank-after) K_APPEND=1 ;;
    --where) K_WHERE=$2; shift ;;
    --anchor) K_AT=$2; shift ;;
    *) k_err "k_block: unknown option $1"; exit 64 ;;
    esac
    shift
  done
  export K_BEGIN K_END K_FIRST K_PREPEND K_APPEND K_PRESENT K_NB K_BLOCK K_WHERE K_AT
  k_edit_awk "$k_awk_edit$k_awk_block"
)

# k_replace --program PROGRAM --replacement REPLACEMENT [--after PROGRAM]
# [--before PROGRAM] (files.replace, for k_edit): every match of PROGRAM (a matcher
# program) in each line is replaced; with --after and --before (matcher programs, of
# patterns that match within a line), only in the text after the first match of AFTER and
# before the first match of BEFORE after it (without AFTER: the last match of BEFORE), as
# Ansible's replace; if either is not found, nothing. A result that would change again on
# the next run fails the edit before anything is written.
k_replace() (
  K_RX='' K_REPL='' K_AFTER='' K_BEFORE=''
  while [ "$#" -gt 0 ]; do
    case $1 in
    --program) K_RX=$2; shift ;;
    --replacement) K_REPL=$2; shift ;;
    --after) K_AFTER=$2; shift ;;
    --before) K_BEFORE=$2; shift ;;
    *) k_err "k_replace: unknown option $1"; exit 64 ;;
    esac
    shift
  done
  export K_RX K_REPL K_AFTER K_BEFORE
  k_edit_awk "$k_awk_edit$k_awk_replace"
)
