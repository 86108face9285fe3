# Become: shell code run as another user (sudo or su), with the become password checked
# once per run, reaching the other user's shell on standard input only.

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
  k_as_how=$1 k_as_user=$2
  shift 2
  if [ "$(id -un)" = "$k_as_user" ]; then
    (for k_as_part in "$@"; do eval "$k_as_part" || exit; done) </dev/null
    return
  fi
  case $k_as_how in
  sudo)
    if [ -z "${KILN_BECOME_PASS-}" ] || sudo -n -u "$k_as_user" true 2>/dev/null; then
      k_as_code "$@" | sudo -n -H -u "$k_as_user" -- sh -s
    else
      { k_print "$KILN_BECOME_PASS"; k_as_code "$@"; } | sudo -S -p '' -H -u "$k_as_user" -- sh -s
    fi ;;
  su)
    if [ -z "${KILN_BECOME_PASS-}" ]; then
      k_as_code "$@" | su -s /bin/sh "$k_as_user" -c 'exec sh -s'
    else
      { k_as_code "$@" | { k_print "$KILN_BECOME_PASS" | su -s /bin/sh "$k_as_user" -c 'exec 2>&4 4>&- <&3 3<&-
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

# k_quoted WORD...: k_quoted_text, the WORDs as shell code: each in single quotes (a `'` in
# one written `'\''`), after a space. Builtins only: secrets may be among the words.
k_quoted() {
  k_quoted_text=''
  for k_quoted_word in "$@"; do
    k_quoted_done=''
    while :; do
      case $k_quoted_word in
      *"'"*) k_quoted_done="$k_quoted_done${k_quoted_word%%"'"*}'\\''" k_quoted_word=${k_quoted_word#*"'"} ;;
      *) break ;;
      esac
    done
    k_quoted_text="$k_quoted_text '$k_quoted_done$k_quoted_word'"
  done
}
