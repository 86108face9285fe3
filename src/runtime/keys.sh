# Keys and trust: SSH key pairs (ssh.keygen) and known_hosts entries (ssh.known_hosts),
# made with OpenSSH's own ssh-keygen and ssh-keyscan.

# k_ssh_keygen ok|act|diff --path PATH --type TYPE [--size BITS] [--comment TEXT]
# [--owner USER] [--group GROUP] [--regenerate never|fail|partial|full] [--absent]
# (ssh.keygen): PATH is an OpenSSH private key of TYPE (ed25519, rsa, ecdsa) and BITS
# (mode 0600) and PATH.pub its public key with the comment TEXT (mode 0644), both of USER
# and GROUP; or with --absent neither exists. A key of another type or size is replaced
# (partial, full), kept (never), or the op fails (fail); one that cannot be read (broken,
# or protected by a passphrase) is replaced with full, else the op fails. A new key is made
# with an empty passphrase in a private directory (0700) beside PATH and renamed into place,
# so no one else can read it at any moment.
k_ssh_keygen() {
  k_ssh_keygen_verb=$1 k_ssh_keygen_path='' k_ssh_keygen_type='' k_ssh_keygen_size='' k_ssh_keygen_comment='' k_ssh_keygen_commented=0
  k_ssh_keygen_owner='' k_ssh_keygen_group='' k_ssh_keygen_regenerate=partial k_ssh_keygen_absent=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --path) k_ssh_keygen_path=$2; shift ;;
    --type) k_ssh_keygen_type=$2; shift ;;
    --size) k_ssh_keygen_size=$2; shift ;;
    --comment) k_ssh_keygen_comment=$2 k_ssh_keygen_commented=1; shift ;;
    --owner) k_ssh_keygen_owner=$2; shift ;;
    --group) k_ssh_keygen_group=$2; shift ;;
    --regenerate) k_ssh_keygen_regenerate=$2; shift ;;
    --absent) k_ssh_keygen_absent=1 ;;
    *) k_err "k_ssh_keygen: unknown option $1"; return 64 ;;
    esac
    shift
  done
  k_ssh_keygen_pub=$k_ssh_keygen_path.pub
  if [ "$k_ssh_keygen_absent" = 1 ]; then
    case $k_ssh_keygen_verb in
    ok) [ ! -e "$k_ssh_keygen_path" ] && [ ! -L "$k_ssh_keygen_path" ] && [ ! -e "$k_ssh_keygen_pub" ] && [ ! -L "$k_ssh_keygen_pub" ] ;;
    act) rm -f -- "$k_ssh_keygen_path" "$k_ssh_keygen_pub" ;;
    diff) printf 'remove %s and %s\n' "$k_ssh_keygen_path" "$k_ssh_keygen_pub" ;;
    esac
    return
  fi
  # ssh-keygen reads no key others may read: a key's mode is made private before it is read.
  if [ "$k_ssh_keygen_verb" = act ] && [ -f "$k_ssh_keygen_path" ] && [ ! -L "$k_ssh_keygen_path" ]; then
    k_attrs "$k_ssh_keygen_path" 0600 "$k_ssh_keygen_owner" "$k_ssh_keygen_group" || return 1
  fi
  k_ssh_keygen_read
  case $k_ssh_keygen_verb:$k_ssh_keygen_state in
  ok:keep) k_ssh_keygen_pub_ok && k_attrs_ok "$k_ssh_keygen_path" 0600 "$k_ssh_keygen_owner" "$k_ssh_keygen_group" ;;
  ok:*) return 1 ;;
  act:fail) k_err "$k_ssh_keygen_why"; return 1 ;;
  act:new) k_ssh_keygen_new ;;
  act:keep)
    k_ssh_keygen_pub_ok && return 0
    printf '%s\n' "$k_ssh_keygen_line" | k_write "$k_ssh_keygen_pub" 0644 "$k_ssh_keygen_owner" "$k_ssh_keygen_group" ;;
  diff:fail) printf 'would fail: %s\n' "$k_ssh_keygen_why" ;;
  diff:private) printf 'set the mode of %s to 0600, then read it\n' "$k_ssh_keygen_path" ;;
  diff:new) printf 'generate a %s key at %s\n' "$k_ssh_keygen_type${k_ssh_keygen_size:+ $k_ssh_keygen_size-bit}" "$k_ssh_keygen_path" ;;
  diff:keep)
    k_attrs_ok "$k_ssh_keygen_path" 0600 "$k_ssh_keygen_owner" "$k_ssh_keygen_group" || printf 'set the mode and owner of %s\n' "$k_ssh_keygen_path"
    k_ssh_keygen_pub_ok || printf 'write %s: %s\n' "$k_ssh_keygen_pub" "$k_ssh_keygen_line" ;;
  esac
}

