# kiln fact probe, second part: the structured facts (src/facts: `SURVEYED`), each as a
# section of the raw output of its source, which Rust parses (src/facts/survey/): a line
# `@NAME SOURCE`, the output, a line `@end`. Runs after gather.sh, in the same shell (it
# reads kf_manager and init.system's k_init_system). Only `kiln`'s own gathering runs it,
# not the scripts (their `when` decides only gather.sh's facts). One process per source
# at most; files are read with the shell's `read`.
ks_cat() { while IFS= read -r ks_line || [ -n "$ks_line" ]; do printf '%s\n' "$ks_line"; done < "$1"; }
ks_has() { command -v "$1" >/dev/null 2>&1; }
# Network: every address of every interface; the IPv4 routes (for the default one).
if ks_has ip; then
  echo '@net.addresses ip'; ip -o addr 2>/dev/null; echo '@end'
elif ks_has ifconfig; then
  echo '@net.addresses ifconfig'; ifconfig -a 2>/dev/null; echo '@end'
  [ -r /proc/net/if_inet6 ] && { echo '@net.addresses if_inet6'; ks_cat /proc/net/if_inet6; echo '@end'; }
fi
[ -r /proc/net/route ] && { echo '@net.routes proc'; ks_cat /proc/net/route; echo '@end'; }
# Virtualization: systemd's verdict where it is installed, else the evidence Ansible's
# virtual facts read.
echo '@virt evidence'
if ks_has systemd-detect-virt; then
  printf 'detect=%s\n' "$(systemd-detect-virt 2>/dev/null)"
else
  [ -e /.dockerenv ] && echo dockerenv
  [ -e /run/.containerenv ] && echo containerenv
  [ -r /proc/1/cgroup ] && while IFS= read -r ks_line; do printf 'cgroup=%s\n' "$ks_line"; done < /proc/1/cgroup
  [ -r /proc/cpuinfo ] && grep -q '^flags.* hypervisor' /proc/cpuinfo 2>/dev/null && echo hypervisor
fi
echo '@end'
# Storage: mounted file systems; block devices with their size in 512-byte sectors.
[ -r /proc/mounts ] && { echo '@mounts proc'; ks_cat /proc/mounts; echo '@end'; }
if [ -d /sys/block ]; then
  echo '@disks sys'
  for ks_disk in /sys/block/*; do
    [ -r "$ks_disk/size" ] || continue
    read -r ks_size < "$ks_disk/size"
    printf '%s %s\n' "${ks_disk##*/}" "$ks_size"
  done
  echo '@end'
fi
# Installed packages, by the package manager's own database tool.
case ${kf_manager-} in
  apt) ks_has dpkg-query && { echo '@packages dpkg'; dpkg-query -W -f '${db:Status-Abbrev} ${Package} ${Version} ${Architecture}\n' 2>/dev/null; echo '@end'; } ;;
  dnf|yum|zypper) ks_has rpm && { echo '@packages rpm'; rpm -qa --qf '%{NAME} %{EPOCH}:%{VERSION}-%{RELEASE} %{ARCH}\n' 2>/dev/null; echo '@end'; } ;;
  apk) echo '@packages apk'; apk info -v 2>/dev/null; echo '@end' ;;
  pacman) echo '@packages pacman'; pacman -Q 2>/dev/null; echo '@end' ;;
esac
# Services with their state and whether they start at boot.
case $(k_init_system) in
  systemd)
    echo '@services systemd-units'; systemctl list-units --type=service --all --no-legend --no-pager --plain 2>/dev/null; echo '@end'
    echo '@services systemd-files'; systemctl list-unit-files --type=service --no-legend --no-pager 2>/dev/null; echo '@end'
    ;;
  openrc) echo '@services openrc'; rc-status --all 2>/dev/null; echo '@end' ;;
  sysvinit)
    echo '@services sysvinit'
    for ks_service in /etc/init.d/*; do
      [ -x "$ks_service" ] || continue
      ks_name=${ks_service##*/}
      ks_boot=no
      for ks_link in /etc/rc[2345].d/S[0-9][0-9]"$ks_name"; do [ -e "$ks_link" ] && ks_boot=yes; done
      printf '%s %s\n' "$ks_name" "$ks_boot"
    done
    echo '@end'
    ;;
esac
# Versions of what a manifest often branches on.
# (Each an `if`, so that the probe ends with status 0 where neither is installed.)
if ks_has ssh; then echo '@openssh ssh-V'; ssh -V 2>&1 </dev/null; echo '@end'; fi
for ks_python in python3 python; do
  if ks_has "$ks_python"; then echo '@python V'; "$ks_python" -V 2>&1 </dev/null; echo '@end'; break; fi
done
