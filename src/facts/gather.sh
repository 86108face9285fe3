# kiln fact probe, first part: the facts scripts decide `when` on (src/facts: `FACTS`),
# one `key=value` line each. POSIX sh, read-only, and cheap: it runs in every script with a
# `when` over facts, so it starts a process only where no file says the same (`uname`,
# `id`, the account files). It calls the runtime's host detection (src/runtime/detect.sh:
# k_init_system, k_pkg_manager), which comes before it.
kf_nl='
'
kf() {
  case $2 in
    *"$kf_nl"*) printf '%s=%s\n' "$1" "$(printf '%s' "$2" | tr '\n' ' ')" ;;
    *) printf '%s=%s\n' "$1" "$2" ;;
  esac
}
# An integer fact: the digits of $2 without leading zeros (as Rust parses them).
kf_int() {
  kf_n=$2
  while :; do case $kf_n in 0?*) kf_n=${kf_n#0} ;; *) break ;; esac; done
  case $kf_n in '' | *[!0-9]*) ;; *) kf "$1" "$kf_n" ;; esac
}
kf_id='' kf_like=''
if [ -r /etc/os-release ]; then
  while IFS='=' read -r k v; do
    v=${v#\"}; v=${v%\"}; v=${v#\'}; v=${v%\'}
    case $k in
      ID) kf os.id "$v"; kf_id=$v ;;
      ID_LIKE) kf os.id_like "$v"; kf_like=$v ;;
      VERSION_ID)
        kf os.version "$v"
        # The numeric parts, as Ansible's distribution_major_version: `24.04` is 24 and 4.
        kf_int os.version_major "${v%%.*}"
        case $v in *.*) kf_v=${v#*.}; kf_int os.version_minor "${kf_v%%.*}" ;; esac
        ;;
      PRETTY_NAME) kf os.name "$v" ;;
      VERSION_CODENAME) kf os.codename "$v" ;;
    esac
  done < /etc/os-release
fi
# One uname for four facts, in this order whatever the options' order: the node name,
# the only one that may hold a space, is what is left between the others.
kf_uname=$(uname -snrm)
kf_system=${kf_uname%% *} kf_uname=${kf_uname#* }
kf_arch=${kf_uname##* } kf_uname=${kf_uname% *}
kf_kernel=${kf_uname##* } kf_hostname=${kf_uname% *}
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
kf arch "$kf_arch"
kf kernel "$kf_kernel"
kf hostname "$kf_hostname"
kf user.name "$(id -un)"
kf user.uid "$(id -u)"
kf init.system "$(k_init_system)"
if kf_manager=$(k_pkg_manager); then kf pkg.manager "$kf_manager"; fi
[ -r /etc/passwd ] && kf users "$(cut -d: -f1 /etc/passwd | tr '\n' ',')"
[ -r /etc/group ] && kf groups "$(cut -d: -f1 /etc/group | tr '\n' ',')"
# Online CPUs: the kernel's list of ranges (`0-3,6`), counted without a process.
if [ -r /sys/devices/system/cpu/online ]; then
  read -r kf_online < /sys/devices/system/cpu/online
  kf_cpus=0
  kf_ifs=$IFS IFS=,
  for kf_range in $kf_online; do
    case $kf_range in
      *-*) kf_cpus=$((kf_cpus + ${kf_range#*-} - ${kf_range%-*} + 1)) ;;
      *) kf_cpus=$((kf_cpus + 1)) ;;
    esac
  done
  IFS=$kf_ifs
  kf_int cpu.count "$kf_cpus"
fi
# `MemTotal:  N kB`, the first line of /proc/meminfo, in MiB.
if [ -r /proc/meminfo ]; then
  read -r kf_k kf_kb_unit < /proc/meminfo
  kf_kb=${kf_kb_unit%% *}
  [ "$kf_k" = MemTotal: ] && kf_int memory.total_mb "$((kf_kb / 1024))"
fi
# SELinux's mode as getenforce says it, read where getenforce reads it (no selinuxfs:
# disabled); AppArmor's switch.
kf_selinux=disabled
if [ -r /sys/fs/selinux/enforce ]; then
  read -r kf_enforce < /sys/fs/selinux/enforce
  case $kf_enforce in 1) kf_selinux=enforcing ;; *) kf_selinux=permissive ;; esac
fi
kf selinux.mode "$kf_selinux"
kf_apparmor=disabled
if [ -r /sys/module/apparmor/parameters/enabled ]; then
  read -r kf_enabled < /sys/module/apparmor/parameters/enabled
  [ "$kf_enabled" = Y ] && kf_apparmor=enabled
fi
kf apparmor.status "$kf_apparmor"
