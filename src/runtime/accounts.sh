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

# k_account_absent ok|act|diff group|user NAME: the group or user NAME does not exist;
# removed by `groupdel`/`userdel` (shadow-utils), else `delgroup`/`deluser` (busybox,
# Alpine).
k_account_absent() {
  case $2 in group) k_account_absent_db=group ;; *) k_account_absent_db=passwd ;; esac
  case $1 in
  ok) ! k_getent "$k_account_absent_db" "$3" >/dev/null ;;
  act) if command -v "$2del" >/dev/null 2>&1; then "$2del" "$3"; else "del$2" "$3"; fi ;;
  diff) printf 'remove %s %s\n' "$2" "$3" ;;
  esac
}

# k_group ok|act|diff --name GROUP [--gid GID] [--system] [--absent] (server.group): the
# group exists (with GID, when given; a system group with --system, when made), or with
# --absent not; groupadd, groupmod and groupdel, else busybox's addgroup and delgroup.
k_group() {
  k_group_verb=$1 k_group_name='' k_group_gid='' k_group_system=0 k_group_absent=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --name) k_group_name=$2; shift ;;
    --gid) k_group_gid=$2; shift ;;
    --system) k_group_system=1 ;;
    --absent) k_group_absent=1 ;;
    *) k_err "k_group: unknown option $1"; return 64 ;;
    esac
    shift
  done
  if [ "$k_group_absent" = 1 ]; then k_account_absent "$k_group_verb" group "$k_group_name"; return; fi
  k_group_entry=$(k_getent group "$k_group_name") && [ -n "$k_group_entry" ] || k_group_entry=''
  case $k_group_verb in
  ok) [ -n "$k_group_entry" ] && { [ -z "$k_group_gid" ] || [ "$(k_field "$k_group_entry" 3)" = "$k_group_gid" ]; } ;;
  act)
    set --
    if [ -n "$k_group_entry" ]; then
      [ -z "$k_group_gid" ] || groupmod -g "$k_group_gid" "$k_group_name"
    elif command -v groupadd >/dev/null 2>&1; then
      if [ "$k_group_system" = 1 ]; then set -- -r; fi
      if [ -n "$k_group_gid" ]; then set -- "$@" -g "$k_group_gid"; fi
      groupadd "$@" "$k_group_name"
    else
      if [ "$k_group_system" = 1 ]; then set -- -S; fi
      if [ -n "$k_group_gid" ]; then set -- "$@" -g "$k_group_gid"; fi
      addgroup "$@" "$k_group_name"
    fi ;;
  diff)
    if [ -z "$k_group_entry" ]; then
      printf 'create group %s\n' "$k_group_name"
    elif [ -n "$k_group_gid" ]; then
      k_group_now=$(k_field "$k_group_entry" 3)
      [ "$k_group_now" = "$k_group_gid" ] || printf 'gid: %s -> %s\n' "$k_group_now" "$k_group_gid"
    fi
    return 0 ;;
  esac
}

# k_user ok|act|diff --name USER [--uid UID] [--group GROUP] [--groups LIST [--append]]
# [--home DIR] [--shell SHELL] [--comment TEXT] [--password-hash HASH] [--system]
# [--create-home] [--absent] (server.user): the account exists with what is given (the
# supplementary groups of LIST, one a line, exactly, or with --append among others; the
# password's crypt(3) HASH), made with useradd (a system account with --system, its home
# with --create-home), else busybox's adduser, and changed with usermod; or with --absent
# it does not exist. The hash reaches chpasswd on its standard input, from a builtin.
k_user() {
  k_user_verb=$1 k_user_name='' k_user_uid='' k_user_group='' k_user_groups='' k_user_groups_given=0
  k_user_append=0 k_user_home='' k_user_shell='' k_user_comment='' k_user_hash='' k_user_system=0
  k_user_create_home=0 k_user_absent=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --name) k_user_name=$2; shift ;;
    --uid) k_user_uid=$2; shift ;;
    --group) k_user_group=$2; shift ;;
    --groups) k_user_groups=$2 k_user_groups_given=1; shift ;;
    --append) k_user_append=1 ;;
    --home) k_user_home=$2; shift ;;
    --shell) k_user_shell=$2; shift ;;
    --comment) k_user_comment=$2; shift ;;
    --password-hash) k_user_hash=$2; shift ;;
    --system) k_user_system=1 ;;
    --create-home) k_user_create_home=1 ;;
    --absent) k_user_absent=1 ;;
    *) k_err "k_user: unknown option $1"; return 64 ;;
    esac
    shift
  done
  if [ "$k_user_absent" = 1 ]; then k_account_absent "$k_user_verb" user "$k_user_name"; return; fi
  k_user_entry=$(k_getent passwd "$k_user_name") && [ -n "$k_user_entry" ] || k_user_entry=''
  # The supplementary groups: as words, and joined for usermod and useradd.
  k_user_joined=''
  k_user_ifs=$IFS
  IFS='
