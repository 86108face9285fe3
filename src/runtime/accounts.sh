# Accounts: entries of the passwd, group and shadow databases, supplementary groups, and
# commands run as another user.

# An entry of the passwd, group or shadow database: getent, else the file.
k_getent() {
  if command -v getent >/dev/null 2>&1; then getent "$1" "$2"; return; fi
  K_K=$2 awk -F: '$1 == ENVIRON["K_K"] { print; f = 1; exit } END { exit !f }' "/etc/$1"
}

# Field N of a colon-separated database entry: k_field ENTRY N (a shadow entry's hash
# too: no process sees it).
k_field() {
  k_field_rest=$1 k_field_number=$2
  while [ "$k_field_number" -gt 1 ]; do
    case $k_field_rest in *:*) k_field_rest=${k_field_rest#*:} ;; *) k_field_rest= ;; esac
    k_field_number=$((k_field_number - 1))
  done
  k_print "${k_field_rest%%:*}"
}

# A group's name, given its name or number.
k_group_name() {
  if k_group_name_entry=$(k_getent group "$1") && [ -n "$k_group_name_entry" ]; then k_field "$k_group_name_entry" 1; else printf '%s\n' "$1"; fi
}

# Whether USER's supplementary groups are exactly GROUP... (with APPEND=1: include them):
# k_groups_ok USER APPEND GROUP...
k_groups_ok() {
  k_groups_ok_user=$1 k_groups_ok_append=$2
  shift 2
  k_groups_ok_primary=$(id -gn "$k_groups_ok_user") || return 1
  k_groups_ok_has=$(id -Gn "$k_groups_ok_user" | tr ' ' '\n' | grep -vxF -e "$k_groups_ok_primary" | sort -u)
  k_groups_ok_want=$(for k_groups_ok_group in "$@"; do k_group_name "$k_groups_ok_group"; done | grep -vxF -e "$k_groups_ok_primary" | sort -u)
  if [ "$k_groups_ok_append" = 1 ]; then
    [ -z "$(printf '%s\n' "$k_groups_ok_has" "$k_groups_ok_has" "$k_groups_ok_want" | sort | uniq -u)" ]
  else
    [ "$k_groups_ok_has" = "$k_groups_ok_want" ]
  fi
}

# Runs CMD... as USER (empty: as is), through sudo when installed, else su.
k_run_as() {
  k_run_as_user=$1
  shift
  if [ -z "$k_run_as_user" ] || [ "$(id -un)" = "$k_run_as_user" ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n -H -u "$k_run_as_user" -- "$@"
  else su -s /bin/sh -- "$k_run_as_user" -c 'exec "$0" "$@"' "$@"
  fi
}
