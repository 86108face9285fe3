# Line edits (files.line, files.block, files.replace): k_edit reads the file (following
# trusted links) and runs the op's edit (k_line, k_block, k_replace: awk programs from
# edit_programs.sh over the file), to check it, to show the diff, or to write the result.

# k_edit VERB PATH MISSING MODE OWNER GROUP BACKUP FN [ARG]...
# `FN ARG...` (k_line, k_block, k_replace) prints PATH's desired content, computed from the
# file $k_edit_src. VERB `ok` succeeds when PATH already has it (and MODE, OWNER, GROUP); `act`
# writes it atomically with k_write (after a timestamped copy when BACKUP is 1); `diff`
# prints a unified diff to it. A symbolic link is followed: its target is edited. A missing
# PATH is MISSING: `empty` (an empty file, created only if the edit adds something), `fail`,
# or `fail-create` (fail, pointing at `create = true`).
k_edit() {
  k_edit_verb=$1 k_edit_path=$2 k_edit_mode=$4 k_edit_owner=$5 k_edit_group=$6 k_edit_backup=$7
  k_edit_links=0
  while [ -L "$k_edit_path" ]; do
    k_edit_links=$((k_edit_links + 1))
    if [ "$k_edit_links" -gt 40 ]; then k_edit_err "$2: too many levels of symbolic links"; return 1; fi
    # A link another user owns is never followed (see k_follows).
    if ! k_follows "$k_edit_path" 2>/dev/null; then
      k_edit_err "$2: $k_edit_path is a symbolic link owned by user ${k_stat_owner%%:*}: not following it"; return 1
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
    k_edit_err "$2 is a directory, not a file"; return 1
  elif [ -e "$k_edit_path" ]; then
    if [ ! -f "$k_edit_path" ]; then k_edit_err "$2 is not a regular file"; return 1; fi
  else
    case $3 in
    empty) k_edit_src=/dev/null ;;
    fail-create) k_edit_err "$2 does not exist (create = true creates it)"; return 1 ;;
    *) k_edit_err "$2 does not exist"; return 1 ;;
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
  shift 7
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

k_edit_err() { [ "$k_edit_verb" = ok ] || k_err "$1"; }

# Runs the awk PROGRAM over $k_edit_src. Values reach awk in the environment, never as
# program text.
k_edit_awk() {
  K_SRC=$k_edit_src K_NOEOL=$k_edit_noeol K_OP=$k_edit_op K_PATH=$k_edit_path LC_ALL=C awk "$1" "$k_edit_src"
}

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

# files.block: k_block BEGIN END FIRST PREPEND APPEND PRESENT COUNT LINES WHERE ANCHOR.
# LINES: the block's COUNT lines, joined by newlines. WHERE as for k_line (the last line
# matching ANCHOR, or FIRST). PREPEND / APPEND: keep an empty line before / after the block
# where the neighbouring line is not empty and is not the file's start / end.
k_block() (
  K_BEGIN=$1 K_END=$2 K_FIRST=$3 K_PREPEND=$4 K_APPEND=$5 K_PRESENT=$6 K_NB=$7 K_BLOCK=$8 K_WHERE=$9 K_AT=${10}
  export K_BEGIN K_END K_FIRST K_PREPEND K_APPEND K_PRESENT K_NB K_BLOCK K_WHERE K_AT
  k_edit_awk "$k_awk_edit$k_awk_block"
)

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
