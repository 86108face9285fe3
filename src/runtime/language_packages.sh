# Language and desktop package managers for k_packages: npm, gem, cargo, pipx, snap and
# flatpak. Each is asked once per k_packages call which packages it has (one listing,
# k_lpkgs_list), and the listing is asked again only after a command changed something;
# each package is then tested against that listing, not by a process of its own.

# Whether PKG is installed, by k_packages' manager, at the version PKG pins if it pins one:
# k_lpkg_has PKG. A version follows the manager's own separator: npm `name@1.2.0`
# (`@scope/name@1.2.0`), gem `name:1.2.0`, cargo `name@1.2.0`, pipx `name==1.2.0`; snap
# and flatpak names carry none.
k_lpkg_has() {
  k_lpkg_has_name=$1 k_lpkg_has_version=''
  case $k_packages_manager:$1 in
  npm:@*/*@* | npm:[!@]*@* | cargo:*@*) k_lpkg_has_name=${1%@*} k_lpkg_has_version=${1##*@} ;;
  gem:*:*) k_lpkg_has_name=${1%%:*} k_lpkg_has_version=${1#*:} ;;
  pipx:*==*) k_lpkg_has_name=${1%%==*} k_lpkg_has_version=${1#*==} ;;
  esac
  [ "${k_lpkgs_list_done-0}" = 1 ] || k_lpkgs_list || return 1
  if [ -n "$k_lpkg_has_version" ]; then
    case "
$k_lpkgs_list_text
" in *"
$k_lpkg_has_name $k_lpkg_has_version
"*) return 0 ;; esac
  else
    case "
$k_lpkgs_list_text
" in *"
$k_lpkg_has_name "*) return 0 ;; esac
  fi
  return 1
}

# Whether PKG is installed and has no newer version its manager knows of: k_lpkg_latest
# PKG (npm `outdated`, gem `outdated`, snap `refresh --list`, flatpak `remote-ls
# --updates`). cargo and pipx cannot tell without installing, so their ops have no
# `latest`.
k_lpkg_latest() {
  k_lpkg_has "$1" || return 1
  case $k_packages_manager in
  npm) [ -z "$(k_lpkgs_npm outdated --parseable "$k_lpkg_has_name" 2>/dev/null)" ] ;;
  gem) ! gem outdated 2>/dev/null | K_P=$k_lpkg_has_name awk '$1 == ENVIRON["K_P"] { f = 1 } END { exit !f }' ;;
  snap) ! snap refresh --list 2>/dev/null | K_P=$k_lpkg_has_name awk 'NR > 1 && $1 == ENVIRON["K_P"] { f = 1 } END { exit !f }' ;;
  flatpak) ! flatpak remote-ls --updates --app --columns=application 2>/dev/null | grep -qxF -- "$k_lpkg_has_name" ;;
  *) return 1 ;;
  esac
}

# Lists what k_packages' manager has installed into k_lpkgs_list_text, a `NAME VERSION` a
# line (a gem once per installed version; snap and flatpak: their version column), and
# sets k_lpkgs_list_done to 1. A manager that is not installed fails, and says so (once: its
# listing is then empty).
k_lpkgs_list() {
  k_lpkgs_list_done=1 k_lpkgs_list_text=''
  command -v "$k_packages_manager" >/dev/null 2>&1 || { k_err "$k_packages_manager is not installed"; return 1; }
  case $k_packages_manager in
  npm)
    k_lpkgs_list_text=$(k_lpkgs_npm ls --json --depth=0 2>/dev/null | awk '
      /^  "dependencies": \{/ { d = 1; next } d && /^  [}]/ { d = 0 }
      d && /^    "[^"]*": \{/ { n = $1; gsub(/[":]/, "", n) }
      d && n != "" && /^      "version": / { v = $2; gsub(/[",]/, "", v); print n " " v; n = "" }') ;;
  gem)
    k_lpkgs_list_text=$(gem list --local 2>/dev/null | awk -F'[()]' '
      NF > 1 { n = split($2, vs, /, */); sub(/ +$/, "", $1)
        for (i = 1; i <= n; i++) { v = vs[i]; sub(/^default: /, "", v); sub(/ .*/, "", v); print $1 " " v } }') ;;
  cargo) k_lpkgs_list_text=$(cargo install --list 2>/dev/null | awk '/^[^ ]/ { v = $2; sub(/^v/, "", v); sub(/:$/, "", v); print $1 " " v }') ;;
  pipx) k_lpkgs_list_text=$(pipx list --short 2>/dev/null) ;;
  snap) k_lpkgs_list_text=$(snap list 2>/dev/null | awk 'NR > 1 { print $1 " " $2 }') ;;
  flatpak) k_lpkgs_list_text=$(flatpak list --app --columns=application,version 2>/dev/null | awk '{ print $1 " " $2 }') ;;
  esac
}

