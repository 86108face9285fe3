# Line edits (files.line, files.block, files.replace, files.ini): k_edit reads the file
# (following trusted links) and runs the op's edit (k_line, k_block, k_replace, k_ini: awk programs from
# edit_programs.sh over the file), to check it, to show the diff, or to write the result.
# A small file is read by the shell's own `read` first: whether its last line ends, and
# whether an exact line is in it, cost no process. A run of edits of one file fused by kiln
# is k_fused_edits (groups.sh): the file is read once and edited by one awk, which runs every
# member's edit in turn.

# k_edit ok|act|diff|member --path PATH [--missing empty|fail|fail-create] [--mode MODE]
# [--owner USER] [--group GROUP] [--backup] [--validate COMMAND] -- EDIT [ARG]...: `EDIT
# ARG...` (k_line, k_block, k_replace) prints PATH's desired content, computed from the
# file $k_edit_src. `ok` succeeds when PATH already has it (and MODE, OWNER, GROUP); `act`
# writes it atomically, as k_write does (after a timestamped copy with --backup), when the
# shell COMMAND accepts the new file, its path as $1 (else PATH stays as it was); `diff`
# prints a unified diff to it, after COMMAND accepted a candidate (k_candidate); `member` hands the edit and MISSING to the fused group being run, as
# its member k_edit_member (k_edit_run), and reads nothing. A symbolic link is followed: its
# target is edited. A missing PATH is MISSING: `empty` (an empty file, created only if the
# edit adds something), `fail` (the default), or `fail-create` (fail, pointing at
# `create = true`).
k_edit() {
  k_edit_verb=$1 k_edit_path='' k_edit_missing=fail k_edit_mode='' k_edit_owner='' k_edit_group='' k_edit_backup=0
  k_edit_validate=''
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --path) k_edit_path=$2; shift ;;
    --missing) k_edit_missing=$2; shift ;;
    --mode) k_edit_mode=$2; shift ;;
    --owner) k_edit_owner=$2; shift ;;
    --group) k_edit_group=$2; shift ;;
    --backup) k_edit_backup=1 ;;
    --validate) k_edit_validate=$2; shift ;;
    --) shift; break ;;
    *) k_err "k_edit: unknown option $1"; return 64 ;;
    esac
    shift
  done
  if [ "$k_edit_verb" = member ]; then
    k_edit_op=member
    export "K_${k_edit_member:?}_MISSING=$k_edit_missing"
    "$@"
    return
  fi
  k_edit_resolve || return 1
  k_edit_scan
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
    if [ -z "$k_edit_validate" ]; then "$@" | k_diffu "$k_edit_path"; return; fi
    k_candidate "$@" && k_candidate_valid sh -c "$k_edit_validate" sh || return 1
    k_diffu "$k_edit_path" < "$k_candidate_file"
    rm -f -- "$k_candidate_file" ;;
  act)
    k_edit_op=want
    k_edit_dir_for_new || return 1
    # The edit writes straight into a new private file beside PATH, renamed over it only
    # when the edit succeeded: a failed edit never reaches PATH.
    k_tmp_for "$k_edit_path" "$k_edit_mode" "$k_edit_owner" "$k_edit_group" || return 1
    k_edit_tmp=$k_tmp_beside_file
    if ! k_fill "$k_edit_tmp" "$k_edit_path" "$k_edit_mode" "$k_edit_owner" "$k_edit_group" "$@"; then rm -f -- "$k_edit_tmp"; return 1; fi
    if [ -n "$k_edit_validate" ] && ! sh -c "$k_edit_validate" sh "$k_edit_tmp"; then
      rm -f -- "$k_edit_tmp"; k_err "$k_edit_path: the new content is invalid, not installed"; return 1
    fi
    if [ "$k_edit_backup" = 1 ] && [ -f "$k_edit_path" ] && ! k_backup "$k_edit_path"; then rm -f -- "$k_edit_tmp"; return 1; fi
    k_rename "$k_edit_tmp" "$k_edit_path" ;;
  esac
}

# k_edit_resolve: the file k_edit works on, from k_edit_path as asked (kept in
# k_edit_asked): k_edit_path becomes the file at the end of its trusted links, k_edit_src
# the file to read (/dev/null for a missing file that MISSING lets be empty). Fails, saying
# why unless only probing, on a directory, something not a regular file, a link another
# user owns, too many links, or a missing file that must exist.
k_edit_resolve() {
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
}

# k_edit_err TEXT: k_edit's error, said unless it is only probing.
k_edit_err() { [ "$k_edit_verb" = ok ] || k_err "$1"; }

