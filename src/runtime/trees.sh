# Directory trees (files.sync): entries compared by checksum, cleared for an entry of
# another kind, and what a tree holds beyond what is wanted, listed or removed.

# Whether FILE is a regular file (not a link) with the POSIX `cksum` (CRC and size) SUM.
k_cksum_is() {
  command -v cksum >/dev/null 2>&1 || { k_err "cksum is not installed"; return 1; }
  [ -f "$1" ] && [ ! -L "$1" ] && [ "$(cksum < "$1" | awk '{ print $1 " " $2 }')" = "$2" ]
}

# Clears PATH for an entry of another kind: k_clear PATH KIND REPLACE. KIND is d (a
# directory), f (a file) or l (a link). A link of the wrong kind is removed; any other entry
# of the wrong kind only with REPLACE (1), else it is an error.
k_clear() {
  if [ -L "$1" ]; then
    [ "$2" = l ] || rm -f -- "$1"
    return
  fi
  [ -e "$1" ] || return 0
  case $2 in
  d) [ -d "$1" ] && return 0 ;;
  f) [ -f "$1" ] && return 0 ;;
  esac
  if [ "$3" != 1 ]; then k_err "$1 is in the way (delete = true replaces it)"; return 1; fi
  rm -rf -- "$1"
}

# Lists (`list`) or removes (`remove`) what is under DIR and not kept: k_extras list|remove
# DIR KEEP. `KEEP REL NAME` (REL is the path under DIR) returns 0 to leave an entry alone, 2
# for a wanted directory to look into, anything else for an extra. Links are never
# followed; an extra directory goes only when everything in it goes.
k_extras() { k_extras_in "$1" "$2" "$3" ''; [ "$?" != 1 ]; }

# k_extras_in MODE DIR KEEP PREFIX: exits 1 on failure, 3 when something under DIR is kept.
k_extras_in() (
  k_extras_in_kept=0
  for k_extras_in_entry in "$2"/* "$2"/.[!.]* "$2"/..?*; do
    [ -e "$k_extras_in_entry" ] || [ -L "$k_extras_in_entry" ] || continue
    k_extras_in_name=${k_extras_in_entry##*/}
    "$3" "$4$k_extras_in_name" "$k_extras_in_name"
    k_extras_in_keep=$?
    if [ "$k_extras_in_keep" = 0 ] || [ "$k_extras_in_keep" = 2 ]; then
      k_extras_in_kept=3
      if [ "$k_extras_in_keep" = 2 ] && [ -d "$k_extras_in_entry" ] && [ ! -L "$k_extras_in_entry" ]; then
        k_extras_in "$1" "$k_extras_in_entry" "$3" "$4$k_extras_in_name/"
        [ "$?" = 1 ] && exit 1
      fi
    elif [ -d "$k_extras_in_entry" ] && [ ! -L "$k_extras_in_entry" ]; then
      k_extras_in "$1" "$k_extras_in_entry" "$3" "$4$k_extras_in_name/"
      k_extras_in_keep=$?
      if [ "$k_extras_in_keep" = 1 ]; then exit 1; fi
      if [ "$k_extras_in_keep" = 3 ]; then k_extras_in_kept=3
      elif [ "$1" = list ]; then printf '%s/\n' "$4$k_extras_in_name"
      else rmdir -- "$k_extras_in_entry" || exit 1
      fi
    elif [ "$1" = list ]; then
      printf '%s\n' "$4$k_extras_in_name"
    else
      rm -f -- "$k_extras_in_entry" || exit 1
    fi
  done
  exit "$k_extras_in_kept"
)
