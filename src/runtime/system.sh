# The running system: mount points and kernel modules.

# Whether the mount point (as /proc/mounts writes it, spaces as \040) is mounted.
k_mounted() { K_P=$1 awk '$2 == ENVIRON["K_P"] { f = 1 } END { exit !f }' /proc/mounts 2>/dev/null; }

# Whether the kernel module NAME (with `_`, as the kernel names it) is loaded or built in.
k_module_loaded() {
  [ -d "/sys/module/$1" ] && return 0
  K_M=$1 awk '{ n = $0; sub(/.*\//, "", n); sub(/\.ko.*$/, "", n); gsub(/-/, "_", n) }
    n == ENVIRON["K_M"] { f = 1 } END { exit !f }' "/lib/modules/$(uname -r)/modules.builtin" 2>/dev/null
}
