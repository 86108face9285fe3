# The running system: mount points and kernel modules.

# Whether the mount point (as /proc/mounts writes it, spaces as \040) is mounted.
k_mounted() { K_P=$1 awk '$2 == ENVIRON["K_P"] { f = 1 } END { exit !f }' /proc/mounts 2>/dev/null; }

# Whether the kernel module NAME (with `_`, as the kernel names it) is loaded or built in.
k_module_loaded() {
  [ -d "/sys/module/$1" ] && return 0
  K_M=$1 awk '{ n = $0; sub(/.*\//, "", n); sub(/\.ko.*$/, "", n); gsub(/-/, "_", n) }
    n == ENVIRON["K_M"] { f = 1 } END { exit !f }' "/lib/modules/$(uname -r)/modules.builtin" 2>/dev/null
}

# k_hostname ok|act|diff --name NAME (server.hostname): the host's name is NAME, now
# (`uname -n`) and across reboots (/etc/hostname); hostnamectl sets it under systemd, else
# hostname.
k_hostname() {
  k_hostname_verb=$1 k_hostname_name=''
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --name) k_hostname_name=$2; shift ;;
    *) k_err "k_hostname: unknown option $1"; return 64 ;;
    esac
    shift
  done
  case $k_hostname_verb in
  ok) [ "$(uname -n)" = "$k_hostname_name" ] && [ "$(cat /etc/hostname 2>/dev/null)" = "$k_hostname_name" ] ;;
  act)
    { [ "$(cat /etc/hostname 2>/dev/null)" = "$k_hostname_name" ] || printf '%s\n' "$k_hostname_name" | k_write /etc/hostname '' '' ''; } &&
      if [ -d /run/systemd/system ] && command -v hostnamectl >/dev/null 2>&1; then
        hostnamectl set-hostname "$k_hostname_name"
      else
        hostname "$k_hostname_name"
      fi ;;
  diff) printf 'hostname: %s -> %s\n' "$(uname -n)" "$k_hostname_name" ;;
  esac
}

# k_timezone ok|act|diff --zone ZONE (server.timezone): /etc/localtime links to ZONE's file
# under /usr/share/zoneinfo (timedatectl sets it under systemd), and /etc/timezone, where
# there is one, names ZONE.
k_timezone() {
  k_timezone_verb=$1 k_timezone_zone=''
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --zone) k_timezone_zone=$2; shift ;;
    *) k_err "k_timezone: unknown option $1"; return 64 ;;
    esac
    shift
  done
  k_timezone_file=/usr/share/zoneinfo/$k_timezone_zone
  case $k_timezone_verb in
  ok)
    case $(readlink /etc/localtime) in */zoneinfo/"$k_timezone_zone") ;; *) return 1 ;; esac
    [ ! -f /etc/timezone ] || [ "$(cat /etc/timezone)" = "$k_timezone_zone" ] ;;
  act)
    if [ ! -f "$k_timezone_file" ]; then
      k_err "unknown time zone $k_timezone_zone: no $k_timezone_file"; return 1
    elif [ -d /run/systemd/system ] && command -v timedatectl >/dev/null 2>&1; then
      timedatectl set-timezone "$k_timezone_zone" || return 1
    else
      ln -sf "$k_timezone_file" /etc/localtime || return 1
    fi
    [ ! -f /etc/timezone ] || printf '%s\n' "$k_timezone_zone" | k_write /etc/timezone '' '' '' ;;
  diff) printf 'time zone: %s -> %s\n' "$(readlink /etc/localtime)" "$k_timezone_zone" ;;
  esac
}

# k_reboot ok|act|diff --message TEXT --wait SECONDS (server.reboot): reboots the host now
# (`shutdown -r`, else `wall` and `reboot`), which always acts; if the host is still up
# SECONDS later, the op fails.
k_reboot() {
  k_reboot_verb=$1 k_reboot_message='' k_reboot_wait=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --message) k_reboot_message=$2; shift ;;
    --wait) k_reboot_wait=$2; shift ;;
    *) k_err "k_reboot: unknown option $1"; return 64 ;;
    esac
    shift
  done
  case $k_reboot_verb in
  ok) return 1 ;;
  act)
    if command -v shutdown >/dev/null 2>&1; then
      shutdown -r now "$k_reboot_message" || return 1
    else
      { command -v wall >/dev/null 2>&1 && printf '%s\n' "$k_reboot_message" | wall; } || :
      reboot || return 1
    fi
    sleep "$k_reboot_wait"
    k_err 'the host did not go down for the reboot'
    return 1 ;;
  diff) printf 'reboot the host\n' ;;
  esac
}

