# Packages: which of a list are not as wanted, per package manager (installed, newest),
# and the package lists refreshed once per step; apt's sources, their keys, and .deb files.

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

# k_apt_lists: sets k_apt_lists_dir to the directory of apt's package lists: the one of the
# configuration APT_CONFIG names when it is set (as a kiln bundle's `run` sets it, so that
# refreshing from the bundle never dates the host's lists), asked of apt-config; else
# /var/lib/apt/lists, with no process.
k_apt_lists() {
  k_apt_lists_dir=/var/lib/apt/lists
  [ -z "${APT_CONFIG-}" ] || eval "$(apt-config shell k_apt_lists_dir Dir::State::lists/d)"
}

# Whether apt's package lists were refreshed less than SECONDS ago. After each update kiln
# touches the lists directory (k_apt_lists), which apt itself changes only when a list
# changed.
k_apt_fresh() {
  [ "$1" -gt 0 ] || return 1
  k_apt_lists
  k_apt_fresh_time=$(date -r "$k_apt_lists_dir" +%s 2>/dev/null) || return 1
  [ $(($(date +%s) - k_apt_fresh_time)) -lt "$1" ]
}

k_apt_update() {
  k_apt_fresh "$1" && return 0
  k_apt_lists
  apt-get update -q && touch "$k_apt_lists_dir"
}

k_rpm_has() { rpm -q --quiet "${1%%[<>=]*}" >/dev/null 2>&1; }

# k_rpm_manager dnf|yum ARG...: runs dnf or yum with the ARGs, and with the configuration
# KILN_DNF_CONFIG names when it is set: a kiln bundle's `run` sets it to a configuration
# whose one repository is the bundle's packages/, so that the host's repositories are
# neither read nor changed and no network is needed.
k_rpm_manager() {
  k_rpm_manager_command=$1
  shift
  if [ -n "${KILN_DNF_CONFIG-}" ]; then set -- --config="$KILN_DNF_CONFIG" "$@"; fi
  "$k_rpm_manager_command" "$@"
}

# dnf/yum check-update exits 100 when an update is available.
k_rpm_latest() { k_rpm_has "$2" && { k_rpm_manager "$1" -q check-update "$2" >/dev/null 2>&1 || [ $? != 100 ]; }; }

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

