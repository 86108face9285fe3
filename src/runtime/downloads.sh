# Downloads (files.download): fetched with curl or wget into a private temporary beside
# the destination, checked against a SHA-256, renamed over it. And the other way
# (files.get): a host's file sent back to the controller in the run's output.

# The SHA-256 of FILE in lower-case hex, from sha256sum, shasum or openssl, whichever exists.
k_sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum < "$1" | awk '{ print tolower($1) }'
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 < "$1" | awk '{ print tolower($1) }'
  elif command -v openssl >/dev/null 2>&1; then
    openssl dgst -sha256 < "$1" | awk '{ print tolower($NF) }'
  else
    k_err "cannot compute a SHA-256: none of sha256sum, shasum or openssl is installed"; return 1
  fi
}

# Whether FILE is a regular file (not a link) whose SHA-256 is SUM: k_sha256_is FILE SUM.
k_sha256_is() {
  [ -f "$1" ] && [ ! -L "$1" ] && k_sha256_is_sum=$(k_sha256 "$1") && [ "$k_sha256_is_sum" = "$2" ]
}

# Fetches URL into FILE with curl, else wget: k_fetch URL FILE TIMEOUT [HEADER]...
# (TIMEOUT in seconds, empty for none; each HEADER is "Name: value"). Headers carry tokens,
# so they never reach an argument: curl reads them on standard input (`-H @-`); wget reads
# settings only from a regular file (`--config`), one in the run's private directory that
# is removed once wget is done.
k_fetch() {
  k_fetch_url=$1 k_fetch_file=$2 k_fetch_timeout=$3
  shift 3
  if command -v curl >/dev/null 2>&1; then
    if [ "$#" -gt 0 ]; then
      for k_fetch_header in "$@"; do k_print "$k_fetch_header"; done |
        curl -fsSL -H @- ${k_fetch_timeout:+--max-time "$k_fetch_timeout"} -o "$k_fetch_file" "$k_fetch_url"
    else
      curl -fsSL ${k_fetch_timeout:+--max-time "$k_fetch_timeout"} -o "$k_fetch_file" "$k_fetch_url" </dev/null
    fi
  elif command -v wget >/dev/null 2>&1; then
    if [ "$#" -gt 0 ]; then
      k_private || return 1
      for k_fetch_header in "$@"; do k_print "header = $k_fetch_header"; done > "$k_tmpd/wgetrc"
      wget -q --config="$k_tmpd/wgetrc" ${k_fetch_timeout:+-T "$k_fetch_timeout"} -O "$k_fetch_file" "$k_fetch_url" </dev/null
      k_fetch_status=$?
      rm -f -- "$k_tmpd/wgetrc"
      return "$k_fetch_status"
    fi
    wget -q ${k_fetch_timeout:+-T "$k_fetch_timeout"} -O "$k_fetch_file" "$k_fetch_url" </dev/null
  else
    k_err "cannot download: neither curl nor wget is installed"; return 1
  fi
}

# Downloads URL to DEST: k_download_file URL DEST SHA256 MODE OWNER GROUP TIMEOUT [HEADER]...
# The download goes to a new private file next to DEST (with its final mode and owner:
# by default the old file's, as k_write) and must match SHA256 (unless empty); then it is
# renamed over DEST. A failure leaves DEST as it was.
k_download_file() {
  k_download_file_url=$1 k_download_file_dest=$2 k_download_file_sha256=$3 k_download_file_mode=$4 k_download_file_owner=$5 k_download_file_group=$6 k_download_file_timeout=$7
  shift 7
  if [ -d "$k_download_file_dest" ] && [ ! -L "$k_download_file_dest" ]; then k_err "$k_download_file_dest is a directory"; return 1; fi
  k_split "$k_download_file_dest"
  k_tmp_beside "$k_split_dir" || return 1
  k_download_file_tmp=$k_tmp_beside_file
  if ! k_fill "$k_download_file_tmp" "$k_download_file_dest" "$k_download_file_mode" "$k_download_file_owner" "$k_download_file_group" :; then rm -f -- "$k_download_file_tmp"; return 1; fi
  if ! k_fetch "$k_download_file_url" "$k_download_file_tmp" "$k_download_file_timeout" "$@"; then
    rm -f -- "$k_download_file_tmp"; k_err "cannot download $k_download_file_url"; return 1
  fi
  if [ -n "$k_download_file_sha256" ]; then
    if ! k_download_file_got=$(k_sha256 "$k_download_file_tmp"); then rm -f -- "$k_download_file_tmp"; return 1; fi
    if [ "$k_download_file_got" != "$k_download_file_sha256" ]; then
      rm -f -- "$k_download_file_tmp"; k_err "$k_download_file_url has SHA-256 $k_download_file_got, expected $k_download_file_sha256"; return 1
    fi
  fi
  k_rename "$k_download_file_tmp" "$k_download_file_dest"
}