'
  set -f
  # shellcheck disable=SC2086
  set -- $k_user_groups
  set +f
  IFS=$k_user_ifs
  for k_user_word in "$@"; do k_user_joined=${k_user_joined:+$k_user_joined,}$k_user_word; done
  case $k_user_verb in
  ok)
    [ -n "$k_user_entry" ] || return 1
    for k_user_property in uid group groups home shell comment password; do
      k_user_has "$k_user_property" "$@" || return 1
    done ;;
  act)
    if [ -n "$k_user_entry" ]; then
      k_user_run usermod || return 1
    elif command -v useradd >/dev/null 2>&1; then
      k_user_run useradd || return 1
    else
      k_user_run adduser || return 1
    fi
    if [ -n "$k_user_hash" ]; then k_print "$k_user_name:$k_user_hash" | chpasswd -e; fi ;;
  diff)
    if [ -z "$k_user_entry" ]; then
      printf 'create user %s\n' "$k_user_name"
      return 0
    fi
    for k_user_property in uid group groups home shell comment password; do
      k_user_has "$k_user_property" "$@" || k_user_show "$k_user_property" "$@"
    done
    return 0 ;;
  esac
}

# k_user_has PROPERTY GROUP...: whether k_user's account has the PROPERTY asked for (or
# it is not asked for); GROUP... are the supplementary groups.
k_user_has() {
  case $1 in
  uid) [ -z "$k_user_uid" ] || [ "$(k_field "$k_user_entry" 3)" = "$k_user_uid" ] ;;
  group) [ -z "$k_user_group" ] || [ "$(id -gn "$k_user_name")" = "$k_user_group" ] || [ "$(id -g "$k_user_name")" = "$k_user_group" ] ;;
  groups) shift; [ "$k_user_groups_given" = 0 ] || k_groups_ok "$k_user_name" "$k_user_append" "$@" ;;
  home) [ -z "$k_user_home" ] || [ "$(k_field "$k_user_entry" 6)" = "$k_user_home" ] ;;
  shell) [ -z "$k_user_shell" ] || [ "$(k_field "$k_user_entry" 7)" = "$k_user_shell" ] ;;
  comment) [ -z "$k_user_comment" ] || [ "$(k_field "$k_user_entry" 5)" = "$k_user_comment" ] ;;
  password) [ -z "$k_user_hash" ] || [ "$(k_field "$(k_getent shadow "$k_user_name")" 2)" = "$k_user_hash" ] ;;
  esac
}

# k_user_show PROPERTY GROUP...: `PROPERTY: NOW -> WANTED`, for k_user's diff.
k_user_show() {
  case $1 in
  uid) printf '%s: %s -> %s\n' uid "$(k_field "$k_user_entry" 3)" "$k_user_uid" ;;
  group) printf '%s: %s -> %s\n' group "$(id -gn "$k_user_name")" "$k_user_group" ;;
  groups) shift; printf '%s: %s -> %s\n' groups "$(id -Gn "$k_user_name")" "$*" ;;
  home) printf '%s: %s -> %s\n' home "$(k_field "$k_user_entry" 6)" "$k_user_home" ;;
  shell) printf '%s: %s -> %s\n' shell "$(k_field "$k_user_entry" 7)" "$k_user_shell" ;;
  comment) printf '%s: %s -> %s\n' comment "$(k_field "$k_user_entry" 5)" "$k_user_comment" ;;
  password) printf '%s: %s -> %s\n' password '(hidden)' '(hidden)' ;;
  esac
}