# k_packages ok|act|diff --manager MANAGER [--absent] [--latest] [--update]
# [--cache-time SECONDS] [--no-recommends] [--no-cache] [--cask] [--repos LIST]
# [--extra LIST] [--pip COMMAND] [--virtualenv DIR] [--requirements FILE] [--dir DIR]
# [--user-install] [--classic] [--channel CHANNEL] [--remote REMOTE] [-- PACKAGE...]
# (apt.packages, dnf.packages, yum.packages, apk.packages, pacman.packages,
# zypper.packages, brew.packages, pip.packages, package.packages, and npm, gem, cargo,
# pipx, snap and flatpak's packages): the PACKAGEs are
# installed (at the newest version with --latest; at the version a pinned one names), or
# with --absent not installed, by MANAGER: apt, dnf, yum, apk, pacman, zypper, brew, pip,
# npm, gem, cargo, pipx, snap, flatpak, or auto (the host's, k_pkg_manager). Only the packages not as wanted are installed,
# upgraded or removed (k_pkgs), and the act ends by naming any still not as wanted. With
# --update the package lists are refreshed before an install (apt's only when older than
# --cache-time); with --latest too, the probe refreshes them, to learn what the newest is
# (k_pkgs_refresh). A LIST holds one word per line: --extra's go to every command,
# --repos' (dnf, yum: `--enablerepo=R`, `--disablerepo=R`) to those that read repositories.
# pip: --pip is the pip command (`pip3`); --virtualenv a virtualenv, made first, whose pip
# is used; --requirements a requirements file installed too. npm, gem, cargo, pipx, snap,
# flatpak (language_packages.sh): --dir the directory whose packages npm manages (else the
# global ones); --user-install gem's; --classic and --channel CHANNEL snap's; --remote
# REMOTE flatpak's to install from.
k_packages() {
  k_packages_verb=$1 k_packages_manager='' k_packages_absent=0 k_packages_latest=0 k_packages_update=0
  k_packages_cache_time=0 k_packages_no_recommends=0 k_packages_no_cache=0 k_packages_cask=0
  k_packages_repos='' k_packages_extra='' k_pip=pip3 k_packages_virtualenv='' k_packages_requirements=''
  k_packages_dir='' k_packages_user_install=0 k_packages_classic=0 k_packages_channel='' k_packages_remote='' k_lpkgs_list_done=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --manager) k_packages_manager=$2; shift ;;
    --absent) k_packages_absent=1 ;;
    --latest) k_packages_latest=1 ;;
    --update) k_packages_update=1 ;;
    --cache-time) k_packages_cache_time=$2; shift ;;
    --no-recommends) k_packages_no_recommends=1 ;;
    --no-cache) k_packages_no_cache=1 ;;
    --cask) k_packages_cask=1 ;;
    --repos) k_packages_repos=$2; shift ;;
    --extra) k_packages_extra=$2; shift ;;
    --pip) k_pip=$2; shift ;;
    --virtualenv) k_packages_virtualenv=$2; k_pip=$2/bin/pip; shift ;;
    --requirements) k_packages_requirements=$2; shift ;;
    --dir) k_packages_dir=$2; shift ;;
    --user-install) k_packages_user_install=1 ;;
    --classic) k_packages_classic=1 ;;
    --channel) k_packages_channel=$2; shift ;;
    --remote) k_packages_remote=$2; shift ;;
    --) shift; break ;;
    *) k_err "k_packages: unknown option $1"; return 64 ;;
    esac
    shift
  done
  if [ "$k_packages_manager" = auto ]; then k_packages_manager=$(k_pkg_manager); fi
  case $k_packages_manager in
  apt) k_packages_has=k_apt_has k_packages_newest=k_apt_latest ;;
  dnf) k_packages_has=k_rpm_has k_packages_newest=k_dnf_latest ;;
  yum) k_packages_has=k_rpm_has k_packages_newest=k_yum_latest ;;
  apk) k_packages_has=k_apk_has k_packages_newest=k_apk_latest ;;
  pacman) k_packages_has=k_pacman_has k_packages_newest=k_pacman_latest ;;
  zypper) k_packages_has=k_rpm_has k_packages_newest=k_zypper_latest ;;
  brew)
    if [ "$k_packages_cask" = 1 ]; then
      k_packages_has=k_brewcask_has k_packages_newest=k_brewcask_latest
    else
      k_packages_has=k_brew_has k_packages_newest=k_brew_latest
    fi ;;
  pip) k_packages_has=k_pip_has k_packages_newest=k_pip_latest ;;
  npm | gem | cargo | pipx | snap | flatpak) k_packages_has=k_lpkg_has k_packages_newest=k_lpkg_latest ;;
  *) k_err 'no supported package manager found'; return 1 ;;
  esac
  if [ -n "$k_packages_virtualenv" ]; then
    case $k_packages_verb in
    ok) [ -x "$k_pip" ] || return 1 ;;
    act) [ -x "$k_pip" ] || python3 -m venv "$k_packages_virtualenv" || return 1 ;;
    diff) [ -x "$k_pip" ] || printf 'create the virtualenv %s\n' "$k_packages_virtualenv" ;;
    esac
  fi
  if [ "$#" -gt 0 ]; then k_packages_of "$@" || return 1; fi
  [ -n "$k_packages_requirements" ] || return 0
  # Requirements: the dry run is the install itself, with the same extra arguments (an
  # install that needs `--break-system-packages` refuses a dry run without it, and then
  # never converges). A pip that cannot `--dry-run` fails here: then they are installed.
  case $k_packages_verb in
  ok)
    k_packages_dry=$(k_packages_pip install --dry-run -r "$k_packages_requirements" 2>/dev/null) &&
      ! printf '%s\n' "$k_packages_dry" | grep -q '^Would install' ;;
  act) k_packages_pip install -q -r "$k_packages_requirements" ;;
  diff) k_packages_pip install --dry-run -r "$k_packages_requirements" 2>/dev/null | grep '^Would install'; return 0 ;;
  esac
}

