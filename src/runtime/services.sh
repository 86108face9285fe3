# Services: SysV boot links (the other init systems' services are driven by their own
# commands in the ops' steps).

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
