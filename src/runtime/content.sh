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
