# kiln fact probe: prints one `key=value` line per fact. POSIX sh, read-only. It calls the
# runtime's host detection (src/runtime/detect.sh: k_init_system, k_pkg_manager), which
# comes before it.
kf() { printf '%s=%s\n' "$1" "$(printf '%s' "$2" | tr '\n' ' ')"; }
kf_id='' kf_like=''
if [ -r /etc/os-release ]; then
  while IFS='=' read -r k v; do
    v=${v#\"}; v=${v%\"}; v=${v#\'}; v=${v%\'}
    case $k in
      ID) kf os.id "$v"; kf_id=$v ;;
      ID_LIKE) kf os.id_like "$v"; kf_like=$v ;;
      VERSION_ID) kf os.version "$v" ;;
      PRETTY_NAME) kf os.name "$v" ;;
      VERSION_CODENAME) kf os.codename "$v" ;;
    esac
  done < /etc/os-release
fi
kf_system=$(uname -s)
kf os.system "$kf_system"
# The family, as Ansible's os_family (lower case): the first known id among ID and ID_LIKE.
kf_family=
for w in $kf_id $kf_like; do
  case $w in
    debian|ubuntu|raspbian|linuxmint|pop|kali) kf_family=debian ;;
    rhel|centos|fedora|rocky|almalinux|amzn|ol) kf_family=redhat ;;
    alpine) kf_family=alpine ;;
    arch|manjaro|endeavouros) kf_family=arch ;;
    opensuse|opensuse-leap|opensuse-tumbleweed|sles|suse) kf_family=suse ;;
    *) continue ;;
  esac
  break
done
if [ -z "$kf_family" ]; then
  case $kf_system in
    Darwin) kf_family=darwin ;;
    FreeBSD) kf_family=freebsd ;;
    *) kf_family=${kf_id:-$(printf '%s' "$kf_system" | tr '[:upper:]' '[:lower:]')} ;;
  esac
fi
kf os.family "$kf_family"
kf arch "$(uname -m)"
kf kernel "$(uname -r)"
kf hostname "$(uname -n)"
kf user.name "$(id -un)"
kf user.uid "$(id -u)"
kf init.system "$(k_init_system)"
if kf_manager=$(k_pkg_manager); then kf pkg.manager "$kf_manager"; fi
[ -r /etc/passwd ] && kf users "$(cut -d: -f1 /etc/passwd | tr '\n' ',')"
[ -r /etc/group ] && kf groups "$(cut -d: -f1 /etc/group | tr '\n' ',')"
