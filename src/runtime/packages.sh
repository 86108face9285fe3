# Packages: which of a list are not as wanted, per package manager (installed, newest),
# and the package lists refreshed once per step.

# Runs CMD with the packages that are not as wanted, if any: k_pkgs WANT TEST CMD... --
# PKG... WANT is 1 when `TEST PKG` must succeed (installed, newest), 0 when it must fail.
k_pkgs() {
  k_pkgs_want=$1 k_pkgs_test=$2
  shift 2
  k_pkgs_count=$# k_pkgs_in_command=1 k_pkgs_any=0
  for k_pkgs_word in "$@"; do
    if [ "$k_pkgs_in_command" = 1 ]; then
      if [ "$k_pkgs_word" = -- ]; then k_pkgs_in_command=0; else set -- "$@" "$k_pkgs_word"; fi
    elif "$k_pkgs_test" "$k_pkgs_word"; then
      [ "$k_pkgs_want" = 1 ] || { set -- "$@" "$k_pkgs_word"; k_pkgs_any=1; }
    else
      [ "$k_pkgs_want" = 0 ] || { set -- "$@" "$k_pkgs_word"; k_pkgs_any=1; }
    fi
  done
  shift "$k_pkgs_count"
  [ "$k_pkgs_any" = 0 ] || "$@"
}

# Whether every package is as wanted: k_pkgs_ok WANT TEST PKG...
k_pkgs_ok() { k_pkgs_ok_want=$1 k_pkgs_ok_test=$2; shift 2; k_pkgs "$k_pkgs_ok_want" "$k_pkgs_ok_test" false -- "$@"; }

# The CMD of a k_pkgs that ends an act: names the packages still not as wanted, and fails.
k_pkgs_left() { k_err "$*"; return 1; }

# Refreshes the package lists with CMD..., once per step: the probe of an op with `update`
# and `latest` refreshes them to learn what "newest" is, and its act and re-check reuse
# that. Under --check nothing is refreshed: the lists are read as they are.
k_pkgs_refresh() {
  [ "${k_mode-apply}" != check ] || return 0
  if [ -n "${k_step_index-}" ] && [ "${k_pkgs_refresh_step-}" = "$k_step_index" ]; then return 0; fi
  "$@" || return 1
  k_pkgs_refresh_step=${k_step_index-}
}

# Prints what k_pkgs would do to PKG...: install (or with LATEST, upgrade) them when WANT is
# 1, remove them when 0. k_pkgs_show WANT HAS LATEST|'' PKG...
k_pkgs_show() {
  k_pkgs_show_want=$1 k_pkgs_show_has=$2 k_pkgs_show_latest=$3
  shift 3
  for k_pkgs_show_package in "$@"; do
    if [ "$k_pkgs_show_want" = 0 ]; then
      if "$k_pkgs_show_has" "$k_pkgs_show_package"; then printf 'remove %s\n' "$k_pkgs_show_package"; fi
    elif ! "$k_pkgs_show_has" "$k_pkgs_show_package"; then
      printf 'install %s\n' "$k_pkgs_show_package"
    elif [ -n "$k_pkgs_show_latest" ] && ! "$k_pkgs_show_latest" "$k_pkgs_show_package"; then
      printf 'upgrade %s\n' "$k_pkgs_show_package"
    fi
  done
}

# Per manager, whether one package is installed (`_has`) and at the newest version known
# (`_latest`). A pinned version (`name=1.2-1`, pip's `name==1.2`) must match exactly.
k_apt_has() {
  k_apt_has_name=${1%%=*}
  k_apt_has_name=${k_apt_has_name%%/*}
  k_apt_has_status=$(dpkg-query -W -f='${Status} ${Version}' "$k_apt_has_name" 2>/dev/null) || return 1
  case $k_apt_has_status in *' ok installed '*) ;; *) return 1 ;; esac
  case $1 in *=*) [ "${k_apt_has_status##* }" = "${1#*=}" ] ;; esac
}

k_apt_latest() {
  k_apt_has "$1" || return 1
  LC_ALL=C apt-cache policy "$k_apt_has_name" 2>/dev/null | awk '
    $1 == "Installed:" { i = $2 } $1 == "Candidate:" { c = $2 }
    END { exit !(i != "" && i == c) }'
}

# Whether apt's package lists were refreshed less than SECONDS ago. After each update kiln
# touches the lists directory, which apt itself changes only when a list changed.
k_apt_fresh() {
  [ "$1" -gt 0 ] || return 1
  k_apt_fresh_time=$(date -r /var/lib/apt/lists +%s 2>/dev/null) || return 1
  [ $(($(date +%s) - k_apt_fresh_time)) -lt "$1" ]
}

k_apt_update() {
  k_apt_fresh "$1" && return 0
  apt-get update -q && touch /var/lib/apt/lists
}

k_rpm_has() { rpm -q --quiet "${1%%[<>=]*}" >/dev/null 2>&1; }

# dnf/yum check-update exits 100 when an update is available.
k_rpm_latest() { k_rpm_has "$2" && { "$1" -q check-update "$2" >/dev/null 2>&1 || [ $? != 100 ]; }; }

k_dnf_latest() { k_rpm_latest dnf "$1"; }

k_yum_latest() { k_rpm_latest yum "$1"; }

k_zypper_latest() {
  k_rpm_has "$1" || return 1
  zypper -n -q list-updates 2>/dev/null | K_P=${1%%[<>=]*} awk -F'|' '
    { gsub(/[ \t]/, "", $3) } $3 == ENVIRON["K_P"] { f = 1 } END { exit f }'
}

k_apk_has() { apk info -e "${1%%[=<>~@]*}" >/dev/null 2>&1; }

k_apk_latest() {
  k_apk_has "$1" && [ -z "$(apk version -l '<' "${1%%[=<>~@]*}" 2>/dev/null | sed 1d)" ]
}

k_pacman_has() { pacman -Q "$1" >/dev/null 2>&1; }

k_pacman_latest() { k_pacman_has "$1" && ! pacman -Qu "$1" >/dev/null 2>&1; }

k_brew_has() { brew list --formula --versions "$1" >/dev/null 2>&1; }

k_brew_latest() { k_brew_has "$1" && [ -z "$(brew outdated --formula --quiet "$1" 2>/dev/null)" ]; }

k_brewcask_has() { brew list --cask --versions "$1" >/dev/null 2>&1; }

k_brewcask_latest() { k_brewcask_has "$1" && [ -z "$(brew outdated --cask --quiet "$1" 2>/dev/null)" ]; }

# pip: `k_pip` holds the pip command. A name is compared as pip does (case, `-_.`).
k_pip_has() {
  k_pip_has_name=$(printf '%s\n' "$1" | sed 's/[][ ;<>=!~@].*//')
  k_pip_has_version=$("${k_pip-pip3}" show "$k_pip_has_name" 2>/dev/null | sed -n 's/^Version: //p')
  [ -n "$k_pip_has_version" ] || return 1
  case $1 in *==*) [ "$k_pip_has_version" = "${1#*==}" ] ;; esac
}

k_pip_latest() {
  k_pip_has "$1" || return 1
  # Columns, after a two-line header (pip 22.3 and later refuse `freeze` with --outdated).
  ! "${k_pip-pip3}" list --outdated --format=columns 2>/dev/null | K_P=$k_pip_has_name awk '
    function norm(s) { s = tolower(s); gsub(/[-_.]+/, "-", s); return s }
    NR > 2 && norm($1) == norm(ENVIRON["K_P"]) { f = 1 } END { exit !f }'
}