# k_user_run usermod|useradd|adduser: the tool run for k_user's account with the options
# asked for (usermod: those that change; nothing to change, nothing run).
k_user_run() {
  k_user_tool=$1
  set --
  case $k_user_tool in
  useradd)
    if [ "$k_user_system" = 1 ]; then set -- -r; fi
    if [ "$k_user_create_home" = 1 ]; then set -- "$@" -m; else set -- "$@" -M; fi ;;
  adduser)
    set -- -D
    if [ "$k_user_system" = 1 ]; then set -- "$@" -S; fi
    if [ "$k_user_create_home" = 0 ]; then set -- "$@" -H; fi ;;
  esac
  if [ -n "$k_user_uid" ]; then set -- "$@" -u "$k_user_uid"; fi
  if [ -n "$k_user_group" ]; then
    if [ "$k_user_tool" = adduser ]; then set -- "$@" -G "$k_user_group"; else set -- "$@" -g "$k_user_group"; fi
  fi
  case $k_user_tool in
  usermod)
    if [ "$k_user_groups_given" = 1 ]; then
      set -- "$@" -G "$k_user_joined"
      if [ "$k_user_append" = 1 ]; then set -- "$@" -a; fi
    fi ;;
  useradd) if [ -n "$k_user_joined" ]; then set -- "$@" -G "$k_user_joined"; fi ;;
  esac
  if [ -n "$k_user_home" ]; then
    if [ "$k_user_tool" = adduser ]; then set -- "$@" -h "$k_user_home"; else set -- "$@" -d "$k_user_home"; fi
  fi
  if [ -n "$k_user_shell" ]; then set -- "$@" -s "$k_user_shell"; fi
  if [ -n "$k_user_comment" ]; then
    if [ "$k_user_tool" = adduser ]; then set -- "$@" -g "$k_user_comment"; else set -- "$@" -c "$k_user_comment"; fi
  fi
  case $k_user_tool in
  usermod)
    [ "$#" -gt 0 ] || return 0
    usermod "$@" "$k_user_name" ;;
  useradd)
    if [ -z "$k_user_group" ] && k_getent group "$k_user_name" >/dev/null; then set -- "$@" -g "$k_user_name"; fi
    useradd "$@" "$k_user_name" ;;
  adduser)
    adduser "$@" "$k_user_name" || return 1
    k_user_rest=$k_user_joined
    while [ -n "$k_user_rest" ]; do
      addgroup "$k_user_name" "${k_user_rest%%,*}" || return 1
      case $k_user_rest in *,*) k_user_rest=${k_user_rest#*,} ;; *) k_user_rest='' ;; esac
    done ;;
  esac
}

# k_authorized_keys ok|act|diff --user USER [--path FILE] --keys KEYS [--absent]
# [--exclusive] (server.authorized_keys): the KEYS (one a line) are in USER's
# ~/.ssh/authorized_keys (or FILE), or with --absent not; with --exclusive no other key is
# (k_auth_keys). Present, the file is USER's, 0600, and the default ~/.ssh directory
# USER's, 0700 (a given FILE's directory is only made when missing, never re-owned: it may
# be shared). A user that does not exist has no home: the op fails rather than write to
# /.ssh.
k_authorized_keys() {
  k_authorized_keys_verb=$1 k_authorized_keys_user='' k_authorized_keys_path='' k_authorized_keys_keys=''
  k_authorized_keys_absent=0 k_authorized_keys_exclusive=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --user) k_authorized_keys_user=$2; shift ;;
    --path) k_authorized_keys_path=$2; shift ;;
    --keys) k_authorized_keys_keys=$2; shift ;;
    --absent) k_authorized_keys_absent=1 ;;
    --exclusive) k_authorized_keys_exclusive=1 ;;
    *) k_err "k_authorized_keys: unknown option $1"; return 64 ;;
    esac
    shift
  done
  if [ -n "$k_authorized_keys_path" ]; then
    k_authorized_keys_file=$k_authorized_keys_path
  else
    k_authorized_keys_file=$(k_field "$(k_getent passwd "$k_authorized_keys_user")" 6)/.ssh/authorized_keys
  fi
  k_authorized_keys_dir=${k_authorized_keys_file%/*}
  set -- k_auth_keys --keys "$k_authorized_keys_keys"
  if [ "$k_authorized_keys_absent" = 1 ]; then set -- "$@" --absent; fi
  if [ "$k_authorized_keys_exclusive" = 1 ]; then set -- "$@" --exclusive; fi
  if [ "$k_authorized_keys_verb" != diff ] && ! k_getent passwd "$k_authorized_keys_user" >/dev/null; then
    k_err "no user $k_authorized_keys_user"; return 1
  fi
  case $k_authorized_keys_verb:$k_authorized_keys_absent in
  ok:1 | act:1 | diff:*) k_filter_file "$k_authorized_keys_verb" --path "$k_authorized_keys_file" -- "$@" ;;
  ok:0)
    k_filter_file ok --path "$k_authorized_keys_file" -- "$@" &&
      k_attrs_ok "$k_authorized_keys_file" 0600 "$k_authorized_keys_user" '' &&
      { [ -n "$k_authorized_keys_path" ] || k_attrs_ok "$k_authorized_keys_dir" 0700 "$k_authorized_keys_user" ''; } ;;
  act:0)
    { [ -d "$k_authorized_keys_dir" ] || mkdir -p -- "$k_authorized_keys_dir"; } &&
      { [ -n "$k_authorized_keys_path" ] || k_attrs "$k_authorized_keys_dir" 0700 "$k_authorized_keys_user" ''; } &&
      k_filter_file act --path "$k_authorized_keys_file" -- "$@" &&
      k_attrs "$k_authorized_keys_file" 0600 "$k_authorized_keys_user" '' ;;
  esac
}
