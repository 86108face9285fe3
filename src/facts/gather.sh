# kiln fact probe: prints one `key=value` line per fact. POSIX sh, read-only.
kf() { printf '%s=%s\n' "$1" "$(printf '%s' "$2" | tr '\n' ' ')"; }
if [ -r /etc/os-release ]; then
  while IFS='=' read -r k v; do
    v=${v#\"}; v=${v%\"}; v=${v#\'}; v=${v%\'}
    case $k in
      ID) kf os.id "$v" ;;
      ID_LIKE) kf os.id_like "$v" ;;
      VERSION_ID) kf os.version "$v" ;;
      PRETTY_NAME) kf os.name "$v" ;;
      VERSION_CODENAME) kf os.codename "$v" ;;
    esac
  done < /etc/os-release
fi
kf os.system "$(uname -s)"
kf arch "$(uname -m)"
kf kernel "$(uname -r)"
kf hostname "$(uname -n)"
kf user.name "$(id -un)"
kf user.uid "$(id -u)"
if [ -d /run/systemd/system ]; then kf init.system systemd
elif [ -d /run/openrc ] || command -v openrc >/dev/null 2>&1; then kf init.system openrc
elif [ -d /etc/init.d ]; then kf init.system sysvinit
else kf init.system unknown
fi
for m in apt-get dnf yum apk pacman zypper brew; do
  if command -v "$m" >/dev/null 2>&1; then kf pkg.manager "${m%-get}"; break; fi
done
[ -r /etc/passwd ] && kf users "$(cut -d: -f1 /etc/passwd | tr '\n' ',')"
[ -r /etc/group ] && kf groups "$(cut -d: -f1 /etc/group | tr '\n' ',')"
