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
