# What a host runs, detected the same way by the fact probe (facts `init.system` and
# `pkg.manager`, src/facts) and by scripts deciding at run time (the generic `package` and
# `service` ops): this file is part of both.

# The host's init system: systemd, openrc, sysvinit or unknown.
k_init_system() {
  if [ -d /run/systemd/system ]; then echo systemd
  elif [ -d /run/openrc ] || command -v openrc >/dev/null 2>&1; then echo openrc
  elif [ -d /etc/init.d ]; then echo sysvinit
  else echo unknown
  fi
}

# The host's package manager, by the first command found; fails when there is none.
k_pkg_manager() {
  for k_pkg_manager_command in apt-get dnf yum apk pacman zypper brew; do
    if command -v "$k_pkg_manager_command" >/dev/null 2>&1; then printf '%s\n' "${k_pkg_manager_command%-get}"; return 0; fi
  done
  return 1
}