# k_daemon_reload ok|act|diff [--user] (systemd.daemon_reload): `systemctl daemon-reload`
# (of the user's manager with --user), which always acts.
k_daemon_reload() {
  k_daemon_reload_verb=$1 k_daemon_reload_user=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --user) k_daemon_reload_user=1 ;;
    *) k_err "k_daemon_reload: unknown option $1"; return 64 ;;
    esac
    shift
  done
  case $k_daemon_reload_verb:$k_daemon_reload_user in
  ok:*) return 1 ;;
  act:1)
    XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/run/user/$(id -u)}
    export XDG_RUNTIME_DIR
    systemctl --user daemon-reload ;;
  act:0) systemctl daemon-reload ;;
  diff:1) printf 'would run: systemctl --user daemon-reload\n' ;;
  diff:0) printf 'would run: systemctl daemon-reload\n' ;;
  esac
}

# k_modprobe ok|act|diff --module MODULE [--params LIST] [--persist] [--absent]
# (server.modprobe): the kernel module is loaded (with the `NAME=VALUE` parameters of LIST,
# one a line), or with --absent not; with --persist also across reboots
# (/etc/modules-load.d/MODULE.conf, and its parameters in /etc/modprobe.d/MODULE.conf), or
# with --absent not loaded at boot.
k_modprobe() {
  k_modprobe_verb=$1 k_modprobe_module='' k_modprobe_params='' k_modprobe_persist=0 k_modprobe_absent=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --module) k_modprobe_module=$2; shift ;;
    --params) k_modprobe_params=$2; shift ;;
    --persist) k_modprobe_persist=1 ;;
    --absent) k_modprobe_absent=1 ;;
    *) k_err "k_modprobe: unknown option $1"; return 64 ;;
    esac
    shift
  done
  # The kernel lists modules with `_` where their file names may have `-`.
  k_modprobe_kernel=$k_modprobe_module
  while :; do
    case $k_modprobe_kernel in
    *-*) k_modprobe_kernel=${k_modprobe_kernel%%-*}_${k_modprobe_kernel#*-} ;;
    *) break ;;
    esac
  done
  k_modprobe_load=/etc/modules-load.d/$k_modprobe_module.conf
  k_modprobe_options=/etc/modprobe.d/$k_modprobe_module.conf
  if [ "$k_modprobe_absent" = 1 ]; then
    case $k_modprobe_verb in
    ok) ! k_module_loaded "$k_modprobe_kernel" && { [ "$k_modprobe_persist" = 0 ] || [ ! -e "$k_modprobe_load" ]; } ;;
    act)
      { ! k_module_loaded "$k_modprobe_kernel" || modprobe -r "$k_modprobe_module"; } &&
        { [ "$k_modprobe_persist" = 0 ] || rm -f -- "$k_modprobe_load"; } ;;
    diff)
      if k_module_loaded "$k_modprobe_kernel"; then printf 'unload %s\n' "$k_modprobe_module"; fi
      if [ "$k_modprobe_persist" = 1 ] && [ -e "$k_modprobe_load" ]; then printf 'remove %s\n' "$k_modprobe_load"; fi ;;
    esac
    return
  fi
  case $k_modprobe_verb in
  ok)
    k_module_loaded "$k_modprobe_kernel" || return 1
    [ "$k_modprobe_persist" = 1 ] || return 0
    k_modprobe_files ;;
  act)
    if ! k_module_loaded "$k_modprobe_kernel"; then
      k_modprobe_ifs=$IFS
      IFS='
'
      set -f
      # shellcheck disable=SC2086
      set -- $k_modprobe_params
      set +f
      IFS=$k_modprobe_ifs
      modprobe "$k_modprobe_module" "$@" || return 1
    fi
    [ "$k_modprobe_persist" = 1 ] || return 0
    k_modprobe_files ;;
  diff)
    k_module_loaded "$k_modprobe_kernel" || printf 'load %s\n' "$k_modprobe_module"
    [ "$k_modprobe_persist" = 1 ] || return 0
    k_modprobe_files
    return 0 ;;
  esac
}