# k_packages_of PACKAGE...: k_packages' verb for the packages.
k_packages_of() {
  case $k_packages_verb:$k_packages_absent in
  ok:1) k_pkgs_ok 0 "$k_packages_has" "$@" ;;
  ok:0)
    if [ "$k_packages_update" = 1 ] && [ "$k_packages_latest" = 1 ]; then
      k_pkgs_refresh k_packages_command update || return 1
    fi
    if [ "$k_packages_latest" = 1 ]; then k_pkgs_ok 1 "$k_packages_newest" "$@"; else k_pkgs_ok 1 "$k_packages_has" "$@"; fi ;;
  act:1)
    k_pkgs 0 "$k_packages_has" k_packages_command remove -- "$@" &&
      k_pkgs 0 "$k_packages_has" k_pkgs_left 'still installed after the removal:' -- "$@" ;;
  act:0)
    if [ "$k_packages_update" = 1 ]; then k_pkgs_refresh k_packages_command update || return 1; fi
    k_pkgs 1 "$k_packages_has" k_packages_command install -- "$@" || return 1
    if [ "$k_packages_latest" = 1 ]; then
      k_pkgs 1 "$k_packages_newest" k_packages_command upgrade -- "$@" &&
        k_pkgs 1 "$k_packages_newest" k_pkgs_left 'not at the newest version after the upgrade:' -- "$@"
    else
      k_pkgs 1 "$k_packages_has" k_pkgs_left 'not installed, or not at the pinned version, after the install:' -- "$@"
    fi ;;
  diff:1) k_pkgs_show 0 "$k_packages_has" '' "$@" ;;
  diff:0)
    if [ "$k_packages_update" = 1 ]; then
      if [ "$k_packages_manager" = apt ] && [ "$k_packages_cache_time" -gt 0 ]; then
        k_apt_fresh "$k_packages_cache_time" || printf 'refresh the package lists\n'
      elif [ "$k_packages_latest" = 1 ]; then
        printf 'refresh the package lists\n'
      fi
    fi
    if [ "$k_packages_latest" = 1 ]; then
      k_pkgs_show 1 "$k_packages_has" "$k_packages_newest" "$@"
    else
      k_pkgs_show 1 "$k_packages_has" '' "$@"
    fi ;;
  esac
}

# k_packages_command install|upgrade|remove|update [PACKAGE]...: the command of k_packages'
# manager that does it, with the extra arguments (and the repositories) it takes. The lists
# are split into words at newlines only, without globbing.
# shellcheck disable=SC2086
k_packages_command() {
  case $k_packages_manager in npm | gem | cargo | pipx | snap | flatpak) k_lpkgs_command "$@"; return ;; esac
  k_packages_command_what=$1
  shift
  k_packages_command_ifs=$IFS
  IFS='
'
  set -f
  case $k_packages_command_what:$k_packages_manager in
  update:dnf | update:yum) set -- $k_packages_repos $k_packages_extra ;;
  update:*) ;;
  remove:*) set -- $k_packages_extra "$@" ;;
  *) set -- $k_packages_repos $k_packages_extra "$@" ;;
  esac
  set +f
  IFS=$k_packages_command_ifs
  case $k_packages_command_what:$k_packages_manager in
  install:apt | upgrade:apt)
    # Changed configuration files are kept without asking (as pyinfra does).
    if [ "$k_packages_no_recommends" = 1 ]; then set -- --no-install-recommends "$@"; fi
    env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" ;;
  remove:apt) env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q "$@" ;;
  update:apt) k_apt_update "$k_packages_cache_time" ;;
  install:dnf) k_rpm_manager dnf install -y -q "$@" ;;
  upgrade:dnf) k_rpm_manager dnf upgrade -y -q "$@" ;;
  remove:dnf) k_rpm_manager dnf remove -y -q "$@" ;;
  update:dnf) k_rpm_manager dnf makecache -q "$@" ;;
  install:yum) k_rpm_manager yum install -y -q "$@" ;;
  upgrade:yum) k_rpm_manager yum update -y -q "$@" ;;
  remove:yum) k_rpm_manager yum remove -y -q "$@" ;;
  update:yum) k_rpm_manager yum makecache -q "$@" ;;
  install:apk | upgrade:apk)
    if [ "$k_packages_command_what" = upgrade ]; then set -- -u "$@"; fi
    if [ "$k_packages_no_cache" = 1 ]; then set -- --no-cache "$@"; fi
    apk add "$@" ;;
  remove:apk) apk del "$@" ;;
  update:apk) apk update -q ;;
  install:pacman | upgrade:pacman) pacman -S --noconfirm --needed "$@" ;;
  remove:pacman) pacman -R --noconfirm "$@" ;;
  update:pacman) pacman -Sy --noconfirm ;;
  install:zypper) zypper -n -q install "$@" ;;
  upgrade:zypper) zypper -n -q update "$@" ;;
  remove:zypper) zypper -n -q remove "$@" ;;
  update:zypper) zypper -n -q refresh ;;
  *:brew)
    if [ "$k_packages_cask" = 1 ]; then set -- --cask "$@"; fi
    case $k_packages_command_what in
    install) brew install "$@" ;;
    upgrade) brew upgrade "$@" ;;
    remove) brew uninstall "$@" ;;
    update) brew update -q ;;
    esac ;;
  install:pip) "$k_pip" install -q "$@" ;;
  upgrade:pip) "$k_pip" install -q --upgrade "$@" ;;
  remove:pip) "$k_pip" uninstall -y -q "$@" ;;
  update:pip) : ;;
  esac
}

