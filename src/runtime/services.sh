# Services: the service ops' k_service (each init system driven by its own commands; SysV
# boot links here), a user's systemd manager (k_user_systemctl), and systemd unit files
# (k_unit).

# Whether the SysV service NAME starts at boot: chkconfig, else an S link in rc2-5.d.
k_sysv_enabled() {
  if command -v chkconfig >/dev/null 2>&1; then chkconfig "$1" 2>/dev/null; return; fi
  for k_sysv_enabled_link in /etc/rc[2345].d/S*; do
    [ "${k_sysv_enabled_link##*/S[0-9][0-9]}" = "$1" ] && return 0
  done
  return 1
}

# k_sysv_enable NAME 1|0: starts the SysV service NAME at boot, or stops doing so.
k_sysv_enable() {
  if command -v update-rc.d >/dev/null 2>&1; then
    if [ "$2" = 1 ]; then update-rc.d "$1" defaults >/dev/null && update-rc.d "$1" enable
    else update-rc.d "$1" disable; fi
  elif command -v chkconfig >/dev/null 2>&1; then
    if [ "$2" = 1 ]; then chkconfig --add "$1" && chkconfig "$1" on; else chkconfig "$1" off; fi
  else
    k_err "cannot change the boot links of $1: neither update-rc.d nor chkconfig is installed"
    return 1
  fi
}

# k_service ok|act|diff --init systemd|openrc|sysvinit|auto --name NAME [--user]
# [--as USER] [--runlevel RUNLEVEL] [--stopped] [--enabled | --disabled] [--masked |
# --unmasked] [--restarted] [--reloaded] [--daemon-reload] (systemd.service,
# openrc.service, sysvinit.service, service.service): the service NAME runs (or with
# --stopped does not), and starts at boot (--enabled) or not (--disabled), under the init
# system given, or with auto the host's (k_init_system). --restarted and --reloaded always
# act (the probe fails: what a handler wants); reloading a stopped service starts it.
# systemd: --user for the user's manager (--as USER: USER's, k_user_systemctl),
# --daemon-reload first (a unit whose file changed is not as wanted), --masked (`systemctl
# is-enabled` says `masked`) or --unmasked. openrc: RUNLEVEL (`default`). The act runs, in
# order, daemon-reload, mask or unmask, the boot setting, then start, stop, restart or
# reload, each only when needed; the diff says which would run.
k_service() {
  k_service_verb=$1 k_service_init='' k_service_name='' k_service_user=0 k_service_runlevel=default
  k_service_running=1 k_service_enabled='' k_service_restarted=0 k_service_reloaded=0 k_service_daemon_reload=0
  k_service_masked='' k_service_as=''
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --init) k_service_init=$2; shift ;;
    --name) k_service_name=$2; shift ;;
    --user) k_service_user=1 ;;
    --as) k_service_as=$2; k_service_user=1; shift ;;
    --runlevel) k_service_runlevel=$2; shift ;;
    --stopped) k_service_running=0 ;;
    --enabled) k_service_enabled=1 ;;
    --disabled) k_service_enabled=0 ;;
    --masked) k_service_masked=1 ;;
    --unmasked) k_service_masked=0 ;;
    --restarted) k_service_restarted=1 ;;
    --reloaded) k_service_reloaded=1 ;;
    --daemon-reload) k_service_daemon_reload=1 ;;
    *) k_err "k_service: unknown option $1"; return 64 ;;
    esac
    shift
  done
  if [ "$k_service_init" = auto ]; then k_service_init=$(k_init_system); fi
  case $k_service_init in
  systemd | openrc | sysvinit) ;;
  *) k_err 'no supported init system found'; return 1 ;;
  esac
  if [ "$k_service_init" = systemd ] && [ "$k_service_user" = 1 ] && [ -z "$k_service_as" ]; then
    # A user manager is found through XDG_RUNTIME_DIR, which sudo and su do not set.
    XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/run/user/$(id -u)}
    export XDG_RUNTIME_DIR
  fi
  case $k_service_verb in
  ok)
    [ "$k_service_restarted" = 0 ] && [ "$k_service_reloaded" = 0 ] || return 1
    if [ "$k_service_daemon_reload" = 1 ] && [ "$k_service_init" = systemd ]; then
      [ "$(k_service_systemctl show -p NeedDaemonReload --value "$k_service_name")" != yes ] || return 1
    fi
    case $k_service_masked in
    1) k_service_is_masked || return 1 ;;
    0) ! k_service_is_masked || return 1 ;;
    esac
    if [ "$k_service_running" = 1 ]; then k_service_is_running || return 1; else ! k_service_is_running || return 1; fi
    case $k_service_enabled in
    1) k_service_is_enabled ;;
    0) ! k_service_is_enabled ;;
    esac ;;
  act) k_service_changes ;;
  diff) k_service_changes; return 0 ;;
  esac
}