# k_edit_scan: reads k_edit_src with the shell's `read` (no process) while it is small:
# k_edit_noeol, 1 when its last line lacks a newline (awk cannot tell); k_edit_whole, 1 when
# it was read whole, then k_edit_text holds its lines, each between newlines (a `\r` ending
# kept; a NUL byte, which no text file holds, is lost). A larger file costs one `tail` for
# k_edit_noeol. The file last scanned is not read again while k_edit_keep is 1 (a fused
# group reads its file once).
k_edit_scan() {
  if [ "${k_edit_keep-}" = 1 ] && [ "${k_edit_scanned-}" = "$k_edit_src" ]; then return 0; fi
  k_edit_scanned=$k_edit_src k_edit_noeol=0 k_edit_whole=1 k_edit_size=0 k_edit_line='' k_edit_text='
'
  # A file the shell cannot read is left to awk, which says so.
  [ -r "$k_edit_src" ] || k_edit_whole=0
  while [ "$k_edit_whole" = 1 ] && IFS= read -r k_edit_line; do
    k_edit_text="$k_edit_text$k_edit_line
"
    # Characters, not bytes, in a multibyte locale: a limit, not a measure.
    k_edit_size=$((k_edit_size + ${#k_edit_line} + 1))
    if [ "$k_edit_size" -gt 16384 ]; then k_edit_whole=0; break; fi
  done < "$k_edit_src" 2>/dev/null
  if [ "$k_edit_whole" = 0 ]; then
    # The `.` keeps a last newline from being stripped by the command substitution.
    k_edit_last=$(tail -c 1 -- "$k_edit_src"; echo .)
    [ "$k_edit_last" = "
." ] || k_edit_noeol=1
  elif [ -n "$k_edit_line" ]; then
    k_edit_noeol=1 k_edit_text="$k_edit_text$k_edit_line
"
  fi
}

# k_edit_dir_for_new: k_split_dir, the directory of the file k_edit writes, made first
# when the file is new and it is missing.
k_edit_dir_for_new() {
  k_split "$k_edit_path"
  [ "$k_edit_src" != /dev/null ] || [ -d "$k_split_dir" ] || mkdir -p -- "$k_split_dir"
}

# k_edit_run KIND NAME...: the edit KIND (line, block or replace; its values in the
# variables NAME..., K_LINE, ...) over k_edit_src by awk, the values exported for awk alone;
# or, for a fused group (k_edit_op `member`), only handed on in the environment under the
# member's number (K_2_LINE, K_2_EDIT), for the group's one awk (k_edits_awk). (NAME...
# are names: SC2163 does not apply.)
# shellcheck disable=SC2163
k_edit_run() {
  k_edit_run_kind=$1
  shift
  if [ "$k_edit_op" = member ]; then
    export "K_${k_edit_member:?}_EDIT=$k_edit_run_kind"
    for k_edit_run_name in "$@"; do
      eval "export K_${k_edit_member:?}_${k_edit_run_name#K_}=\"\${$k_edit_run_name}\""
    done
    return 0
  fi
  export "$@"
  K_EDIT=$k_edit_run_kind K_SRC=$k_edit_src K_NOEOL=$k_edit_noeol K_OP=$k_edit_op K_PATH=$k_edit_path LC_ALL=C \
    awk "$k_awk_edit$k_awk_edit_kinds$k_awk_line$k_awk_block$k_awk_replace$k_awk_ini" "$k_edit_src"
  k_edit_run_status=$?
  unset "$@"
  return "$k_edit_run_status"
}

# k_edits_awk SAID MEMBER...: the fused group's one awk over k_edit_src: each MEMBER's edit
# (handed on by `k_edit member`, numbered in order) applied to what the ones before it
# made, and checked again after it changed something, as k_step checks; it writes each
# one's outcome (ok, changed, failed, or unsettled: changed, but its check still fails) on
# one line to the file SAID, stopping after a failure, and, when something changed, prints
# the result of those that succeeded. MEMBER is `FUNCTION ARG...` quoted (k_quoted). Run in
# a subshell: the members' values are exported for awk.
k_edits_awk() (
  K_SAID=$1
  shift
  k_edit_member=0
  for k_edits_awk_words in "$@"; do
    k_edit_member=$((k_edit_member + 1))
    eval "set -- $k_edits_awk_words"
    k_edits_awk_function=$1
    shift
    "$k_edits_awk_function" member "$@" || exit 1
  done
  k_edits_awk_exists=1
  [ "$k_edit_src" != /dev/null ] || k_edits_awk_exists=0
  K_MEMBERS=$k_edit_member K_EXISTS=$k_edits_awk_exists K_ASKED=$k_edit_asked K_SAID=$K_SAID \
    K_SRC=$k_edit_src K_NOEOL=$k_edit_noeol K_PATH=$k_edit_path LC_ALL=C \
    awk "$k_awk_edit$k_awk_edit_kinds$k_awk_line$k_awk_block$k_awk_replace$k_awk_ini" "$k_edit_src"
)

# k_line --line LINE [--regexp ERE] [--absent] [--first] [--where bof|eof|after|before]
# [--anchor ERE] [--program PROGRAM --replacement REPLACEMENT] (files.line, for k_edit):
# LINE is in the file, replacing the last line REGEXP matches (the first, with --first); or
# with --absent, no line matches REGEXP (or is LINE). A new line goes at WHERE: the start,
# the end (the default), or after or before the last line (the first, with --first)
# matching ANCHOR (the end when none does). With PROGRAM (REGEXP's matcher program, for
# back-references), a matching line becomes REPLACEMENT expanded from its first match.
# Without REGEXP, the check of a file read whole (k_edit_scan) is the shell's: whether LINE
# is one of its lines, with or without a `\r` ending.
# The K_ values are exported by name (k_edit_run).
# shellcheck disable=SC2034
k_line() {
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
    *) k_err "k_line: unknown option $1"; return 64 ;;
    esac
    shift
  done
  if [ "$k_edit_op" = check ] && [ "$k_edit_whole" = 1 ] && [ -z "$K_RE$K_RX" ]; then
    case $k_edit_text in
    *"
$K_LINE
"*) [ "$K_PRESENT" = 1 ]; return ;;
    *"
$K_LINE"[[:cntrl:]]"
"*)
      # A CRLF file, perhaps: a `\r` (made once per run) tells.
      k_edit_cr=${k_edit_cr-$(printf '\r')}
      case $k_edit_text in
      *"
$K_LINE$k_edit_cr
"*) [ "$K_PRESENT" = 1 ]; return ;;
      esac ;;
    esac
    [ "$K_PRESENT" = 0 ]
    return
  fi
  k_edit_run line K_LINE K_RE K_PRESENT K_FIRST K_WHERE K_AT K_RX K_REPL
}

# k_block --begin MARKER --end MARKER --count N --lines LINES [--absent] [--first]
# [--blank-before] [--blank-after] [--where bof|eof|after|before] [--anchor ERE]
# (files.block, for k_edit): the N LINES (joined by newlines) between the marker lines,
# rewritten where they are, else at WHERE (as for k_line); with --absent, no block.
# --blank-before / --blank-after keep an empty line before / after the block where the
# neighbouring line is not empty and is not the file's start / end.
# The K_ values are exported by name (k_edit_run).
# shellcheck disable=SC2034
k_block() {
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
    *) k_err "k_block: unknown option $1"; return 64 ;;
    esac
    shift
  done
  k_edit_run block K_BEGIN K_END K_FIRST K_PREPEND K_APPEND K_PRESENT K_NB K_BLOCK K_WHERE K_AT
}

# k_replace --program PROGRAM --replacement REPLACEMENT [--after PROGRAM]
# [--before PROGRAM] (files.replace, for k_edit): every match of PROGRAM (a matcher
# program) in each line is replaced; with --after and --before (matcher programs, of
# patterns that match within a line), only in the text after the first match of AFTER and
# before the first match of BEFORE after it (without AFTER: the last match of BEFORE), as
# Ansible's replace; if either is not found, nothing. A result that would change again on
# the next run fails the edit before anything is written.
# The K_ values are exported by name (k_edit_run).
# shellcheck disable=SC2034
k_replace() {
  K_RX='' K_REPL='' K_AFTER='' K_BEFORE=''
  while [ "$#" -gt 0 ]; do
    case $1 in
    --program) K_RX=$2; shift ;;
    --replacement) K_REPL=$2; shift ;;
    --after) K_AFTER=$2; shift ;;
    --before) K_BEFORE=$2; shift ;;
    *) k_err "k_replace: unknown option $1"; return 64 ;;
    esac
    shift
  done
  k_edit_run replace K_RX K_REPL K_AFTER K_BEFORE
}