# k_packages_pip ARG...: k_packages' pip with ARG... and the extra arguments after them.
# shellcheck disable=SC2086
k_packages_pip() {
  k_packages_pip_ifs=$IFS
  IFS='
'
  set -f
  set -- "$@" $k_packages_extra
  set +f
  IFS=$k_packages_pip_ifs
  "$k_pip" "$@"
}

# k_apt_refresh ok|act|diff [--cache-time SECONDS] (apt.update): apt's package lists are
# refreshed, always (the probe never holds) or when older than SECONDS (k_apt_fresh).
k_apt_refresh() {
  k_apt_refresh_verb=$1 k_apt_refresh_cache_time=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --cache-time) k_apt_refresh_cache_time=$2; shift ;;
    *) k_err "k_apt_refresh: unknown option $1"; return 64 ;;
    esac
    shift
  done
  case $k_apt_refresh_verb in
  ok) k_apt_fresh "$k_apt_refresh_cache_time" ;;
  act) k_apt_update 0 ;;
  diff) printf 'refresh the package lists\n' ;;
  esac
}

# k_apt_upgrade ok|act|diff [--dist] [--autoremove] (apt.upgrade): no package has an
# upgrade (`apt-get upgrade`, or with --dist `dist-upgrade`, simulated: nothing to install
# or remove), and with --autoremove nothing is left to autoremove. The diff lists what
# would be installed or removed.
k_apt_upgrade() {
  k_apt_upgrade_verb=$1 k_apt_upgrade_what=upgrade k_apt_upgrade_autoremove=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --dist) k_apt_upgrade_what=dist-upgrade ;;
    --autoremove) k_apt_upgrade_autoremove=1 ;;
    *) k_err "k_apt_upgrade: unknown option $1"; return 64 ;;
    esac
    shift
  done
  case $k_apt_upgrade_verb in
  ok)
    ! LC_ALL=C apt-get -s -q "$k_apt_upgrade_what" 2>/dev/null | grep -qE '^(Inst|Remv) ' || return 1
    [ "$k_apt_upgrade_autoremove" = 0 ] || ! LC_ALL=C apt-get -s -q autoremove 2>/dev/null | grep -q '^Remv ' ;;
  act)
    env DEBIAN_FRONTEND=noninteractive apt-get "$k_apt_upgrade_what" -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold || return 1
    [ "$k_apt_upgrade_autoremove" = 0 ] || env DEBIAN_FRONTEND=noninteractive apt-get autoremove -y -q ;;
  diff)
    LC_ALL=C apt-get -s -q "$k_apt_upgrade_what" 2>/dev/null | grep -E '^(Inst|Remv) '
    if [ "$k_apt_upgrade_autoremove" = 1 ]; then LC_ALL=C apt-get -s -q autoremove 2>/dev/null | grep '^Remv '; fi
    return 0 ;;
  esac
}

# k_apt_source ok|act|diff --file FILE --line LINE --key KEY [--absent] [--update]
# (apt.repo): the source LINE is in apt's FILE (a line with the same words, KEY, replaced;
# else appended), or with --absent it is not; --update refreshes the package lists after
# a change.
k_apt_source() {
  k_apt_source_verb=$1 k_apt_source_file='' k_apt_source_line='' k_apt_source_key=''
  k_apt_source_absent=0 k_apt_source_update=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --file) k_apt_source_file=$2; shift ;;
    --line) k_apt_source_line=$2; shift ;;
    --key) k_apt_source_key=$2; shift ;;
    --absent) k_apt_source_absent=1 ;;
    --update) k_apt_source_update=1 ;;
    *) k_err "k_apt_source: unknown option $1"; return 64 ;;
    esac
    shift
  done
  set -- k_keyed --format words --key "$k_apt_source_key" --line "$k_apt_source_line"
  if [ "$k_apt_source_absent" = 1 ]; then set -- "$@" --absent; fi
  k_filter_file "$k_apt_source_verb" --path "$k_apt_source_file" -- "$@" || return 1
  if [ "$k_apt_source_verb" = act ] && [ "$k_apt_source_update" = 1 ]; then k_apt_update 0; fi
}

