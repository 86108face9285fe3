# Archives (files.unarchive): an archive checked for members outside the destination,
# extracted into a new private directory beside it, which then takes its place whole.

# k_unarchive ok|act|diff --dest DIR --sha256 SUM --format tar.gz|tar.xz|tar.zst|zip
# [--url URL] [--creates PATH] [--strip N] [--mode MODE] [--owner USER] [--group GROUP]
# (files.unarchive): DIR holds the archive whose SHA-256 is SUM: its marker
# DIR/.kiln-unarchive says SUM (read by the shell: no process), and DIR has MODE, OWNER and
# GROUP; with CREATES, that PATH existing is enough. The archive is read on standard input,
# or fetched from URL, and must match SUM. The act (in a subshell, stopping at the first
# failure) refuses an archive with a member whose path is absolute or has a `..`
# component, extracts it (N leading components stripped) into a new private directory
# beside DIR, writes the marker, gives the tree OWNER and GROUP and the directory MODE (or
# the umask's), then renames it over DIR (the old DIR renamed aside first, removed after):
# a failure leaves DIR as it was. A DIR that holds anything no files.unarchive extracted
# (no marker) is never replaced: the act refuses, and the diff says it would.
k_unarchive() {
  k_unarchive_verb=$1 k_unarchive_dest='' k_unarchive_sum='' k_unarchive_format='' k_unarchive_url=''
  k_unarchive_creates='' k_unarchive_strip='' k_unarchive_mode='' k_unarchive_owner='' k_unarchive_group=''
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --dest) k_unarchive_dest=${2%/}; shift ;;
    --sha256) k_unarchive_sum=$2; shift ;;
    --format) k_unarchive_format=$2; shift ;;
    --url) k_unarchive_url=$2; shift ;;
    --creates) k_unarchive_creates=$2; shift ;;
    --strip) k_unarchive_strip=$2; shift ;;
    --mode) k_unarchive_mode=$2; shift ;;
    --owner) k_unarchive_owner=$2; shift ;;
    --group) k_unarchive_group=$2; shift ;;
    *) k_err "k_unarchive: unknown option $1"; return 64 ;;
    esac
    shift
  done
  case $k_unarchive_verb in
  ok)
    if [ -n "$k_unarchive_creates" ] && [ -e "$k_unarchive_creates" ]; then return 0; fi
    [ -f "$k_unarchive_dest/.kiln-unarchive" ] && IFS= read -r k_unarchive_had < "$k_unarchive_dest/.kiln-unarchive" &&
      [ "$k_unarchive_had" = "$k_unarchive_sum" ] &&
      k_attrs_ok "$k_unarchive_dest" "$k_unarchive_mode" "$k_unarchive_owner" "$k_unarchive_group" ;;
  act) (k_unarchive_act) ;;
  diff)
    if ! k_unarchive_replaceable "$k_unarchive_dest"; then
      printf 'refuse: %s holds files no files.unarchive extracted\n' "$k_unarchive_dest"
    elif [ -e "$k_unarchive_dest" ]; then
      printf 'replace %s with the archive (SHA-256 %s)\n' "$k_unarchive_dest" "$k_unarchive_sum"
    else
      printf 'extract the archive (SHA-256 %s) into %s\n' "$k_unarchive_sum" "$k_unarchive_dest"
    fi ;;
  esac
}