# k_modprobe_files: k_modprobe's verb for its files (the module's modules-load.d entry, and
# the parameters' modprobe.d line when there are some), while it succeeds.
k_modprobe_files() {
  k_modprobe_file "$k_modprobe_load" "$k_modprobe_module
" || return 1
  [ -n "$k_modprobe_params" ] || return 0
  k_modprobe_line="options $k_modprobe_module"
  k_modprobe_rest=$k_modprobe_params
  while :; do
    case $k_modprobe_rest in
    *'
'*) k_modprobe_line="$k_modprobe_line ${k_modprobe_rest%%'
'*}"; k_modprobe_rest=${k_modprobe_rest#*'
'} ;;
    *) k_modprobe_line="$k_modprobe_line $k_modprobe_rest"; break ;;
    esac
  done
  k_modprobe_file "$k_modprobe_options" "$k_modprobe_line
"
}

# k_modprobe_file FILE CONTENT: k_modprobe's verb for one file: whether it holds CONTENT,
# writing it (its directory made) if not, or the diff.
k_modprobe_file() {
  case $k_modprobe_verb in
  ok) printf '%s' "$2" | k_same "$1" ;;
  act)
    printf '%s' "$2" | k_same "$1" && return 0
    k_split "$1"
    mkdir -p -- "$k_split_dir" && printf '%s' "$2" | k_write "$1" '' '' '' ;;
  diff) printf '%s' "$2" | k_diffu "$1" ;;
  esac
}

# k_sysctl ok|act|diff --key KEY --value VALUE [--file FILE] (server.sysctl): the kernel
# parameter KEY has VALUE now (`sysctl -n`, blanks squeezed; set with `sysctl -w`), and with
# FILE across reboots too (`KEY = VALUE` in FILE: the key's line replaced, else appended).
k_sysctl() {
  k_sysctl_verb=$1 k_sysctl_key='' k_sysctl_value='' k_sysctl_file=''
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --key) k_sysctl_key=$2; shift ;;
    --value) k_sysctl_value=$2; shift ;;
    --file) k_sysctl_file=$2; shift ;;
    *) k_err "k_sysctl: unknown option $1"; return 64 ;;
    esac
    shift
  done
  k_sysctl_now=$(sysctl -n "$k_sysctl_key" 2>/dev/null | awk '{ $1 = $1; print }')
  case $k_sysctl_verb in
  ok) [ "$k_sysctl_now" = "$k_sysctl_value" ] || return 1 ;;
  act) [ "$k_sysctl_now" = "$k_sysctl_value" ] || sysctl -w "$k_sysctl_key=$k_sysctl_value" >/dev/null || return 1 ;;
  diff) [ "$k_sysctl_now" = "$k_sysctl_value" ] || printf '%s: %s -> %s\n' "$k_sysctl_key" "$k_sysctl_now" "$k_sysctl_value" ;;
  esac
  [ -n "$k_sysctl_file" ] || return 0
  if [ "$k_sysctl_verb" = act ]; then k_split "$k_sysctl_file"; mkdir -p -- "$k_split_dir" || return 1; fi
  k_filter_file "$k_sysctl_verb" --path "$k_sysctl_file" -- k_keyed --format sysctl --key "$k_sysctl_key" --line "$k_sysctl_key = $k_sysctl_value"
}