# k_apt_key ok|act|diff --dest FILE [--key-id FINGERPRINT] (--url URL | --keyserver SERVER)
# (apt.key): FILE, a keyring for apt, holds the key (whose fingerprint ends with
# FINGERPRINT, when given), downloaded from URL (curl or wget, k_fetch) or received from
# SERVER, imported into a private GnuPG home (in the run's private directory) and exported
# in the form the file's name asks for: binary for `.gpg`, else armored.
k_apt_key() {
  k_apt_key_verb=$1 k_apt_key_dest='' k_apt_key_id='' k_apt_key_url='' k_apt_key_server=''
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --dest) k_apt_key_dest=$2; shift ;;
    --key-id) k_apt_key_id=$2; shift ;;
    --url) k_apt_key_url=$2; shift ;;
    --keyserver) k_apt_key_server=$2; shift ;;
    *) k_err "k_apt_key: unknown option $1"; return 64 ;;
    esac
    shift
  done
  case $k_apt_key_verb in
  ok) k_apt_key_holds "$k_apt_key_dest" ;;
  act)
    k_private && k_apt_key_home=$k_tmpd/gnupg && rm -rf -- "$k_apt_key_home" && mkdir -m 700 -- "$k_apt_key_home" || return 1
    (k_apt_key_import)
    k_apt_key_status=$?
    rm -rf -- "$k_apt_key_home"
    return "$k_apt_key_status" ;;
  diff) printf 'install the key %s\n' "$k_apt_key_dest" ;;
  esac
}

# k_apt_key_holds FILE: whether FILE holds k_apt_key's key.
k_apt_key_holds() {
  [ -s "$1" ] || return 1
  [ -n "$k_apt_key_id" ] || return 0
  gpg --batch --with-colons --show-keys "$1" 2>/dev/null | awk -F: '$1 == "fpr" { print $10 }' | grep -q "$k_apt_key_id\$"
}

# k_apt_key_import: k_apt_key's key fetched into its private GnuPG home, exported and
# written to its file (k_apt_key runs it in a subshell, which `exit` ends).
k_apt_key_import() {
  if [ -n "$k_apt_key_url" ]; then
    k_fetch "$k_apt_key_url" "$k_apt_key_home/download" '' || exit 1
    gpg --homedir "$k_apt_key_home" --batch -q --import "$k_apt_key_home/download" || exit 1
  else
    gpg --homedir "$k_apt_key_home" --batch -q --keyserver "$k_apt_key_server" --recv-keys "$k_apt_key_id" || exit 1
  fi
  case $k_apt_key_dest in
  *.gpg) gpg --homedir "$k_apt_key_home" --batch -q --export > "$k_apt_key_home/key" || exit 1 ;;
  *) gpg --homedir "$k_apt_key_home" --batch -q --export --armor > "$k_apt_key_home/key" || exit 1 ;;
  esac
  k_apt_key_holds "$k_apt_key_home/key" || { k_err 'the key is not there, or not the one key_id names'; exit 1; }
  k_write "$k_apt_key_dest" 0644 '' '' < "$k_apt_key_home/key"
}

# k_apt_sources ok|act|diff --file FILE [--keyring KEYRING --key-url URL --fingerprint
# FINGERPRINT] [--absent] [--update] (apt.sources): FILE (a deb822 `.sources` file) holds
# k_text (the step's text) and, with --key-url, KEYRING holds the key whose fingerprint is
# FINGERPRINT (upper-case hex), downloaded from URL and dearmored by gpg when armored
# (k_apt_sources_key: a key with another fingerprint fails before anything is written;
# the key goes first, so the source never names a missing keyring). With --absent neither file is there. --update refreshes
# the package lists of FILE's source alone after a change.
k_apt_sources() {
  k_apt_sources_verb=$1 k_apt_sources_file='' k_apt_sources_keyring='' k_apt_sources_url='' k_apt_sources_fingerprint=''
  k_apt_sources_absent=0 k_apt_sources_update=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --file) k_apt_sources_file=$2; shift ;;
    --keyring) k_apt_sources_keyring=$2; shift ;;
    --key-url) k_apt_sources_url=$2; shift ;;
    --fingerprint) k_apt_sources_fingerprint=$2; shift ;;
    --absent) k_apt_sources_absent=1 ;;
    --update) k_apt_sources_update=1 ;;
    *) k_err "k_apt_sources: unknown option $1"; return 64 ;;
    esac
    shift
  done
  if [ "$k_apt_sources_absent" = 1 ]; then
    case $k_apt_sources_verb in
    ok) ! [ -e "$k_apt_sources_file" ] && ! [ -L "$k_apt_sources_file" ] && { [ -z "$k_apt_sources_url" ] || ! [ -e "$k_apt_sources_keyring" ]; } ;;
    act)
      rm -f -- "$k_apt_sources_file" || return 1
      if [ -n "$k_apt_sources_url" ]; then rm -f -- "$k_apt_sources_keyring" || return 1; fi ;;
    diff) printf 'remove %s\n' "$k_apt_sources_file" ;;
    esac
    return
  fi
  case $k_apt_sources_verb in
  ok) k_apt_sources_key ok && [ -f "$k_apt_sources_file" ] && [ ! -L "$k_apt_sources_file" ] && k_same_text "$k_apt_sources_file" ;;
  act)
    if ! k_apt_sources_key ok; then
      command -v gpg >/dev/null 2>&1 || { k_err "gpg is not installed: apt.sources needs it to check the key's fingerprint and write a binary keyring (apt-get install gpg)"; return 1; }
      k_split "$k_apt_sources_keyring"
      mkdir -p -- "$k_split_dir" && k_apt_sources_key act || return 1
    fi
    if ! { [ -f "$k_apt_sources_file" ] && [ ! -L "$k_apt_sources_file" ] && k_same_text "$k_apt_sources_file"; }; then
      k_write "$k_apt_sources_file" 0644 '' '' k_text_out || return 1
    fi
    [ "$k_apt_sources_update" = 0 ] ||
      apt-get update -q -o Dir::Etc::sourcelist="$k_apt_sources_file" -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0 ;;
  diff)
    k_apt_sources_key ok || printf 'install the key %s (fingerprint %s)\n' "$k_apt_sources_keyring" "$k_apt_sources_fingerprint"
    k_text_out | k_diffu "$k_apt_sources_file" ;;
  esac
}