# k_ssh_keygen_read: k_ssh_keygen_state, what k_ssh_keygen does with the key at its path
# (`new`, `keep`, `fail` with k_ssh_keygen_why saying why, or `private`: a key ssh-keygen
# will read once its mode is 0600), and for a key kept
# k_ssh_keygen_key (`TYPE BLOB`) and k_ssh_keygen_line, what its .pub file must hold (that key, then the comment asked
# for, or the key's own). The public key is derived from the private one (`ssh-keygen -y`
# with an empty passphrase: a protected key cannot be read); its type and size from its
# algorithm's name, or for RSA from `ssh-keygen -l`.
# shellcheck disable=SC2086
k_ssh_keygen_read() {
  k_ssh_keygen_state=new k_ssh_keygen_why=
  [ -e "$k_ssh_keygen_path" ] || [ -L "$k_ssh_keygen_path" ] || return 0
  if ! k_ssh_keygen_line=$(ssh-keygen -y -P '' -f "$k_ssh_keygen_path" </dev/null 2>/dev/null); then
    [ "$k_ssh_keygen_regenerate" = full ] && return 0
    if ! k_attrs_ok "$k_ssh_keygen_path" 0600 '' ''; then k_ssh_keygen_state=private; return 0; fi
    k_ssh_keygen_state=fail
    k_ssh_keygen_why="cannot read the key $k_ssh_keygen_path (broken, or protected by a passphrase); regenerate = \"full_idempotence\" replaces it"
    return 0
  fi
  set -f
  set -- $k_ssh_keygen_line
  set +f
  k_ssh_keygen_key="$1 $2" k_ssh_keygen_line="$1 $2"
  k_ssh_keygen_algorithm=$1
  shift 2
  if [ "$k_ssh_keygen_commented" = 1 ]; then set -- "$k_ssh_keygen_comment"; fi
  [ -z "$*" ] || k_ssh_keygen_line="$k_ssh_keygen_line $*"
  case $k_ssh_keygen_algorithm in
  ssh-ed25519) k_ssh_keygen_has=ed25519 ;;
  ecdsa-sha2-nistp*) k_ssh_keygen_has="ecdsa ${k_ssh_keygen_algorithm#ecdsa-sha2-nistp}" ;;
  ssh-rsa)
    k_ssh_keygen_has=$(printf '%s\n' "$k_ssh_keygen_line" | ssh-keygen -l -f - 2>/dev/null)
    k_ssh_keygen_has="rsa ${k_ssh_keygen_has%% *}" ;;
  *) k_ssh_keygen_has=$k_ssh_keygen_algorithm ;;
  esac
  k_ssh_keygen_state=keep
  [ "$k_ssh_keygen_has" != "$k_ssh_keygen_type${k_ssh_keygen_size:+ $k_ssh_keygen_size}" ] || return 0
  case $k_ssh_keygen_regenerate in
  never) ;;
  fail) k_ssh_keygen_state=fail k_ssh_keygen_why="the key $k_ssh_keygen_path is $k_ssh_keygen_has, not $k_ssh_keygen_type${k_ssh_keygen_size:+ $k_ssh_keygen_size}" ;;
  *) k_ssh_keygen_state=new ;;
  esac
}

# Whether k_ssh_keygen's .pub file is a plain file (0644, of its owner and group) whose
# first line (blanks around it aside) is k_ssh_keygen_line, or without --comment starts with
# the same type and key.
k_ssh_keygen_pub_ok() {
  [ -f "$k_ssh_keygen_pub" ] && [ ! -L "$k_ssh_keygen_pub" ] && read -r k_ssh_keygen_had < "$k_ssh_keygen_pub" || return 1
  case $k_ssh_keygen_commented:$k_ssh_keygen_had in
  "1:$k_ssh_keygen_line" | "0:$k_ssh_keygen_key" | "0:$k_ssh_keygen_key "*) ;;
  *) return 1 ;;
  esac
  k_attrs_ok "$k_ssh_keygen_pub" 0644 "$k_ssh_keygen_owner" "$k_ssh_keygen_group"
}