# npm with ARG..., on the global packages or, with k_packages' --dir, on DIR's.
k_lpkgs_npm() {
  if [ -n "$k_packages_dir" ]; then npm --prefix "$k_packages_dir" "$@"; else npm --global "$@"; fi
}

# k_lpkgs_command install|upgrade|remove|update PACKAGE...: k_packages' command for its
# manager (k_lpkgs_run); pipx and snap install one package a command (snap's --channel
# holds for one snap only; pipx takes one spec). The listing is asked again after it.
k_lpkgs_command() {
  k_lpkgs_list_done=0
  case $1:$k_packages_manager in
  update:*) return 0 ;;
  install:pipx | remove:pipx | install:snap)
    k_lpkgs_command_what=$1
    shift
    for k_lpkgs_command_package in "$@"; do
      k_lpkgs_run "$k_lpkgs_command_what" "$k_lpkgs_command_package" || return 1
    done ;;
  *) k_lpkgs_run "$@" ;;
  esac
}

# k_lpkgs_run install|upgrade|remove PACKAGE...: the manager's command, then k_packages'
# extra arguments (a word a line), then the PACKAGEs.
# shellcheck disable=SC2086
k_lpkgs_run() {
  k_lpkgs_run_what=$1
  shift
  k_lpkgs_run_count=$#
  case $k_lpkgs_run_what:$k_packages_manager in
  install:npm) set -- "$@" k_lpkgs_npm install ;;
  upgrade:npm) set -- "$@" k_lpkgs_npm update ;;
  remove:npm) set -- "$@" k_lpkgs_npm uninstall ;;
  install:gem)
    set -- "$@" gem install --no-document
    if [ "$k_packages_user_install" = 1 ]; then set -- "$@" --user-install; fi ;;
  upgrade:gem) set -- "$@" gem update --no-document ;;
  remove:gem) set -- "$@" gem uninstall --all --executables --ignore-dependencies ;;
  install:cargo) set -- "$@" cargo install ;;
  remove:cargo) set -- "$@" cargo uninstall ;;
  install:pipx) set -- "$@" pipx install --force ;;
  remove:pipx) set -- "$@" pipx uninstall ;;
  install:snap)
    set -- "$@" snap install
    if [ "$k_packages_classic" = 1 ]; then set -- "$@" --classic; fi
    if [ -n "$k_packages_channel" ]; then set -- "$@" "--channel=$k_packages_channel"; fi ;;
  upgrade:snap) set -- "$@" snap refresh ;;
  remove:snap) set -- "$@" snap remove ;;
  install:flatpak) set -- "$@" flatpak install --noninteractive -y ;;
  upgrade:flatpak) set -- "$@" flatpak update --noninteractive -y ;;
  remove:flatpak) set -- "$@" flatpak uninstall --noninteractive -y ;;
  *) k_err "$k_packages_manager cannot $k_lpkgs_run_what"; return 1 ;;
  esac
  k_lpkgs_run_ifs=$IFS
  IFS='
'
  set -f
  set -- "$@" $k_packages_extra
  set +f
  IFS=$k_lpkgs_run_ifs
  if [ "$k_lpkgs_run_what:$k_packages_manager" = install:flatpak ]; then set -- "$@" "$k_packages_remote"; fi
  # The packages, moved from the front to the end.
  k_lpkgs_run_index=0
  for k_lpkgs_run_word in "$@"; do
    [ "$k_lpkgs_run_index" -ge "$k_lpkgs_run_count" ] || set -- "$@" "$k_lpkgs_run_word"
    k_lpkgs_run_index=$((k_lpkgs_run_index + 1))
  done
  shift "$k_lpkgs_run_count"
  "$@"
}