# k_apt_sources_key ok|act: k_apt_sources's keyring holds the key of its fingerprint, and
# no other (k_key_only; `ok` holds when there is no key to fetch). `act`
# downloads the key into the run's private directory (k_fetch), dearmors an armored one
# (`gpg --dearmor`), checks it and only then writes the keyring (k_write, mode 0644): a
# key with another fingerprint, or with a key more, is never installed.
k_apt_sources_key() {
  [ -n "$k_apt_sources_url" ] || return 0
  if [ "$1" = ok ]; then k_key_only "$k_apt_sources_keyring" "$k_apt_sources_fingerprint"; return; fi
  k_private || return 1
  k_apt_sources_download=$k_tmpd/apt-sources-key
  rm -f -- "$k_apt_sources_download" "$k_apt_sources_download.gpg"
  k_fetch "$k_apt_sources_url" "$k_apt_sources_download" '' || { k_err "cannot download $k_apt_sources_url"; return 1; }
  if grep -q '^-----BEGIN PGP PUBLIC KEY BLOCK-----' "$k_apt_sources_download"; then
    k_gpg --dearmor --output "$k_apt_sources_download.gpg" "$k_apt_sources_download" &&
      mv -f -- "$k_apt_sources_download.gpg" "$k_apt_sources_download" || return 1
  fi
  if ! k_key_only "$k_apt_sources_download" "$k_apt_sources_fingerprint"; then
    k_err "$k_apt_sources_url is not the key $k_apt_sources_fingerprint alone: not installed"; return 1
  fi
  k_write "$k_apt_sources_keyring" 0644 '' '' < "$k_apt_sources_download"
}

# k_key_only FILE FINGERPRINT: whether FILE (a keyring, binary or armored) holds keys, each
# of which (each primary key, as `gpg --show-keys` lists it) has FINGERPRINT (upper-case
# hex): what apt.sources and the rpm family's keys install, and nothing more.
k_key_only() {
  [ -s "$1" ] || return 1
  k_gpg --with-colons --show-keys "$1" 2>/dev/null | K_F=$2 awk -F: '
    $1 == "pub" { primary = 1; next }
    primary && $1 == "fpr" { keys++; if ($10 != ENVIRON["K_F"]) other = 1; primary = 0 }
    END { exit !(keys > 0 && !other) }'
}

# k_gpg ARG...: gpg in batch mode with a GnuPG home of its own in the run's private
# directory: nothing is written to the user's, and no agent is needed (a host with the gpg
# package alone has none).
k_gpg() {
  k_private || return 1
  [ -d "$k_tmpd/gpg-home" ] || mkdir -m 700 -- "$k_tmpd/gpg-home" || return 1
  gpg --batch --quiet --no-autostart --homedir "$k_tmpd/gpg-home" "$@"
}

# k_apt_deb ok|act|diff (--url URL --sha256 SUM | --stdin) (apt.deb): the package in the
# .deb (downloaded from URL, which must match SUM, or read on standard input) is installed
# at the .deb's version (`dpkg-deb -f`, then k_apt_has); else `apt-get install` installs the
# file with its dependencies (a downgrade too: the version asked for is the file's).
k_apt_deb() {
  k_apt_deb_verb=$1 k_apt_deb_url='' k_apt_deb_sha256=''
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --url) k_apt_deb_url=$2; shift ;;
    --sha256) k_apt_deb_sha256=$2; shift ;;
    --stdin) ;; # the default: no URL
    *) k_err "k_apt_deb: unknown option $1"; return 64 ;;
    esac
    shift
  done
  k_package_file deb "$k_apt_deb_url" "$k_apt_deb_sha256" || return 1
  k_apt_deb_file=$k_package_file_path
  if ! k_apt_deb_package=$(dpkg-deb -f "$k_apt_deb_file" Package) || ! k_apt_deb_version=$(dpkg-deb -f "$k_apt_deb_file" Version); then
    k_err "${k_apt_deb_url:-the .deb} is not a Debian package"; return 1
  fi
  case $k_apt_deb_verb in
  ok) k_apt_has "$k_apt_deb_package=$k_apt_deb_version" ;;
  act)
    env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades -o Dpkg::Options::=--force-confdef \
      -o Dpkg::Options::=--force-confold "$k_apt_deb_file" ;;
  diff) printf 'install %s %s\n' "$k_apt_deb_package" "$k_apt_deb_version" ;;
  esac
}