# k_ssh_keygen_new: a new key pair for k_ssh_keygen, made by ssh-keygen (empty passphrase)
# in a private directory beside its path, given its owner and group there, then renamed
# into place (the public key first: a run ended between the two leaves a key whose .pub the
# next run rewrites).
k_ssh_keygen_new() {
  k_split "$k_ssh_keygen_path"
  k_tmp_dir "$k_split_dir" .kiln. || return 1
  if ssh-keygen -q -N '' -t "$k_ssh_keygen_type" ${k_ssh_keygen_size:+-b "$k_ssh_keygen_size"} -C "$k_ssh_keygen_comment" -f "$k_tmp_dir_path/key" </dev/null >/dev/null &&
    k_attrs "$k_tmp_dir_path/key" 0600 "$k_ssh_keygen_owner" "$k_ssh_keygen_group" &&
    k_attrs "$k_tmp_dir_path/key.pub" 0644 "$k_ssh_keygen_owner" "$k_ssh_keygen_group" &&
    k_rename "$k_tmp_dir_path/key.pub" "$k_ssh_keygen_pub" &&
    k_rename "$k_tmp_dir_path/key" "$k_ssh_keygen_path"; then
    rmdir -- "$k_tmp_dir_path"
  else
    rm -rf -- "$k_tmp_dir_path"
    return 1
  fi
}

# k_known_hosts ok|act|diff --name NAME [--path FILE] [--keys KEYS] [--keyscan] [--hash]
# [--absent] (ssh.known_hosts): FILE (by default ~/.ssh/known_hosts, the home directory
# being $HOME or the passwd database's; its directory made 0700) trusts NAME (`host` or `[host]:port`) with KEYS (`TYPE BLOB`, one a line): each is
# an entry, hashed with --hash (`ssh-keygen -H`) or not, and an entry of the host with a
# key of the same type but another blob, or hashed otherwise, is removed. With --keyscan
# the keys are `ssh-keyscan`'s, fetched only when the file has no entry for NAME (trust on
# first use). With --absent the file has no entry for NAME. Entries are found with
# `ssh-keygen -F`, hashed ones too; a pattern or marked (`@cert-authority`) line is left.
k_known_hosts() {
  k_known_hosts_verb=$1 k_known_hosts_name='' k_known_hosts_path='' k_known_hosts_keys='' k_known_hosts_keyscan=0
  k_known_hosts_hash=0 k_known_hosts_absent=0
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --name) k_known_hosts_name=$2; shift ;;
    --path) k_known_hosts_path=$2; shift ;;
    --keys) k_known_hosts_keys=$2; shift ;;
    --keyscan) k_known_hosts_keyscan=1 ;;
    --hash) k_known_hosts_hash=1 ;;
    --absent) k_known_hosts_absent=1 ;;
    *) k_err "k_known_hosts: unknown option $1"; return 64 ;;
    esac
    shift
  done
  if [ -z "$k_known_hosts_path" ]; then
    k_known_hosts_path=${HOME-}
    [ -n "$k_known_hosts_path" ] || k_known_hosts_path=$(k_field "$(k_getent passwd "$(id -un)")" 6)
    if [ -z "$k_known_hosts_path" ]; then k_err "no home directory for the default known_hosts file: give its path"; return 1; fi
    k_known_hosts_path=$k_known_hosts_path/.ssh/known_hosts
  fi
  k_known_hosts_found=
  if [ -f "$k_known_hosts_path" ]; then
    k_known_hosts_found=$(ssh-keygen -F "$k_known_hosts_name" -f "$k_known_hosts_path" 2>/dev/null)
  fi
  if [ "$k_known_hosts_keyscan" = 1 ] && [ "$k_known_hosts_absent" = 0 ]; then
    # Trust on first use: any entry of the host is trusted as it is.
    [ -z "$k_known_hosts_found" ] || return 0
    case $k_known_hosts_verb in
    ok) return 1 ;;
    diff) printf 'add the keys ssh-keyscan finds for %s to %s\n' "$k_known_hosts_name" "$k_known_hosts_path"; return 0 ;;
    esac
    k_known_hosts_keys=$(k_known_hosts_scan)
    if [ -z "$k_known_hosts_keys" ]; then k_err "ssh-keyscan found no key for $k_known_hosts_name"; return 1; fi
  fi
  # The lines to drop (numbers, one a line), then `+TYPE BLOB` for each key to add.
  k_known_hosts_plan=$(K_NAME=$k_known_hosts_name K_FOUND=$k_known_hosts_found K_KEYS=$k_known_hosts_keys \
    K_HASH=$k_known_hosts_hash K_ABSENT=$k_known_hosts_absent LC_ALL=C awk '
    BEGIN {
      n = split(ENVIRON["K_FOUND"], found, "\n")
      for (i = 1; i <= n; i++) {
        if (found[i] ~ /^# Host .* found: line [0-9]+/) { line = found[i]; sub(/.* line /, "", line); sub(/[^0-9].*/, "", line); continue }
        split(found[i], f, /[ \t]+/)
        hashed = f[1] ~ /^\|1\|/
        if (!hashed) {
          m = split(f[1], names, ","); own = 0
          for (j = 1; j <= m; j++) if (names[j] == ENVIRON["K_NAME"]) own = 1
          if (!own) continue
        }
        entries[line] = f[2] " " f[3]; kinds[line] = f[2]; hashes[line] = hashed
      }
      k = split(ENVIRON["K_KEYS"], keys, "\n")
      for (i = 1; i <= k; i++) if (keys[i] != "") { wanted[keys[i]] = 1; split(keys[i], f, " "); types[f[1]] = 1 }
      for (line in entries) {
        if (ENVIRON["K_ABSENT"] == "1" || (kinds[line] in types && !(entries[line] in wanted && hashes[line] == ENVIRON["K_HASH"]))) print line
        else if (entries[line] in wanted) kept[entries[line]] = 1
      }
      if (ENVIRON["K_ABSENT"] != "1") for (i = 1; i <= k; i++) if (keys[i] != "" && !(keys[i] in kept)) { print "+" keys[i]; kept[keys[i]] = 1 }
    }')
  case $k_known_hosts_verb in
  ok) [ -z "$k_known_hosts_plan" ] ;;
  act | diff)
    [ -n "$k_known_hosts_plan" ] || return 0
    k_known_hosts_lines || return 1
    if [ "$k_known_hosts_verb" = act ]; then
      k_split "$k_known_hosts_path"
      if [ ! -d "$k_split_dir" ]; then (umask 077; mkdir -p -- "$k_split_dir") || return 1; fi
    fi
    k_filter_file "$k_known_hosts_verb" --path "$k_known_hosts_path" -- k_known_hosts_edit ;;
  esac
}