# k_locale ok|act|diff --locale LOCALE --lang LANG --charset CHARSET --normalized NAME
# [--absent] (server.locale): LOCALE is available (`locale -a` lists NAME), or with
# --absent not; enabled in /etc/locale.gen and made with locale-gen where that is the way
# (Debian), else with localedef.
k_locale() {
  k_locale_verb=$1 k_locale_locale='' k_locale_lang='' k_locale_charset='' k_locale_normalized='' k_locale_absent=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --locale) k_locale_locale=$2; shift ;;
    --lang) k_locale_lang=$2; shift ;;
    --charset) k_locale_charset=$2; shift ;;
    --normalized) k_locale_normalized=$2; shift ;;
    --absent) k_locale_absent=1 ;;
    *) k_err "k_locale: unknown option $1"; return 64 ;;
    esac
    shift
  done
  set -- k_locale_gen --line "$k_locale_locale $k_locale_charset"
  if [ "$k_locale_absent" = 1 ]; then set -- "$@" --absent; fi
  case $k_locale_verb in
  ok)
    if [ "$k_locale_absent" = 1 ]; then ! k_locale_available || return 1; else k_locale_available || return 1; fi
    ! k_locale_debian || k_filter_file ok --path /etc/locale.gen -- "$@" ;;
  act)
    if k_locale_debian; then
      k_filter_file act --path /etc/locale.gen -- "$@" && locale-gen
    elif [ "$k_locale_absent" = 1 ]; then
      localedef --delete-from-archive "$k_locale_normalized"
    else
      localedef -i "$k_locale_lang" -f "$k_locale_charset" "$k_locale_locale"
    fi ;;
  diff)
    if [ "$k_locale_absent" = 1 ]; then k_locale_what=remove; else k_locale_what=generate; fi
    printf '%s locale %s\n' "$k_locale_what" "$k_locale_locale"
    ! k_locale_debian || k_filter_file diff --path /etc/locale.gen -- "$@" ;;
  esac
}

# Whether `locale -a` lists k_locale's locale.
k_locale_available() { locale -a 2>/dev/null | grep -qxF "$k_locale_normalized"; }

# Whether locales are made Debian's way (/etc/locale.gen and locale-gen).
k_locale_debian() { [ -f /etc/locale.gen ] && command -v locale-gen >/dev/null 2>&1; }

# k_mount ok|act|diff --path PATH --point POINT --line LINE --src SRC --fstype TYPE
# --opts OPTIONS [--unmounted] [--absent] (server.mount): /etc/fstab has LINE for the
# mount point (POINT: PATH as fstab writes it), or with --absent none; and PATH is mounted
# (SRC of TYPE with OPTIONS, its directory made; remounted when its fstab line changed),
# or with --unmounted not.
k_mount() {
  k_mount_verb=$1 k_mount_path='' k_mount_point='' k_mount_line='' k_mount_src='' k_mount_fstype=''
  k_mount_opts='' k_mount_mounted=1 k_mount_absent=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --path) k_mount_path=$2; shift ;;
    --point) k_mount_point=$2; shift ;;
    --line) k_mount_line=$2; shift ;;
    --src) k_mount_src=$2; shift ;;
    --fstype) k_mount_fstype=$2; shift ;;
    --opts) k_mount_opts=$2; shift ;;
    --unmounted) k_mount_mounted=0 ;;
    --absent) k_mount_absent=1 ;;
    *) k_err "k_mount: unknown option $1"; return 64 ;;
    esac
    shift
  done
  set -- k_keyed --format fstab --key "$k_mount_point" --line "$k_mount_line"
  if [ "$k_mount_absent" = 1 ]; then set -- "$@" --absent; fi
  case $k_mount_verb in
  ok)
    k_filter_file ok --path /etc/fstab -- "$@" || return 1
    if [ "$k_mount_mounted" = 1 ]; then k_mounted "$k_mount_point"; else ! k_mounted "$k_mount_point"; fi ;;
  act)
    k_mount_changed=0
    k_filter_file ok --path /etc/fstab -- "$@" || k_mount_changed=1
    k_filter_file act --path /etc/fstab -- "$@" || return 1
    if [ "$k_mount_mounted" = 0 ]; then
      ! k_mounted "$k_mount_point" || umount "$k_mount_path"
    elif k_mounted "$k_mount_point"; then
      [ "$k_mount_changed" = 0 ] || mount -o "remount,$k_mount_opts" "$k_mount_path"
    else
      mkdir -p -- "$k_mount_path" && mount -t "$k_mount_fstype" -o "$k_mount_opts" "$k_mount_src" "$k_mount_path"
    fi ;;
  diff)
    k_filter_file diff --path /etc/fstab -- "$@"
    if [ "$k_mount_mounted" = 1 ]; then
      k_mounted "$k_mount_point" || printf 'mount %s on %s\n' "$k_mount_src" "$k_mount_path"
    else
      ! k_mounted "$k_mount_point" || printf 'unmount %s\n' "$k_mount_path"
    fi
    return 0 ;;
  esac
}

