#!/bin/sh
# The entry point of a kiln bundle: `sh ./run [--check] [--report PATH]`, as root, from
# anywhere. It runs nothing when another user could change the bundle after it is checked
# (a member not the running user's, or writable by group or others; a directory above it
# another user owns, or may write unless it is sticky, as /tmp is), or when a file does not
# match SHA256SUMS; then it runs script.sh with its own arguments, with apt or dnf reading
# the bundle's packages/ as its only source (a configuration of its own in a temporary
# directory, so the host's sources, lists and repositories stay as they are, and neither
# needs a network): apt's through APT_CONFIG; dnf's (and yum's) through KILN_DNF_CONFIG,
# which the script's dnf and yum commands pass as --config (k_rpm_manager).
set -u
k_bundle_dir=$(cd -- "$(dirname -- "$0")" && pwd -P) || exit 1
cd -- "$k_bundle_dir" || exit 1
k_bundle_me=$(id -u) || exit 1
k_bundle_open=$(
  find . \( ! -user "$k_bundle_me" -o -perm -020 -o -perm -002 -o \( ! -type f ! -type d \) \) -print || exit 1
  set --
  k_bundle_up=${k_bundle_dir%/*}
  while [ -n "$k_bundle_up" ]; do
    set -- "$@" "$k_bundle_up"
    k_bundle_up=${k_bundle_up%/*}
  done
  [ $# -eq 0 ] || find "$@" -prune \( \( ! -user 0 ! -user "$k_bundle_me" \) -o \( \( -perm -020 -o -perm -002 \) ! -perm -1000 \) \) -print
) || exit 1
if [ -n "$k_bundle_open" ]; then
  printf 'kiln bundle: another user could change it after it is checked: nothing was run:\n%s\n' "$k_bundle_open" >&2
  exit 1
fi
if ! sha256sum -c --quiet --strict SHA256SUMS >&2; then
  printf 'kiln bundle: its files do not match SHA256SUMS: nothing was run\n' >&2
  exit 1
fi
if [ -d packages ]; then
  k_bundle_tmp=$(mktemp -d) || exit 1
  trap 'rm -rf -- "$k_bundle_tmp"' EXIT
  trap 'exit 130' INT TERM
  # apt and dnf take the source's path as a URI: a link from the temporary directory (no
  # space, no %) to the bundle's packages, wherever the bundle was unpacked.
  ln -s "$k_bundle_dir/packages" "$k_bundle_tmp/repo" || exit 1
fi
if [ -f packages/Packages ]; then
  mkdir -p "$k_bundle_tmp/lists/partial" "$k_bundle_tmp/cache/archives/partial" || exit 1
  printf 'deb [trusted=yes] file:%s/repo ./\n' "$k_bundle_tmp" >"$k_bundle_tmp/sources.list" || exit 1
  cat >"$k_bundle_tmp/apt.conf" <<APT || exit 1
Dir::Etc::sourcelist "$k_bundle_tmp/sources.list";
Dir::Etc::sourceparts "-";
Dir::State::lists "$k_bundle_tmp/lists";
Dir::Cache "$k_bundle_tmp/cache";
APT::Sandbox::User "root";
APT
  APT_CONFIG=$k_bundle_tmp/apt.conf
  export APT_CONFIG
  apt-get update -q >&2 || { printf 'kiln bundle: apt cannot read the bundle'"'"'s packages\n' >&2; exit 1; }
fi
if [ -f packages/repodata/repomd.xml ]; then
  # The bundle's signature covers the packages (gpgcheck=0); no repository of the host's
  # (reposdir) and a cache of its own.
  cat >"$k_bundle_tmp/dnf.conf" <<DNF || exit 1
[main]
reposdir=$k_bundle_tmp/none
cachedir=$k_bundle_tmp/cache
gpgcheck=0
install_weak_deps=1

[kiln-bundle]
name=kiln bundle
baseurl=file://$k_bundle_tmp/repo
gpgcheck=0
DNF
  KILN_DNF_CONFIG=$k_bundle_tmp/dnf.conf
  export KILN_DNF_CONFIG
fi
sh ./script.sh "$@"