# k_unarchive_act: k_unarchive's act (k_unarchive runs it in a subshell, which `exit` ends;
# the private directory k_tmpd it makes goes with it).
k_unarchive_act() {
  if ! k_unarchive_replaceable "$k_unarchive_dest"; then
    k_err "$k_unarchive_dest holds files no files.unarchive extracted (it has no .kiln-unarchive): files.unarchive replaces its dest whole, so it leaves this one alone; give the archive a directory of its own"
    exit 1
  fi
  k_private || exit 1
  k_unarchive_file=$k_tmpd/archive
  if [ -n "$k_unarchive_url" ]; then
    k_fetch "$k_unarchive_url" "$k_unarchive_file" '' || { k_err "cannot download $k_unarchive_url"; exit 1; }
  else
    cat > "$k_unarchive_file" || exit 1
  fi
  k_unarchive_got=$(k_sha256 "$k_unarchive_file") || exit 1
  if [ "$k_unarchive_got" != "$k_unarchive_sum" ]; then
    k_err "the archive for $k_unarchive_dest has SHA-256 $k_unarchive_got, expected $k_unarchive_sum"; exit 1
  fi
  k_unarchive_read -t > "$k_tmpd/members" || { k_err "$k_unarchive_dest: cannot list the archive's members"; exit 1; }
  while IFS= read -r k_unarchive_member; do
    case /$k_unarchive_member/ in
    //* | */../*) k_err "$k_unarchive_dest: the archive's member $k_unarchive_member is absolute or has a .. component: nothing extracted"; exit 1 ;;
    esac
  done < "$k_tmpd/members"
  k_split "$k_unarchive_dest"
  mkdir -p -- "$k_split_dir" || exit 1
  # mktemp -d makes it exclusively, mode 0700: no one else enters it while it fills.
  k_unarchive_new=$(mktemp -d "$k_split_dir/.kiln.XXXXXXXXXX") || exit 1
  if ! k_unarchive_read -x "$k_unarchive_new"; then
    rm -rf -- "$k_unarchive_new"; k_err "$k_unarchive_dest: the archive could not be extracted; nothing changed"; exit 1
  fi
  k_unarchive_spec=$k_unarchive_owner${k_unarchive_group:+:$k_unarchive_group}
  if ! { k_print "$k_unarchive_sum" > "$k_unarchive_new/.kiln-unarchive" &&
    { [ -z "$k_unarchive_spec" ] || chown -R -- "$k_unarchive_spec" "$k_unarchive_new"; } &&
    chmod -- "${k_unarchive_mode:-$(umask -S)}" "$k_unarchive_new"; }; then
    rm -rf -- "$k_unarchive_new"; exit 1
  fi
  if [ -e "$k_unarchive_dest" ] || [ -L "$k_unarchive_dest" ]; then
    # Aside into a directory of its own, which no one else can have made.
    if ! { k_unarchive_old=$(mktemp -d "$k_split_dir/.kiln.XXXXXXXXXX") && mv -- "$k_unarchive_dest" "$k_unarchive_old/old"; }; then
      rm -rf -- "$k_unarchive_new"; exit 1
    fi
    if ! mv -- "$k_unarchive_new" "$k_unarchive_dest"; then
      mv -- "$k_unarchive_old/old" "$k_unarchive_dest"; rm -rf -- "$k_unarchive_new" "$k_unarchive_old"; exit 1
    fi
    rm -rf -- "$k_unarchive_old"
  else
    mv -- "$k_unarchive_new" "$k_unarchive_dest" || { rm -rf -- "$k_unarchive_new"; exit 1; }
  fi
}

# k_unarchive_replaceable DIR: whether files.unarchive may replace DIR whole: it does not
# exist, or it is an empty directory, or one a files.unarchive made (its marker). A
# directory such as /opt, which holds other things, never is.
k_unarchive_replaceable() {
  if [ ! -e "$1" ] && [ ! -L "$1" ]; then return 0; fi
  if [ -L "$1" ] || [ ! -d "$1" ]; then return 1; fi
  if [ -f "$1/.kiln-unarchive" ]; then return 0; fi
  for k_unarchive_entry in "$1"/* "$1"/.[!.]* "$1"/..?*; do
    if [ -e "$k_unarchive_entry" ] || [ -L "$k_unarchive_entry" ]; then return 1; fi
  done
}

# k_unarchive_read -t | -x DIR: lists k_unarchive's archive's members, one a line, or
# extracts them into DIR (owned by whoever runs it, not by the archive's users).
k_unarchive_read() {
  if [ "$k_unarchive_format" = zip ]; then
    if [ "$1" = -t ]; then unzip -Z1 "$k_unarchive_file"; else unzip -q "$k_unarchive_file" -d "$2"; fi
    return
  fi
  case $k_unarchive_format in
  tar.gz) set -- gzip "$@" ;;
  tar.xz) set -- xz "$@" ;;
  *) set -- zstd "$@" ;;
  esac
  # The decompressor's failure (a truncated archive) fails the read too.
  rm -f -- "$k_tmpd/unpack-failed"
  { "$1" -dc < "$k_unarchive_file" || : > "$k_tmpd/unpack-failed"; } |
    if [ "$2" = -t ]; then tar -tf -; else tar -xf - -C "$3" --no-same-owner ${k_unarchive_strip:+--strip-components="$k_unarchive_strip"}; fi &&
    [ ! -e "$k_tmpd/unpack-failed" ]
}
