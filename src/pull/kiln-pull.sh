#!/bin/sh
# kiln-pull: fetches this host's kiln bundle, verifies it, runs it and keeps its report.
# Written by `kiln pull-units`; kiln-pull.service runs it, kiln-pull.timer starts that.
#
# usage: kiln-pull --from DIR|https://URL|git+URL --host HOST --allowed-signers FILE
#                  --identity IDENTITY [--ca FILE] [--state DIR] [--keep N]
#
# The bundle is HOST.tar in the directory, under the URL, or at the top of the git
# repository's default branch. An https:// URL is fetched over HTTPS only, redirects
# too (the bundle holds the script's secrets), trusting the certificate authorities in
# FILE (--ca) instead of the system's when given. Nothing of it runs unless, in this order: every member is a
# regular file or a directory under HOST/ (no link, no `..`); HOST/SHA256SUMS is signed
# (`ssh-keygen -Y verify`, namespace kiln-bundle) by IDENTITY as ALLOWED_SIGNERS says;
# it lists every other file of the bundle but its signature, and each matches. Then
# `HOST/run --report STATE/reports/TIME.json` runs, and only the last N reports are kept.
# The exit status is the run's (1 when the bundle is refused).
set -eu
umask 077

kp_die() {
  printf 'kiln-pull: %s\n' "$*" >&2
  exit 1
}

kp_from='' kp_host='' kp_signers='' kp_identity='' kp_ca='' kp_state=/var/lib/kiln-pull kp_keep=10
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || kp_die "$1 needs a value"
  case $1 in
    --from) kp_from=$2 ;;
    --host) kp_host=$2 ;;
    --allowed-signers) kp_signers=$2 ;;
    --identity) kp_identity=$2 ;;
    --ca) kp_ca=$2 ;;
    --state) kp_state=$2 ;;
    --keep) kp_keep=$2 ;;
    *) kp_die "unknown option $1" ;;
  esac
  shift 2
done
if [ -z "$kp_from" ] || [ -z "$kp_signers" ] || [ -z "$kp_identity" ]; then
  kp_die "--from, --host, --allowed-signers and --identity are required"
fi
case $kp_host in
  '' | .* | */*) kp_die "--host: a host name, not '$kp_host'" ;;
esac
case $kp_keep in
  '' | *[!0-9]* | 0) kp_die "--keep: a number of reports, at least 1" ;;
esac

mkdir -p "$kp_state/reports"
kp_work=$(mktemp -d "$kp_state/work.XXXXXX")
trap 'rm -rf "$kp_work"' EXIT
kp_tar=$kp_work/bundle.tar

# Fetch.
case $kp_from in
  https://*)
    # --proto holds for the redirects --location follows too.
    set -- --fail --silent --show-error --location --proto '=https'
    [ -z "$kp_ca" ] || set -- "$@" --cacert "$kp_ca"
    curl "$@" --output "$kp_tar" --url "${kp_from%/}/$kp_host.tar" ||
      kp_die "cannot fetch the bundle"
    ;;
  git+*)
    git clone --quiet --depth 1 -- "${kp_from#git+}" "$kp_work/repo" ||
      kp_die "cannot clone ${kp_from#git+}"
    cp -- "$kp_work/repo/$kp_host.tar" "$kp_tar" || kp_die "no $kp_host.tar in the repository"
    ;;
  /*) cp -- "$kp_from/$kp_host.tar" "$kp_tar" || kp_die "cannot read $kp_from/$kp_host.tar" ;;
  *) kp_die "--from: an absolute directory, an https:// URL or git+URL, not '$kp_from'" ;;
esac

# Members: regular files and directories under HOST/ only, before anything is extracted.
tar -tf "$kp_tar" >"$kp_work/names" || kp_die "refused: not a tar archive"
tar -tvf "$kp_tar" >"$kp_work/modes" || kp_die "refused: not a tar archive"
while IFS= read -r kp_name; do
  case $kp_name in
    "$kp_host"/ | "$kp_host"/*) ;;
    *) kp_die "refused: a member outside $kp_host/: $kp_name" ;;
  esac
  case /$kp_name/ in
    */../* | */./*) kp_die "refused: a member with . or .. in its path: $kp_name" ;;
  esac
done <"$kp_work/names"
while IFS= read -r kp_line; do
  case $kp_line in
    -* | d*) ;;
    *) kp_die "refused: a member that is neither a file nor a directory: $kp_line" ;;
  esac
done <"$kp_work/modes"
mkdir "$kp_work/bundle"
tar -xf "$kp_tar" -C "$kp_work/bundle" || kp_die "refused: the archive does not extract"
kp_dir=$kp_work/bundle/$kp_host

# The signature of the checksums.
[ -f "$kp_dir/SHA256SUMS" ] || kp_die "refused: the bundle has no SHA256SUMS"
[ -f "$kp_dir/SHA256SUMS.sig" ] || kp_die "refused: the bundle is not signed (no SHA256SUMS.sig)"
ssh-keygen -Y verify -f "$kp_signers" -I "$kp_identity" -n kiln-bundle \
  -s "$kp_dir/SHA256SUMS.sig" <"$kp_dir/SHA256SUMS" >&2 ||
  kp_die "refused: SHA256SUMS is not signed by $kp_identity"

# The checksums: every other file listed, once, each matching.
if grep -v '^[0-9a-f]\{64\} [ *][^/]' "$kp_dir/SHA256SUMS" >/dev/null; then
  kp_die "refused: SHA256SUMS has a line that is not a checksum of a relative path"
fi
sed 's/^[0-9a-f]\{64\} [ *]//' "$kp_dir/SHA256SUMS" | LC_ALL=C sort >"$kp_work/listed"
(cd "$kp_dir" && find . -type f ! -path ./SHA256SUMS ! -path ./SHA256SUMS.sig) |
  sed 's|^\./||' | LC_ALL=C sort >"$kp_work/present"
cmp -s "$kp_work/listed" "$kp_work/present" ||
  kp_die "refused: SHA256SUMS does not list exactly the bundle's files"
(cd "$kp_dir" && sha256sum -c SHA256SUMS >/dev/null) ||
  kp_die "refused: a file of the bundle does not match SHA256SUMS"

# Run, keep the report, and only the last N.
kp_report=$kp_state/reports/$(date -u +%Y%m%dT%H%M%SZ)-$$.json
kp_status=0
sh "$kp_dir/run" --report "$kp_report" || kp_status=$?
# The reports' names sort by time, oldest first.
set -- "$kp_state"/reports/*.json
kp_excess=$(($# - kp_keep))
for kp_old in "$@"; do
  [ "$kp_excess" -gt 0 ] || break
  rm -f -- "$kp_old"
  kp_excess=$((kp_excess - 1))
done
exit "$kp_status"
