# Lines kiln owns in files it does not own whole (fstab, sysctl.conf, locale.gen,
# authorized_keys, crontabs): each filter reads the file's content on standard input and
# prints its desired content; k_filter_file and k_crontab_entry check, write or diff it.
# User values reach awk in its environment, never in its program nor through -v (which
# reads backslashes).

# k_filter_file ok|act|diff --path FILE [--mode MODE] [--owner USER] [--group GROUP] --
# FILTER...: whether FILE (a missing one counts as empty) is what FILTER makes of it;
# writing it (k_write, with MODE, OWNER and GROUP when given) if not; the diff.
k_filter_file() {
  k_filter_file_verb=$1 k_filter_file_path='' k_filter_file_mode='' k_filter_file_owner='' k_filter_file_group=''
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --path) k_filter_file_path=$2; shift ;;
    --mode) k_filter_file_mode=$2; shift ;;
    --owner) k_filter_file_owner=$2; shift ;;
    --group) k_filter_file_group=$2; shift ;;
    --) shift; break ;;
    *) k_err "k_filter_file: unknown option $1"; return 64 ;;
    esac
    shift
  done
  case $k_filter_file_verb in
  ok) { [ ! -f "$k_filter_file_path" ] || cat -- "$k_filter_file_path"; } | "$@" | k_same "$k_filter_file_path" ;;
  act)
    { [ ! -f "$k_filter_file_path" ] || cat -- "$k_filter_file_path"; } | "$@" | k_same "$k_filter_file_path" && return 0
    { [ ! -f "$k_filter_file_path" ] || cat -- "$k_filter_file_path"; } | "$@" | k_write "$k_filter_file_path" "$k_filter_file_mode" "$k_filter_file_owner" "$k_filter_file_group" ;;
  diff) { [ ! -f "$k_filter_file_path" ] || cat -- "$k_filter_file_path"; } | "$@" | k_diffu "$k_filter_file_path" ;;
  esac
}

# Lines owned by key: the first line (not a comment) whose key is KEY becomes LINE (or is
# removed when PRESENT is 0), later ones are removed, LINE is appended if none had the key.
# A line's key, by FORMAT: `fstab` its mount point, `sysctl` the name before `=` (`/` read
# as `.`), `limits` its first three fields (pam_limits' domain, type and item) separated by
# one space, `words` the whole line with blanks squeezed.
# k_keyed --format FORMAT --key KEY [--line LINE] [--absent]
k_keyed() {
  k_keyed_format='' k_keyed_key='' k_keyed_line='' k_keyed_present=1
  while [ "$#" -gt 0 ]; do
    case $1 in
    --format) k_keyed_format=$2; shift ;;
    --key) k_keyed_key=$2; shift ;;
    --line) k_keyed_line=$2; shift ;;
    --absent) k_keyed_present=0 ;;
    *) k_err "k_keyed: unknown option $1"; return 64 ;;
    esac
    shift
  done
  K_F=$k_keyed_format K_KEY=$k_keyed_key K_LINE=$k_keyed_line K_PRESENT=$k_keyed_present LC_ALL=C awk '
    function key(line,   f) {
      if (ENVIRON["K_F"] == "fstab") { split(line, f, /[ \t]+/); return f[1] == "" ? f[3] : f[2] }
      if (ENVIRON["K_F"] == "sysctl") {
        if (line !~ /=/) return ""
        sub(/^[ \t]*-?/, "", line); sub(/[ \t]*=.*/, "", line); gsub(/\//, ".", line)
        return line
      }
      if (ENVIRON["K_F"] == "limits") { split(line, f, /[ \t]+/); if (f[1] == "") { f[1] = f[2]; f[2] = f[3]; f[3] = f[4] } return f[1] " " f[2] " " f[3] }
      gsub(/[ \t]+/, " ", line); sub(/^ /, "", line); sub(/ $/, "", line)
      return line
    }
    BEGIN { want = ENVIRON["K_PRESENT"] == "1"; line = ENVIRON["K_LINE"]; k = ENVIRON["K_KEY"] }
    $0 !~ /^[ \t]*#/ && key($0) == k { if (want && !done) print line; done = 1; next }
    { print }
    END { if (want && !done) print line }'
}