# k_alternatives ok|act|diff --name NAME [--path PATH] [--link LINK] [--priority N]
# --state selected|present|auto|absent (server.alternatives): with `present`, PATH is an
# alternative of NAME with priority N (and NAME's link is LINK, when given); with
# `selected` it is also the one NAME points to (`--set`: manual mode, unless it already
# points there); with `auto`, NAME is in automatic mode (PATH, when given, present too);
# with `absent`, PATH is not an alternative of NAME. Read with `update-alternatives
# --query`; a new NAME needs LINK.
k_alternatives() {
  k_alternatives_verb=$1 k_alternatives_name='' k_alternatives_path='' k_alternatives_link='' k_alternatives_priority=50
  k_alternatives_state=selected
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --name) k_alternatives_name=$2; shift ;;
    --path) k_alternatives_path=$2; shift ;;
    --link) k_alternatives_link=$2; shift ;;
    --priority) k_alternatives_priority=$2; shift ;;
    --state) k_alternatives_state=$2; shift ;;
    *) k_err "k_alternatives: unknown option $1"; return 64 ;;
    esac
    shift
  done
  # What NAME is now, one a line: PATH's priority (empty when PATH is not one of its
  # alternatives), its mode, the path it points to, and its link last (never empty for a
  # name that exists, so `$(...)` strips no empty line that counts).
  k_alternatives_now=$(update-alternatives --query "$k_alternatives_name" 2>/dev/null | K_PATH=$k_alternatives_path awk '
    /^Status: / { s = $2 } /^Value: / { v = substr($0, 8) } /^Link: / && l == "" { l = substr($0, 7) }
    /^Alternative: / { a = substr($0, 14) } /^Priority: / && a == ENVIRON["K_PATH"] { p = $2 }
    END { if (l != "") { print p; print s; print v; print l } }')
  k_alternatives_has=${k_alternatives_now%%'
'*}
  k_alternatives_now=${k_alternatives_now#*'
'}
  k_alternatives_mode=${k_alternatives_now%%'
'*}
  k_alternatives_now=${k_alternatives_now#*'
'}
  k_alternatives_value=${k_alternatives_now%%'
'*}
  k_alternatives_has_link=${k_alternatives_now#*'
'}
  # The steps to take, one a line: install, set, auto or remove.
  k_alternatives_todo=
  if [ "$k_alternatives_state" = absent ]; then
    [ -z "$k_alternatives_has" ] || k_alternatives_todo=remove
  else
    if [ -n "$k_alternatives_path" ] && { [ "$k_alternatives_has" != "$k_alternatives_priority" ] ||
      { [ -n "$k_alternatives_link" ] && [ "$k_alternatives_has_link" != "$k_alternatives_link" ]; }; }; then
      k_alternatives_todo=install
    fi
    if [ "$k_alternatives_state" = selected ] && [ "$k_alternatives_value" != "$k_alternatives_path" ]; then
      k_alternatives_todo="$k_alternatives_todo set"
    elif [ "$k_alternatives_state" = auto ] && [ "$k_alternatives_mode" != auto ]; then
      k_alternatives_todo="$k_alternatives_todo auto"
    fi
  fi
  [ -n "$k_alternatives_link" ] || k_alternatives_link=$k_alternatives_has_link
  case $k_alternatives_verb in
  ok) [ -z "$k_alternatives_todo" ] ;;
  act | diff)
    # shellcheck disable=SC2086
    for k_alternatives_step in $k_alternatives_todo; do
      case $k_alternatives_step in
      install)
        if [ -z "$k_alternatives_link" ]; then k_err "$k_alternatives_name is a new alternative: its link is needed"; return 1; fi
        set -- --install "$k_alternatives_link" "$k_alternatives_name" "$k_alternatives_path" "$k_alternatives_priority" ;;
      set) set -- --set "$k_alternatives_name" "$k_alternatives_path" ;;
      auto) set -- --auto "$k_alternatives_name" ;;
      remove) set -- --remove "$k_alternatives_name" "$k_alternatives_path" ;;
      esac
      if [ "$k_alternatives_verb" = diff ]; then
        printf 'would run: update-alternatives'; printf ' %s' "$@"; printf '\n'
      else
        update-alternatives "$@" >/dev/null || return 1
      fi
    done ;;
  esac
}
