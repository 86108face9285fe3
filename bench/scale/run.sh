#!/bin/bash
# One controller's throughput over SSH, for docs/scale.md: `kiln apply -y` of a small
# manifest (10 files per host) on HOSTS logical hosts served by one private sshd on
# loopback, at a round trip of 0 or DELAY_MS milliseconds; prints one line of figures per
# run (wall time, hosts per minute, the controller's CPU and peak memory, per host).
#
# Usage: bench/scale/run.sh HOSTS [DELAY_MS] [PARALLEL]
#   BENCH_KILN   the kiln binary (default: a fresh release build, bench/peer/lib.sh's rule)
#
# Everything runs in a network namespace of its own (`unshare -n`, root needed): its own
# loopback, where the delay is added (`tc qdisc add dev lo root netem delay`, half the
# round trip each way). The machine's own loopback is never touched. On a kernel without
# sch_netem, the delay is the shared peer bench's delay proxy's instead (BENCH_DELAYPROXY,
# default /tmp/bench-delayproxy-target/release/delayproxy, built by its lib/setup.sh):
# every byte delayed by half the round trip each way, and a connection held one round trip
# for the TCP handshake. Each line says which delay was used. Two runs per setting:
# the first applies (every file changes), the second finds nothing to change; both are
# printed. The sshd's own CPU is not counted (it is the hosts' side).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
hosts=${1:?usage: run.sh HOSTS [DELAY_MS] [PARALLEL]}
delay=${2:-0}
parallel=${3:-32}

if [ -z "${BENCH_SCALE_IN_NETNS:-}" ]; then
    # shellcheck source-path=SCRIPTDIR/../peer
    . "$here/../peer/lib.sh"
    BENCH_KILN=$(kiln_binary "$repo")
    export BENCH_KILN BENCH_SCALE_IN_NETNS=1
    exec unshare -n "$0" "$@"
fi

ip link set lo up
port=2222 delayed_by=none
if [ "$delay" != 0 ]; then
    if tc qdisc add dev lo root netem delay "$((delay / 2))ms" 2>/dev/null; then
        delayed_by=netem
    else
        delayed_by=delayproxy port=2223
    fi
fi

work=$(mktemp -d /tmp/kiln-scale.XXXXXX)
sshd_pid='' proxy_pid=''
cleanup() {
    if [ -n "$sshd_pid" ]; then kill "$sshd_pid"; fi
    if [ -n "$proxy_pid" ]; then kill "$proxy_pid"; fi
    rm -rf "$work"
}
trap cleanup EXIT

ssh-keygen -q -t ed25519 -N '' -f "$work/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$work/client_key"
cp "$work/client_key.pub" "$work/authorized_keys"
: > "$work/ssh_config"
mkdir -p /run/sshd "$work/home"
cat > "$work/sshd_config" <<CONFIG
ListenAddress 127.0.0.1
Port 2222
HostKey $work/host_key
PidFile $work/sshd.pid
AuthorizedKeysFile $work/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
StrictModes no
MaxStartups 1000
MaxSessions 100
SetEnv HOME=$work/home
CONFIG
/usr/sbin/sshd -D -f "$work/sshd_config" -E "$work/sshd.log" &
sshd_pid=$!
for _ in $(seq 50); do
    if bash -c 'exec 3<>/dev/tcp/127.0.0.1/2222' 2>/dev/null; then break; fi
    sleep 0.1
done
if [ "$delayed_by" = delayproxy ]; then
    "${BENCH_DELAYPROXY:-/tmp/bench-delayproxy-target/release/delayproxy}" \
        --listen 127.0.0.1:2223 --upstream 127.0.0.1:2222 --delay-ms "$((delay / 2))" &
    proxy_pid=$!
    sleep 0.5
fi
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$work/host_key.pub")" > "$work/known_hosts"

for n in $(seq "$hosts"); do
    mkdir -p "$work/hosts/h$n"
    printf '[hosts.h%s]\naddress = "127.0.0.1"\nport = %s\nuser = "root"\nvars = { root = "%s" }\n\n' \
        "$n" "$port" "$work/hosts/h$n"
done > "$work/inventory.toml"
for i in $(seq 10); do
    printf '[[op]]\nop = "files.put"\ndest = "{{ root }}/f%s"\ncontent = "file %s of {{ host }}\\n"\n\n' "$i" "$i"
done > "$work/main.toml"

for run in apply again; do
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" \
        "$BENCH_KILN" apply "$work/main.toml" -i "$work/inventory.toml" -y --format json \
        --parallel "$parallel" --known-hosts "$work/known_hosts" \
        --ssh-config "$work/ssh_config" --ssh-key "$work/client_key" > "$work/report.json" ||
        { echo "kiln apply failed (a host failed or was unreachable): $(head -c 2000 "$work/report.json")" >&2; exit 1; }
    read -r wall user sys rss_kib < "$work/time"
    awk -v run="$run" -v hosts="$hosts" -v delay="$delay" -v parallel="$parallel" -v delayed_by="$delayed_by" \
        -v wall="$wall" -v user="$user" -v sys="$sys" -v rss="$rss_kib" 'BEGIN {
        printf "%-5s hosts=%d rtt=%dms(%s) parallel=%d wall=%.2fs hosts/min=%.0f cpu/host=%.1fms peak=%.1fMiB (%.0fKiB/host)\n",
            run, hosts, delay, delayed_by, parallel, wall, hosts * 60 / wall, (user + sys) * 1000 / hosts, rss / 1024, rss / hosts
    }'
done