# k_service_changes: what k_service's act runs, command by command, each only when needed
# (in check mode, said instead: k_service_change).
k_service_changes() {
  if [ "$k_service_daemon_reload" = 1 ] && [ "$k_service_init" = systemd ]; then
    k_service_change daemon-reload || return 1
  fi
  # Unmasked before it can be enabled or started; masked before it is stopped (masking
  # alone stops nothing).
  case $k_service_masked in
  1) k_service_is_masked || k_service_change mask || return 1 ;;
  0) ! k_service_is_masked || k_service_change unmask || return 1 ;;
  esac
  case $k_service_enabled in
  1) k_service_is_enabled || k_service_change enable || return 1 ;;
  0) ! k_service_is_enabled || k_service_change disable || return 1 ;;
  esac
  if [ "$k_service_restarted" = 1 ]; then
    k_service_change restart
  elif [ "$k_service_reloaded" = 1 ]; then
    if k_service_is_running; then k_service_change reload; else k_service_change start; fi
  elif [ "$k_service_running" = 1 ]; then
    k_service_is_running || k_service_change start
  else
    ! k_service_is_running || k_service_change stop
  fi
}

# k_service_change start|stop|restart|reload|enable|disable|mask|unmask|daemon-reload: the init
# system's command for k_service's service; in check mode, `would run: COMMAND`.
k_service_change() {
  k_quoted "$k_service_name"
  k_service_change_name=$k_quoted_text
  case $k_service_init:$1 in
  systemd:daemon-reload) set -- daemon-reload; k_service_change_shown=daemon-reload ;;
  systemd:*) set -- "$1" "$k_service_name"; k_service_change_shown="$1$k_service_change_name" ;;
  openrc:enable | openrc:disable)
    if [ "$1" = enable ]; then set -- add; else set -- del; fi
    k_quoted "$k_service_runlevel"
    k_service_change_shown="rc-update $1$k_service_change_name$k_quoted_text"
    set -- rc-update "$1" "$k_service_name" "$k_service_runlevel" ;;
  openrc:*) k_service_change_shown="rc-service$k_service_change_name $1"; set -- rc-service "$k_service_name" "$1" ;;
  sysvinit:enable | sysvinit:disable)
    k_service_change_shown="$1$k_service_change_name at boot"
    if [ "$1" = enable ]; then set -- k_sysv_enable "$k_service_name" 1; else set -- k_sysv_enable "$k_service_name" 0; fi ;;
  sysvinit:*)
    k_quoted "/etc/init.d/$k_service_name"
    k_service_change_shown="${k_quoted_text# } $1"
    set -- "/etc/init.d/$k_service_name" "$1" ;;
  esac
  if [ "$k_service_init" = systemd ]; then
    if [ -n "$k_service_as" ]; then
      k_quoted "$k_service_as"
      k_service_change_shown="systemctl --user $k_service_change_shown (as$k_quoted_text)"
    elif [ "$k_service_user" = 1 ]; then
      k_service_change_shown="systemctl --user $k_service_change_shown"
    else
      k_service_change_shown="systemctl $k_service_change_shown"
    fi
    set -- k_service_systemctl "$@"
  fi
  if [ "$k_service_verb" = diff ]; then k_print "would run: $k_service_change_shown"; else "$@"; fi
}

# k_service_systemctl ARG...: systemctl for k_service's manager (the user's with --user,
# USER's with --as USER).
k_service_systemctl() {
  if [ -n "$k_service_as" ]; then k_user_systemctl "$k_service_as" "$@"
  elif [ "$k_service_user" = 1 ]; then systemctl --user "$@"
  else systemctl "$@"; fi
}

# k_user_systemctl USER ARG...: `systemctl --user ARG...` in USER's manager, run as USER
# (directly when this is USER; as root through su, which every Linux has; else through
# `sudo -n`), with USER's runtime directory and bus, which su and sudo do not set and
# without which systemctl cannot find the manager (no machinectl needed).
k_user_systemctl() {
  k_user_systemctl_user=$1
  k_user_systemctl_uid=$(id -u "$1") || return 1
  shift
  set -- env "XDG_RUNTIME_DIR=/run/user/$k_user_systemctl_uid" \
    "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/$k_user_systemctl_uid/bus" systemctl --user "$@"
  [ -n "${k_uid-}" ] || k_uid=$(id -u)
  if [ "$k_uid" = "$k_user_systemctl_uid" ]; then "$@"
  elif [ "$k_uid" = 0 ]; then su -s /bin/sh -c 'exec "$@"' -- "$k_user_systemctl_user" sh "$@"
  else sudo -n -u "$k_user_systemctl_user" -- "$@"; fi
}

# Whether k_service's service runs.
k_service_is_running() {
  case $k_service_init in
  systemd) k_service_systemctl is-active --quiet "$k_service_name" ;;
  openrc) rc-service "$k_service_name" status >/dev/null 2>&1 ;;
  sysvinit) "/etc/init.d/$k_service_name" status >/dev/null 2>&1 ;;
  esac
}