# k_package_file EXT URL SUM: k_package_file_path, a package file (a .EXT) in the run's
# private directory: read on standard input when URL is empty, else downloaded from URL
# once per run (named by its SHA-256, SUM, which it must match). apt.deb's and the rpm
# family's.
k_package_file() {
  k_private || return 1
  if [ -z "$2" ]; then
    k_package_file_path=$k_tmpd/package.$1
    cat > "$k_package_file_path"
  else
    k_package_file_path=$k_tmpd/package-$3.$1
    k_sha256_is "$k_package_file_path" "$3" ||
      k_download_file "$2" "$k_package_file_path" "$3" '' '' '' ''
  fi
}

# k_apt_ppa ok|act|diff --uri URI --keyring KEYRING -- OPTION... (apt.ppa): k_apt_sources
# with OPTIONs for a Launchpad PPA at URI, whose stanza (k_text) k_apt_ppa writes: the
# suite is the host's Ubuntu codename (k_apt_ppa_codename), the component `main`, the key
# KEYRING. A host that is not Ubuntu (or derived from it) fails, saying so, before
# anything is written; with --absent among the OPTIONs no codename is needed.
k_apt_ppa() {
  k_apt_ppa_verb=$1 k_apt_ppa_uri='' k_apt_ppa_keyring=''
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --uri) k_apt_ppa_uri=$2; shift ;;
    --keyring) k_apt_ppa_keyring=$2; shift ;;
    --) shift; break ;;
    *) k_err "k_apt_ppa: unknown option $1"; return 64 ;;
    esac
    shift
  done
  case " $* " in
  *' --absent '*) k_text='' ;;
  *)
    k_apt_ppa_codename /etc/os-release || return 1
    k_text="Types: deb
URIs: $k_apt_ppa_uri
Suites: $k_apt_ppa_suite
Components: main
Signed-By: $k_apt_ppa_keyring
" ;;
  esac
  k_apt_sources "$k_apt_ppa_verb" "$@"
}

# k_apt_ppa_codename FILE: k_apt_ppa_suite, the Ubuntu release this host is or derives from,
# read from FILE (/etc/os-release) with builtins: `UBUNTU_CODENAME` (set by Ubuntu and its derivatives),
# else `VERSION_CODENAME` where `ID` is `ubuntu`. Fails, saying why, on any other host.
k_apt_ppa_codename() {
  k_apt_ppa_suite='' k_apt_ppa_id='' k_apt_ppa_version=''
  if [ -r "$1" ]; then
    while IFS='=' read -r k_apt_ppa_key k_apt_ppa_value; do
      k_apt_ppa_value=${k_apt_ppa_value#\"} k_apt_ppa_value=${k_apt_ppa_value%\"}
      case $k_apt_ppa_key in
      ID) k_apt_ppa_id=$k_apt_ppa_value ;;
      UBUNTU_CODENAME) k_apt_ppa_suite=$k_apt_ppa_value ;;
      VERSION_CODENAME) k_apt_ppa_version=$k_apt_ppa_value ;;
      esac
    done < "$1"
  fi
  if [ -z "$k_apt_ppa_suite" ] && [ "$k_apt_ppa_id" = ubuntu ]; then k_apt_ppa_suite=$k_apt_ppa_version; fi
  [ -n "$k_apt_ppa_suite" ] && return 0
  k_err "apt.ppa: this host is ${k_apt_ppa_id:-of no known distribution}, not Ubuntu: a PPA is built for an Ubuntu release (use apt.sources for another repository)"
  return 1
}

