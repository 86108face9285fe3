# Bytes out of the shell: values and file contents printed by builtins only (a secret must
# never be a process argument), comparing standard input with a file, unified diffs.

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
    k_bytes_format=$1
    eval 'k_bytes_format=${k_bytes_format//%%/%}
      for k_bytes_digit in 0 1 2 3 4 5 6 7; do k_bytes_format=${k_bytes_format//\\$k_bytes_digit/\\0$k_bytes_digit}; done'
    print -n -- "$k_bytes_format"
  else
    # shellcheck disable=SC2059
    printf "$1"
  fi
}

# Whether printf is not a builtin here but print is (mksh, lksh).
k_use_print() {
  if [ -z "${k_use_print_answer-}" ]; then
    k_use_print_answer=0
    case ${KSH_VERSION-} in *KSH*) command -v print >/dev/null 2>&1 && k_use_print_answer=1 ;; esac
  fi
  [ "$k_use_print_answer" = 1 ]
}

# k_text_out: k_text (a step's text content, set by its text function) as it is, from a
# builtin: a secret's content is never an argument.
# shellcheck disable=SC2154 # k_text is set by the step's text function
k_text_out() {
  if k_use_print; then print -rn -- "$k_text"; else printf '%s' "$k_text"; fi
}

# k_same_text FILE: whether FILE holds exactly k_text, decided by the shell alone: FILE is
# read a line at a time (`read` keeps a carriage return, and the last line tells whether a
# final newline is there) and stops at the first line that differs, so a long file costs
# no more than k_text's length and a line. What `read` cannot see: a NUL byte, which most
# shells drop (yash ends the line there), so a file that is k_text with NUL bytes added
# passes; kiln gives k_text only to content that is text (no NUL, at most 16 KiB; other
# content is compared by `cmp`), and docs/architecture.md says why that residual risk is
# taken.
k_same_text() {
  k_same_text_rest=$k_text k_same_text_line=
  while IFS= read -r k_same_text_line; do
    case $k_same_text_rest in
    "$k_same_text_line"'
'*) k_same_text_rest=${k_same_text_rest#"$k_same_text_line"'
'} ;;
    *) return 1 ;;
    esac
  done <"$1" || return 1
  [ "$k_same_text_rest" = "$k_same_text_line" ]
}

# Unified diff from PATH (or nothing) to the desired content on standard input, with
# stable labels instead of timestamps.
k_diffu() {
  if [ -f "$1" ]; then k_diffu_old=$1; else k_diffu_old=/dev/null; fi
  diff -u "$k_diffu_old" - | K_D=$1 awk '
    NR == 1 { print "--- " ENVIRON["K_D"]; next }
    NR == 2 { print "+++ " ENVIRON["K_D"] " (desired)"; next }
    { print }'
}

# Whether standard input is FILE's content (a missing FILE counts as empty).
k_same() { if [ -e "$1" ]; then cmp -s - "$1"; else cmp -s - /dev/null; fi; }