# k_ini [--section SECTION] [--option OPTION] [--value VALUE] [--no-value] [--absent]
# [--keep-others] [--tight] (files.ini, for k_edit): in SECTION (without: the lines before
# the first section), OPTION is set to VALUE (`OPTION = VALUE`, `OPTION=VALUE` with
# --tight; OPTION alone with --no-value), replacing the first line that sets it (or sets
# it in a comment, `#OPTION = ...`) and removing its other lines unless --keep-others; a
# new line goes after the section's last line that is neither blank nor a comment, a new
# section at the end of the file. Without OPTION, SECTION exists. With --absent, OPTION's
# lines are removed (only those with VALUE, given --keep-others and VALUE), or without
# OPTION the whole SECTION.
# The K_ values are exported by name (k_edit_run).
# shellcheck disable=SC2034
k_ini() {
  K_SECTION='' K_OPTION='' K_VALUE='' K_NOVALUE=0 K_PRESENT=1 K_EXCLUSIVE=1 K_TIGHT=0
  while [ "$#" -gt 0 ]; do
    case $1 in
    --section) K_SECTION=$2; shift ;;
    --option) K_OPTION=$2; shift ;;
    --value) K_VALUE=$2; shift ;;
    --no-value) K_NOVALUE=1 ;;
    --absent) K_PRESENT=0 ;;
    --keep-others) K_EXCLUSIVE=0 ;;
    --tight) K_TIGHT=1 ;;
    *) k_err "k_ini: unknown option $1"; return 64 ;;
    esac
    shift
  done
  k_edit_run ini K_SECTION K_OPTION K_VALUE K_NOVALUE K_PRESENT K_EXCLUSIVE K_TIGHT
}