# k_rpm_key ok|act|diff --key URL|PATH --fingerprint FINGERPRINT --id ID [--absent] (dnf.key,
# yum.key, zypper.key): rpm's database holds the key `gpg-pubkey-ID` (ID: the fingerprint's
# last 8 hex digits, lower case), or with --absent does not. `act` copies the key file at
# PATH, or downloads the one at URL, into the run's private directory, and imports that
# copy once gpg has shown it to be the key of FINGERPRINT alone (k_key_only): a file with
# another key, or one more, is never imported, nor one changed between check and import.
k_rpm_key() {
  k_rpm_key_verb=$1 k_rpm_key_key='' k_rpm_key_fingerprint='' k_rpm_key_id='' k_rpm_key_absent=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --key) k_rpm_key_key=$2; shift ;;
    --fingerprint) k_rpm_key_fingerprint=$2; shift ;;
    --id) k_rpm_key_id=$2; shift ;;
    --absent) k_rpm_key_absent=1 ;;
    *) k_err "k_rpm_key: unknown option $1"; return 64 ;;
    esac
    shift
  done
  if [ "$k_rpm_key_absent" = 1 ]; then
    case $k_rpm_key_verb in
    ok) ! rpm -q --quiet "gpg-pubkey-$k_rpm_key_id" ;;
    act) rpm -e --allmatches "gpg-pubkey-$k_rpm_key_id" ;;
    diff) printf 'remove the key gpg-pubkey-%s\n' "$k_rpm_key_id" ;;
    esac
    return
  fi
  case $k_rpm_key_verb in
  ok) rpm -q --quiet "gpg-pubkey-$k_rpm_key_id" ;;
  act)
    command -v gpg >/dev/null 2>&1 || { k_err "gpg is not installed: the rpm key ops need it to check the key's fingerprint before rpm trusts it"; return 1; }
    k_private || return 1
    k_rpm_key_file=$k_tmpd/rpm-key
    rm -f -- "$k_rpm_key_file"
    case $k_rpm_key_key in
    /*) cp -- "$k_rpm_key_key" "$k_rpm_key_file" || return 1 ;;
    *) k_fetch "$k_rpm_key_key" "$k_rpm_key_file" '' || { k_err "cannot download $k_rpm_key_key"; return 1; } ;;
    esac
    if ! k_key_only "$k_rpm_key_file" "$k_rpm_key_fingerprint"; then
      k_err "$k_rpm_key_key is not the key $k_rpm_key_fingerprint alone: not imported"; return 1
    fi
    rpm --import "$k_rpm_key_file" ;;
  diff) printf 'import the key %s (fingerprint %s)\n' "$k_rpm_key_key" "$k_rpm_key_fingerprint" ;;
  esac
}

# k_rpm_file ok|act|diff --manager dnf|yum|zypper (--url URL --sha256 SUM | --stdin)
# (dnf.rpm, yum.rpm, zypper.rpm): the package in the .rpm (downloaded from URL, which must
# match SUM, or read on standard input; k_package_file) is installed at the file's epoch,
# version, release and architecture (its NEVRA, `rpm -qp`, among what `rpm -q` says of the
# name); else the manager installs the file, with its dependencies from the host's
# repositories.
k_rpm_file() {
  k_rpm_file_verb=$1 k_rpm_file_manager='' k_rpm_file_url='' k_rpm_file_sha256=''
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --manager) k_rpm_file_manager=$2; shift ;;
    --url) k_rpm_file_url=$2; shift ;;
    --sha256) k_rpm_file_sha256=$2; shift ;;
    --stdin) ;; # the default: no URL
    *) k_err "k_rpm_file: unknown option $1"; return 64 ;;
    esac
    shift
  done
  k_package_file rpm "$k_rpm_file_url" "$k_rpm_file_sha256" || return 1
  k_rpm_file_format='%{NAME} %{NAME}-%|EPOCH?{%{EPOCH}:}|%{VERSION}-%{RELEASE}.%{ARCH}\n'
  if ! k_rpm_file_nevra=$(rpm -qp --qf "$k_rpm_file_format" "$k_package_file_path" 2>/dev/null) || [ -z "$k_rpm_file_nevra" ]; then
    k_err "${k_rpm_file_url:-the .rpm} is not an rpm package"; return 1
  fi
  k_rpm_file_name=${k_rpm_file_nevra%% *} k_rpm_file_nevra=${k_rpm_file_nevra#* }
  case $k_rpm_file_verb in
  ok)
    k_rpm_file_installed=$(rpm -q --qf "$k_rpm_file_format" "$k_rpm_file_name" 2>/dev/null) || return 1
    case "
$k_rpm_file_installed
" in
    *" $k_rpm_file_nevra
"*) return 0 ;;
    esac
    return 1 ;;
  act)
    case $k_rpm_file_manager in
    zypper) zypper --non-interactive install "$k_package_file_path" ;;
    *) "$k_rpm_file_manager" install -y "$k_package_file_path" ;;
    esac ;;
  diff) printf 'install %s\n' "$k_rpm_file_nevra" ;;
  esac
}
