# SELinux: its mode (running, and at boot in its configuration file), its booleans and the
# file contexts of its policy, through the tools of policycoreutils (getenforce,
# setenforce, getsebool, setsebool, semanage, restorecon).

# k_selinux_tools COMMAND...: whether every COMMAND is installed; else says which is
# missing, and fails.
k_selinux_tools() {
  for k_selinux_tools_command in "$@"; do
    command -v "$k_selinux_tools_command" >/dev/null 2>&1 && continue
    k_err "$k_selinux_tools_command is not installed: SELinux's tools are needed (policycoreutils, and semanage's python3-policycoreutils or policycoreutils-python-utils)"
    return 1
  done
}

# k_selinux_state ok|act|diff --state enforcing|permissive|disabled [--policy POLICY]
# --config FILE (selinux.state): FILE (`/etc/selinux/config`) says SELINUX=STATE (and
# SELINUXTYPE=POLICY when given), and the running mode (`getenforce`) is STATE; a running
# mode is changed by `setenforce` only between enforcing and permissive: from disabled, or
# to disabled, it takes a reboot, which the act says (the configuration is written, and
# `disabled` makes an enforcing host permissive until then).
k_selinux_state() {
  k_selinux_state_verb=$1 k_selinux_state_want='' k_selinux_state_policy='' k_selinux_state_config=''
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --state) k_selinux_state_want=$2; shift ;;
    --policy) k_selinux_state_policy=$2; shift ;;
    --config) k_selinux_state_config=$2; shift ;;
    *) k_err "k_selinux_state: unknown option $1"; return 64 ;;
    esac
    shift
  done
  k_selinux_tools getenforce setenforce || return 1
  k_selinux_state_running=$(getenforce | tr '[:upper:]' '[:lower:]') || return 1
  case $k_selinux_state_want:$k_selinux_state_running in
  enforcing:permissive) k_selinux_state_set=1 ;;
  permissive:enforcing | disabled:enforcing) k_selinux_state_set=0 ;;
  *) k_selinux_state_set='' ;;
  esac
  case $k_selinux_state_verb in
  ok) [ -z "$k_selinux_state_set" ] && k_selinux_state_configured ;;
  act)
    if ! k_selinux_state_configured; then
      k_selinux_state_written | k_write "$k_selinux_state_config" '' '' '' || return 1
    fi
    if [ -n "$k_selinux_state_set" ]; then setenforce "$k_selinux_state_set" || return 1; fi
    if k_selinux_state_reboots; then
      k_err "SELinux stays $k_selinux_state_running until the host reboots (then $k_selinux_state_want)"
    fi ;;
  diff)
    k_selinux_state_configured || k_selinux_state_written | k_diffu "$k_selinux_state_config"
    if [ -n "$k_selinux_state_set" ]; then printf 'setenforce %s\n' "$k_selinux_state_set"; fi
    if k_selinux_state_reboots; then printf 'SELinux stays %s until the host reboots\n' "$k_selinux_state_running"; fi ;;
  esac
}

# Whether k_selinux_state's mode takes a reboot: the host does not run it, and setenforce
# cannot make it (from disabled, or to disabled).
k_selinux_state_reboots() {
  [ "$k_selinux_state_want" != "$k_selinux_state_running" ] &&
    { [ -z "$k_selinux_state_set" ] || [ "$k_selinux_state_want" = disabled ]; }
}

# Whether k_selinux_state's configuration file says its state (and policy).
k_selinux_state_configured() {
  [ -f "$k_selinux_state_config" ] &&
    K_S=$k_selinux_state_want K_P=$k_selinux_state_policy awk -F= '
      $1 == "SELINUX" { s = $2 } $1 == "SELINUXTYPE" { p = $2 }
      END { exit !(s == ENVIRON["K_S"] && (ENVIRON["K_P"] == "" || p == ENVIRON["K_P"])) }' "$k_selinux_state_config"
}

# Prints k_selinux_state's configuration file with its state (and policy) set: the
# existing SELINUX= (SELINUXTYPE=) line replaced, or one added at the end.
k_selinux_state_written() {
  { [ ! -f "$k_selinux_state_config" ] || cat -- "$k_selinux_state_config"; } |
    K_S=$k_selinux_state_want K_P=$k_selinux_state_policy awk '
      /^SELINUX=/ { print "SELINUX=" ENVIRON["K_S"]; s = 1; next }
      /^SELINUXTYPE=/ && ENVIRON["K_P"] != "" { print "SELINUXTYPE=" ENVIRON["K_P"]; p = 1; next }
      { print }
      END { if (!s) print "SELINUX=" ENVIRON["K_S"]; if (!p && ENVIRON["K_P"] != "") print "SELINUXTYPE=" ENVIRON["K_P"] }'
}

# k_selinux_boolean ok|act|diff --name NAME --value on|off [--persistent]
# (selinux.boolean): the boolean NAME is VALUE (`getsebool`); the act sets it with
# `setsebool`, with --persistent across reboots too (`-P`).
k_selinux_boolean() {
  k_selinux_boolean_verb=$1 k_selinux_boolean_name='' k_selinux_boolean_value='' k_selinux_boolean_persistent=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --name) k_selinux_boolean_name=$2; shift ;;
    --value) k_selinux_boolean_value=$2; shift ;;
    --persistent) k_selinux_boolean_persistent=1 ;;
    *) k_err "k_selinux_boolean: unknown option $1"; return 64 ;;
    esac
    shift
  done
  k_selinux_tools getsebool setsebool || return 1
  # `getsebool NAME` prints `NAME --> on`.
  k_selinux_boolean_now=$(getsebool -- "$k_selinux_boolean_name") || return 1
  k_selinux_boolean_now=${k_selinux_boolean_now##* }
  case $k_selinux_boolean_verb in
  ok) [ "$k_selinux_boolean_now" = "$k_selinux_boolean_value" ] ;;
  act)
    if [ "$k_selinux_boolean_persistent" = 1 ]; then
      setsebool -P "$k_selinux_boolean_name" "$k_selinux_boolean_value"
    else
      setsebool "$k_selinux_boolean_name" "$k_selinux_boolean_value"
    fi ;;
  diff) printf '%s: %s -> %s\n' "$k_selinux_boolean_name" "$k_selinux_boolean_now" "$k_selinux_boolean_value" ;;
  esac
}