# k_download ok|act|diff --url URL --dest DEST [--sha256 SUM] [--mode MODE] [--owner USER]
# [--group GROUP] [--timeout SECONDS] [--force] [-- HEADER...] (files.download): DEST is a
# regular file (with SUM as its SHA-256, when given) with MODE, OWNER and GROUP; if not, it
# is downloaded (k_download_file: with curl or wget, each HEADER a `Name: value` line, into
# a private temporary renamed over DEST once its SHA-256 matches). A file already right
# only gets its attributes. With --force it is downloaded on every run.
k_download() {
  k_download_verb=$1 k_download_url='' k_download_dest='' k_download_sha256='' k_download_mode='' k_download_owner=''
  k_download_group='' k_download_timeout='' k_download_force=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --url) k_download_url=$2; shift ;;
    --dest) k_download_dest=$2; shift ;;
    --sha256) k_download_sha256=$2; shift ;;
    --mode) k_download_mode=$2; shift ;;
    --owner) k_download_owner=$2; shift ;;
    --group) k_download_group=$2; shift ;;
    --timeout) k_download_timeout=$2; shift ;;
    --force) k_download_force=1 ;;
    --) shift; break ;;
    *) k_err "k_download: unknown option $1"; return 64 ;;
    esac
    shift
  done
  case $k_download_verb in
  ok)
    [ "$k_download_force" = 0 ] && k_download_there &&
      k_attrs_ok "$k_download_dest" "$k_download_mode" "$k_download_owner" "$k_download_group" ;;
  act)
    if [ "$k_download_force" = 0 ] && [ -n "$k_download_mode$k_download_owner$k_download_group" ] && k_download_there; then
      k_attrs "$k_download_dest" "$k_download_mode" "$k_download_owner" "$k_download_group"
    else
      k_download_file "$k_download_url" "$k_download_dest" "$k_download_sha256" "$k_download_mode" \
        "$k_download_owner" "$k_download_group" "$k_download_timeout" "$@"
    fi ;;
  diff) printf 'download %s to %s\n' "$k_download_url" "$k_download_dest" ;;
  esac
}

# Whether the file k_download works on is there: a regular file (not a link), with the
# SHA-256 asked for.
k_download_there() {
  if [ -n "$k_download_sha256" ]; then
    k_sha256_is "$k_download_dest" "$k_download_sha256"
  else
    [ -f "$k_download_dest" ] && [ ! -L "$k_download_dest" ]
  fi
}

# k_get ok|act|diff --path FILE --sha256 SUM [--force]: FILE copied to the controller
# (files.get), whose copy has SUM (empty: it has none). `ok`: FILE is readable and has SUM,
# unless --force. `act`, in a live run only (KILN_MARK set): FILE's SHA-256 on a marked
# `get` line, then its bytes in hex (`od`, 16 a line) on marked `data` lines, which kiln
# decodes, checks against that SHA-256 (a file that changed meanwhile fails the op) and
# writes on the controller. `diff`: what would be copied. A missing or unreadable FILE
# fails `act` and `diff`.
k_get() {
  k_get_verb=$1 k_get_path='' k_get_sum='' k_get_force=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --path) k_get_path=$2; shift ;;
    --sha256) k_get_sum=$2; shift ;;
    --force) k_get_force=1 ;;
    esac
    shift
  done
  if [ ! -f "$k_get_path" ] || [ ! -r "$k_get_path" ]; then
    [ "$k_get_verb" = ok ] || k_err "$k_get_path: not a readable file on the host"
    return 1
  fi
  case $k_get_verb in
  ok)
    [ "$k_get_force" = 0 ] && [ -n "$k_get_sum" ] && k_get_got=$(k_sha256 "$k_get_path") && [ "$k_get_got" = "$k_get_sum" ] ;;
  diff)
    k_print "copy $k_get_path to the controller" ;;
  act)
    if [ -z "${KILN_MARK-}" ]; then k_err "files.get copies to the controller: only a live run has one"; return 1; fi
    k_get_got=$(k_sha256 "$k_get_path") || return 1
    printf '%sget %s\n' "$KILN_MARK" "$k_get_got"
    od -An -v -tx1 "$k_get_path" | K_M=$KILN_MARK awk '{ print ENVIRON["K_M"] "data" $0 }' ;;
  esac
}