# /etc/locale.gen: the line LINE enabled where it is (commented out or not), else appended;
# or, with --absent, commented out. k_locale_gen --line LINE [--absent]
k_locale_gen() {
  k_locale_gen_line='' k_locale_gen_present=1
  while [ "$#" -gt 0 ]; do
    case $1 in
    --line) k_locale_gen_line=$2; shift ;;
    --absent) k_locale_gen_present=0 ;;
    *) k_err "k_locale_gen: unknown option $1"; return 64 ;;
    esac
    shift
  done
  K_LINE=$k_locale_gen_line K_PRESENT=$k_locale_gen_present LC_ALL=C awk '
    function key(line) { sub(/^[ \t]*#[ \t]*/, "", line); sub(/[ \t]+$/, "", line); return line }
    BEGIN { line = ENVIRON["K_LINE"]; want = ENVIRON["K_PRESENT"] == "1" }
    key($0) == line {
      if (!want) { print ($0 ~ /^[ \t]*#/ ? $0 : "# " line); next }
      if (!done) print line
      done = 1; next
    }
    { print }
    END { if (want && !done) print line }'
}

# authorized_keys: KEYS (one per line) present (PRESENT 1) or absent. A key is known by its
# base64 blob, so a wanted key in the file with other options or comment is replaced, not
# added twice. Comments and blank lines stay; other keys too, unless EXCLUSIVE is 1.
# k_auth_keys --keys KEYS [--absent] [--exclusive]
k_auth_keys() {
  k_auth_keys_keys='' k_auth_keys_present=1 k_auth_keys_exclusive=0
  while [ "$#" -gt 0 ]; do
    case $1 in
    --keys) k_auth_keys_keys=$2; shift ;;
    --absent) k_auth_keys_present=0 ;;
    --exclusive) k_auth_keys_exclusive=1 ;;
    *) k_err "k_auth_keys: unknown option $1"; return 64 ;;
    esac
    shift
  done
  K_KEYS=$k_auth_keys_keys K_PRESENT=$k_auth_keys_present K_EXCLUSIVE=$k_auth_keys_exclusive LC_ALL=C awk '
    function blob(line,   n, i, f) {
      n = split(line, f, /[ \t]+/)
      for (i = 1; i < n; i++) if (f[i] ~ /^(ssh-|ecdsa-|sk-)/) return f[i + 1]
      return line
    }
    BEGIN {
      n = split(ENVIRON["K_KEYS"], keys, "\n")
      for (i = 1; i <= n; i++) { wanted[keys[i]] = 1; blobs[blob(keys[i])] = 1 }
      want = ENVIRON["K_PRESENT"] == "1"; only = want && ENVIRON["K_EXCLUSIVE"] == "1"
    }
    /^[ \t]*(#|$)/ { print; next }
    want && ($0 in wanted) && !($0 in done) { print; done[$0] = 1; next }
    blob($0) in blobs { next }
    only { next }
    { print }
    END { if (want) for (i = 1; i <= n; i++) if (!(keys[i] in done)) { print keys[i]; done[keys[i]] = 1 } }'
}

# A crontab entry: with a NAME, the line after the marker `# kiln: NAME` (edited in place,
# the marker kept); without, the line whose job (what follows the schedule) is JOB. It
# becomes LINE, or is removed with --absent; a missing entry is appended.
# k_cron_entry [--name NAME] [--line LINE] [--job JOB] [--absent]
k_cron_entry() {
  k_cron_entry_name='' k_cron_entry_line='' k_cron_entry_job='' k_cron_entry_present=1
  while [ "$#" -gt 0 ]; do
    case $1 in
    --name) k_cron_entry_name=$2; shift ;;
    --line) k_cron_entry_line=$2; shift ;;
    --job) k_cron_entry_job=$2; shift ;;
    --absent) k_cron_entry_present=0 ;;
    *) k_err "k_cron_entry: unknown option $1"; return 64 ;;
    esac
    shift
  done
  K_NAME=$k_cron_entry_name K_LINE=$k_cron_entry_line K_JOB=$k_cron_entry_job K_PRESENT=$k_cron_entry_present LC_ALL=C awk '
    function job(line) {
      if (line ~ /^[ \t]*#/ || line ~ /^[ \t]*$/ || line ~ /^[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*=/) return ""
      if (line ~ /^[ \t]*@/) { sub(/^[ \t]*@[^ \t]+[ \t]+/, "", line); return line }
      if (sub(/^[ \t]*[^ \t]+[ \t]+[^ \t]+[ \t]+[^ \t]+[ \t]+[^ \t]+[ \t]+[^ \t]+[ \t]+/, "", line)) return line
      return ""
    }
    BEGIN {
      name = ENVIRON["K_NAME"]; marker = "# kiln: " name; entry = ENVIRON["K_LINE"]
      cmd = ENVIRON["K_JOB"]; want = ENVIRON["K_PRESENT"] == "1"
    }
    after_marker { after_marker = 0; if (job($0) != "") next }
    name != "" && $0 == marker {
      if (want && !done) { print marker; print entry }
      done = 1; after_marker = 1; next
    }
    name == "" && job($0) == cmd { if (want && !done) print entry; done = 1; next }
    { print }
    END { if (want && !done) { if (name != "") print marker; print entry } }'
}

# k_crontab_entry ok|act|diff [--user USER] -- FILTER...: as k_filter_file, for USER's
# crontab (whoever runs this by default; read with `crontab -l`, installed with
# `crontab -`) (server.crontab).
k_crontab_entry() {
  k_crontab_entry_verb=$1 k_crontab_entry_user=''
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --user) k_crontab_entry_user=$2; shift ;;
    --) shift; break ;;
    *) k_err "k_crontab_entry: unknown option $1"; return 64 ;;
    esac
    shift
  done
  k_crontab_entry_now=$(k_crontab "$k_crontab_entry_user" -l 2>/dev/null)
  case $k_crontab_entry_verb in
  ok) [ "$(k_crontab_now | "$@")" = "$k_crontab_entry_now" ] ;;
  act)
    [ "$(k_crontab_now | "$@")" = "$k_crontab_entry_now" ] && return 0
    k_crontab_now | "$@" | k_crontab "$k_crontab_entry_user" - ;;
  diff)
    k_private || return 1
    k_crontab_now | "$@" > "$k_tmpd/crontab"
    k_crontab_now | diff -u - "$k_tmpd/crontab" | sed '1,2d' ;;
  esac
}

# The crontab k_crontab_entry read, as `crontab -l` printed it.
k_crontab_now() { [ -z "$k_crontab_entry_now" ] || printf '%s\n' "$k_crontab_entry_now"; }

# crontab for USER (empty: whoever runs this): k_crontab USER ARG...
k_crontab() {
  k_crontab_user=$1
  shift
  if [ -z "$k_crontab_user" ] || [ "$(id -un)" = "$k_crontab_user" ]; then crontab "$@"; else crontab -u "$k_crontab_user" "$@"; fi
}