# k_selinux_fcontext ok|act|diff --target REGEX --ftype a|f|d|c|b|s|l|p [--setype TYPE]
# [--seuser USER] [--selevel LEVEL] [--absent] [--restorecon PATH] (selinux.fcontext): the
# file context rules (`semanage fcontext -l`) give files matching REGEX of that file type
# the context of TYPE (USER, LEVEL): a rule for them is changed (`-m`, which a rule of the
# policy takes too), else one is added (`-a`); with --absent no local rule is there
# (`semanage fcontext -l -C`, then `-d`). After a change, --restorecon relabels PATH
# (`restorecon -R`).
k_selinux_fcontext() {
  k_selinux_fcontext_verb=$1 k_selinux_fcontext_target='' k_selinux_fcontext_ftype=a k_selinux_fcontext_setype=''
  k_selinux_fcontext_seuser='' k_selinux_fcontext_selevel='' k_selinux_fcontext_absent=0 k_selinux_fcontext_restorecon=''
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --target) k_selinux_fcontext_target=$2; shift ;;
    --ftype) k_selinux_fcontext_ftype=$2; shift ;;
    --setype) k_selinux_fcontext_setype=$2; shift ;;
    --seuser) k_selinux_fcontext_seuser=$2; shift ;;
    --selevel) k_selinux_fcontext_selevel=$2; shift ;;
    --absent) k_selinux_fcontext_absent=1 ;;
    --restorecon) k_selinux_fcontext_restorecon=$2; shift ;;
    *) k_err "k_selinux_fcontext: unknown option $1"; return 64 ;;
    esac
    shift
  done
  k_selinux_tools semanage || return 1
  # The context a rule gives, `user:role:type:level` (empty: none): of the policy's and
  # the local rules, or for --absent of the local ones alone (the policy's cannot go).
  if [ "$k_selinux_fcontext_absent" = 1 ]; then set -- -C; else set --; fi
  k_selinux_fcontext_now=$(LC_ALL=C semanage fcontext -l "$@" | K_T=$k_selinux_fcontext_target K_F=$k_selinux_fcontext_ftype awk '
    BEGIN { kinds["a"] = "all files"; kinds["f"] = "regular file"; kinds["d"] = "directory"; kinds["c"] = "character device"
      kinds["b"] = "block device"; kinds["s"] = "socket"; kinds["l"] = "symbolic link"; kinds["p"] = "named pipe" }
    $1 == ENVIRON["K_T"] { kind = $0; sub(/^[^ \t]+[ \t]+/, "", kind); sub(/[ \t]+[^ \t]+$/, "", kind)
      if (kind == kinds[ENVIRON["K_F"]]) print $NF }') || return 1
  set -- -f "$k_selinux_fcontext_ftype"
  if [ "$k_selinux_fcontext_absent" = 1 ]; then
    [ -n "$k_selinux_fcontext_now" ] || return 0
    set -- -d "$@"
  else
    k_selinux_fcontext_holds && return 0
    if [ -n "$k_selinux_fcontext_now" ]; then set -- -m "$@"; else set -- -a "$@"; fi
    set -- "$@" -t "$k_selinux_fcontext_setype"
    if [ -n "$k_selinux_fcontext_seuser" ]; then set -- "$@" -s "$k_selinux_fcontext_seuser"; fi
    if [ -n "$k_selinux_fcontext_selevel" ]; then set -- "$@" -r "$k_selinux_fcontext_selevel"; fi
  fi
  case $k_selinux_fcontext_verb in
  ok) return 1 ;;
  act)
    semanage fcontext "$@" -- "$k_selinux_fcontext_target" || return 1
    [ -z "$k_selinux_fcontext_restorecon" ] || { k_selinux_tools restorecon && restorecon -R -- "$k_selinux_fcontext_restorecon"; } ;;
  diff)
    printf 'semanage fcontext %s %s\n' "$*" "$k_selinux_fcontext_target"
    if [ -n "$k_selinux_fcontext_restorecon" ]; then printf 'restorecon -R %s\n' "$k_selinux_fcontext_restorecon"; fi ;;
  esac
}

# Whether k_selinux_fcontext's current context (`user:role:type:level`, the level may
# hold colons) is the one wanted.
k_selinux_fcontext_holds() {
  k_selinux_fcontext_rest=${k_selinux_fcontext_now#*:*:}
  [ -n "$k_selinux_fcontext_now" ] && [ "${k_selinux_fcontext_rest%%:*}" = "$k_selinux_fcontext_setype" ] &&
    { [ -z "$k_selinux_fcontext_seuser" ] || [ "${k_selinux_fcontext_now%%:*}" = "$k_selinux_fcontext_seuser" ]; } &&
    { [ -z "$k_selinux_fcontext_selevel" ] || [ "${k_selinux_fcontext_rest#*:}" = "$k_selinux_fcontext_selevel" ]; }
}