# The keys ssh-keyscan finds for k_known_hosts's host (`TYPE BLOB`, one a line); a name
# `[host]:port` is scanned at its port.
k_known_hosts_scan() {
  case $k_known_hosts_name in
  \[*\]:*) k_known_hosts_host=${k_known_hosts_name#\[}; k_known_hosts_host=${k_known_hosts_host%%\]*}; k_known_hosts_port=${k_known_hosts_name##*\]:} ;;
  *) k_known_hosts_host=$k_known_hosts_name k_known_hosts_port=22 ;;
  esac
  ssh-keyscan -p "$k_known_hosts_port" -- "$k_known_hosts_host" 2>/dev/null | awk '$0 !~ /^#/ && NF >= 3 { print $2 " " $3 }'
}

# k_known_hosts_lines: k_known_hosts_add, the entries k_known_hosts's plan adds (`NAME TYPE
# BLOB`, hashed with --hash by `ssh-keygen -H` on a copy in the run's private directory),
# and k_known_hosts_drop, the numbers of the lines it removes, separated by spaces.
k_known_hosts_lines() {
  k_known_hosts_drop=$(printf '%s\n' "$k_known_hosts_plan" | awk '/^[0-9]/ { printf "%s ", $0 }')
  k_known_hosts_add=$(printf '%s\n' "$k_known_hosts_plan" | K_NAME=$k_known_hosts_name awk '/^\+/ { print ENVIRON["K_NAME"] " " substr($0, 2) }')
  [ "$k_known_hosts_hash" = 1 ] && [ -n "$k_known_hosts_add" ] || return 0
  k_private || return 1
  printf '%s\n' "$k_known_hosts_add" > "$k_tmpd/known_hosts" &&
    ssh-keygen -H -f "$k_tmpd/known_hosts" >/dev/null 2>&1 &&
    k_known_hosts_add=$(cat "$k_tmpd/known_hosts") &&
    rm -f -- "$k_tmpd/known_hosts" "$k_tmpd/known_hosts.old"
}

# A filter (see filters.sh) for k_known_hosts: the file without the lines numbered in
# k_known_hosts_drop, then the entries of k_known_hosts_add.
k_known_hosts_edit() {
  K_DROP=" $k_known_hosts_drop" K_ADD=$k_known_hosts_add LC_ALL=C awk '
    index(ENVIRON["K_DROP"], " " NR " ") == 0 { print }
    END { if (ENVIRON["K_ADD"] != "") print ENVIRON["K_ADD"] }'
}