# Whether k_service's (systemd) unit is masked: `systemctl is-enabled` says so (and fails).
k_service_is_masked() {
  [ "$(k_service_systemctl is-enabled "$k_service_name" 2>/dev/null)" = masked ]
}

# Whether k_service's service starts at boot.
k_service_is_enabled() {
  case $k_service_init in
  systemd) k_service_systemctl is-enabled --quiet "$k_service_name" ;;
  openrc) [ -L "/etc/runlevels/$k_service_runlevel/$k_service_name" ] ;;
  sysvinit) k_sysv_enabled "$k_service_name" ;;
  esac
}

# k_unit ok|act|diff --name UNIT --dir DIR [--dropin FILE] [--verify] [--reload] [--user |
# --as USER] -- PUT_OPTION... (systemd.unit): the unit file of UNIT in DIR (or with
# --dropin its drop-in FILE) is as `k_put PUT_OPTION...` writes it, its directory made
# first for the system's manager (never for a user's, whose directories are the user's:
# made by root, they would be root's). With --verify, new content is installed only when
# `systemd-analyze verify` accepts it (k_unit_verify), in check mode too. With --reload,
# an act (which runs only when the file differs) ends with `systemctl daemon-reload` of
# the system's manager (--user: the user's; --as USER: USER's, k_user_systemctl), and the
# diff says it would: a unit file that is as wanted reloads nothing.
k_unit() {
  k_unit_verb=$1 k_unit_name='' k_unit_dir='' k_unit_dropin='' k_unit_verify=0 k_unit_reload=0 k_unit_user=0 k_unit_as=''
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --name) k_unit_name=$2; shift ;;
    --dir) k_unit_dir=$2; shift ;;
    --dropin) k_unit_dropin=$2; shift ;;
    --verify) k_unit_verify=1 ;;
    --reload) k_unit_reload=1 ;;
    --user) k_unit_user=1 ;;
    --as) k_unit_as=$2; shift ;;
    --) shift; break ;;
    *) k_err "k_unit: unknown option $1"; return 64 ;;
    esac
    shift
  done
  if [ "$k_unit_verify" = 1 ]; then set -- "$@" -- k_unit_verify; fi
  case $k_unit_verb in
  ok) k_put ok "$@" ;;
  act)
    if [ "$k_unit_user" = 0 ] && [ -z "$k_unit_as" ]; then set -- --parents "$@"; fi
    k_put act "$@" || return 1
    [ "$k_unit_reload" = 1 ] || return 0
    if [ -n "$k_unit_as" ]; then k_user_systemctl "$k_unit_as" daemon-reload
    elif [ "$k_unit_user" = 1 ]; then
      XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/run/user/$(id -u)}
      export XDG_RUNTIME_DIR
      systemctl --user daemon-reload
    else systemctl daemon-reload; fi ;;
  diff)
    k_put diff "$@" || return 1
    [ "$k_unit_reload" = 1 ] || return 0
    if [ -n "$k_unit_as" ]; then
      k_quoted "$k_unit_as"
      k_print "would run: systemctl --user daemon-reload (as$k_quoted_text)"
    elif [ "$k_unit_user" = 1 ]; then k_print 'would run: systemctl --user daemon-reload'
    else k_print 'would run: systemctl daemon-reload'; fi ;;
  esac
}

# k_unit_verify CANDIDATE: whether `systemd-analyze verify` accepts CANDIDATE as k_unit's
# unit file (or drop-in); true when systemd-analyze is not installed. systemd reads a
# unit's type from its file name, so the candidate is checked as a copy under its own name
# in the run's private directory; a drop-in with the unit as the host has it, in DIR or
# systemd's own directories (which must therefore hold it), the candidate's directory first
# in SYSTEMD_UNIT_PATH, so it stands for the drop-in installed under the same name.
k_unit_verify() {
  command -v systemd-analyze >/dev/null 2>&1 || return 0
  k_private || return 1
  if [ -n "$k_unit_dropin" ]; then
    k_unit_verify_dir=$k_tmpd/units
    mkdir -p -- "$k_unit_verify_dir/$k_unit_name.d" &&
      cp -- "$1" "$k_unit_verify_dir/$k_unit_name.d/$k_unit_dropin" &&
      SYSTEMD_UNIT_PATH=$k_unit_verify_dir:$k_unit_dir: systemd-analyze verify -- "$k_unit_name"
  else
    # A unit name has a type suffix: it cannot be a name the run's other files have.
    k_unit_verify_dir=$k_tmpd/$k_unit_name
    cp -- "$1" "$k_unit_verify_dir" && systemd-analyze verify -- "$k_unit_verify_dir"
  fi
  k_unit_verify_status=$?
  rm -rf -- "$k_unit_verify_dir"
  return "$k_unit_verify_status"
}
