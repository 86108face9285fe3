#!/usr/bin/env bash
# The whole side-by-side table in one command: kiln, pyinfra and Ansible on the peer
# benchmark of the shared bench (BENCH_PEER, default ../shared/peer-bench beside the
# repository), the same hosts in the same run, tools alternated within each repetition.
# `--help` says what it does; bench/README.md says what it measures and shows a table.
#
# It sets itself up (apt packages, a pinned virtualenv, the delay proxy, the private sshd),
# then runs the shared run.sh once per (cell, repetition, tool) in a scratch copy of the
# bench whose adapters meter.sh wraps, records each run's rows and prints table.py's table.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR
. "$here/lib.sh"

# Pinned: the versions of the shared bench's own results (its results/env.txt).
PIP_SPEC="pyinfra==3.10.0 ansible-core==2.21.5"
# What the shared lib/setup.sh does not install and this command uses: GNU time for the
# peak memory, python3 for the shared bench's scripts and this one's.
APT_PACKAGES=(time python3)

usage() {
    cat <<USAGE
usage: bench/peer/table.sh [options]

Runs kiln, pyinfra and Ansible on the peer benchmark's workload (61 ops per host) and prints
one markdown table. For each cell (N hosts, added one-way latency) and repetition, the tools
run in turn (kiln, pyinfra, ansible, kiln, ...); each tool's repetition is run 1 on fresh
hosts (everything changes) then run 2 (only the always-run command changes), each checked
by the shared workload/verify.py. Medians over repetitions.

  --n LIST            host counts (default 1,10,50)
  --lat LIST          added one-way latency in ms (default 0,25)
  --reps R            repetitions of kiln and pyinfra (default 3)
  --ansible-reps R    repetitions of Ansible (default 1: ~3 minutes per run at N=10)
  --ansible-n50       also run Ansible at N=50 (~13 minutes per run; its run timeout is
                      then BENCH_RUN_TIMEOUT_S, default 1500 s there, 330 s elsewhere)
  --tools LIST        tools (default kiln,pyinfra,ansible)
  --smoke             N=1, 0 ms, 1 repetition, all three tools
  --kiln PATH         the kiln binary (default: cargo build --release, target/release/kiln)
  --setup             only set up (below), then exit: what run.sh needs too
  --out FILE          raw rows, appended (default bench/peer/results/table.jsonl)
  -h, --help          this text

The table is also written beside the rows (FILE.md for FILE.jsonl); table.py reprints it from the rows.
Full default table: an estimated 35 to 45 minutes on the 2-core project machine.

Setup (idempotent, as root on Debian): the apt packages ${APT_PACKAGES[*]}, then the shared
lib/setup.sh (apt openssh-server, hyperfine, iproute2; the delay proxy), with
$PIP_SPEC in the virtualenv BENCH_VENV (default $KILN_PEER_VENV).
The shared bench's private sshd on 127.0.0.1:2222 (lib/sshd.sh, state in /tmp/bench-sshd)
is started if it is not running, and then stopped at the end by its own pid file.

Logs of every run: /tmp/kiln-peer-logs/SESSION/; hosts: /tmp/bench-hosts.

Environment: BENCH_PEER (the shared peer bench: $repo/../shared/peer-bench by default),
BENCH_VENV, BENCH_RUN_TIMEOUT_S.
USAGE
}

ns=1,10,50 lats=0,25 reps=3 ansible_reps=1 ansible_n50=0 tools=kiln,pyinfra,ansible
out=$here/results/table.jsonl kiln='' setup_only=0
while [ $# -gt 0 ]; do
    case "$1" in
    --n) ns=${2:?--n LIST}; shift ;;
    --lat) lats=${2:?--lat LIST}; shift ;;
    --reps) reps=${2:?--reps R}; shift ;;
    --ansible-reps) ansible_reps=${2:?--ansible-reps R}; shift ;;
    --ansible-n50) ansible_n50=1 ;;
    --tools) tools=${2:?--tools LIST}; shift ;;
    --smoke) ns=1 lats=0 reps=1 ansible_reps=1 tools=kiln,pyinfra,ansible ;;
    --kiln) kiln=${2:?--kiln PATH}; shift ;;
    --out) out=${2:?--out FILE}; shift ;;
    --setup) setup_only=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
for list in "$ns" "$lats" "$reps" "$ansible_reps"; do
    [[ $list =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "not a number list: $list (see --help)" >&2; exit 2; }
done
for tool in ${tools//,/ }; do
    case "$tool" in kiln | pyinfra | ansible) ;; *) echo "unknown tool $tool (kiln, pyinfra, ansible)" >&2; exit 2 ;; esac
done

peer=$(peer_bench_dir "$repo")
export BENCH_VENV=${BENCH_VENV:-$KILN_PEER_VENV}

# --- setup -------------------------------------------------------------------------------
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi
BENCH_PIP_SPEC=$PIP_SPEC "$peer/lib/setup.sh"
for pin in $PIP_SPEC; do
    have=$("$BENCH_VENV/bin/pip" show "${pin%%==*}" 2>/dev/null | sed -n 's/^Version: //p')
    if [ "$have" != "${pin#*==}" ]; then
        echo "$BENCH_VENV has ${pin%%==*} ${have:-missing}, not ${pin#*==}: remove it (or set BENCH_VENV) and re-run" >&2
        exit 1
    fi
done
[ "$setup_only" = 0 ] || exit 0
kiln=$(BENCH_KILN=$kiln kiln_binary "$repo")
echo "kiln: $kiln ($("$kiln" --version))"

work=$(mktemp -d /tmp/kiln-peer.XXXXXX)
started_sshd=0
cleanup() {
    if [ "$started_sshd" = 1 ]; then "$work/lib/sshd.sh" stop || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
prepare_peer_run "$peer" "$here" "$work" "$kiln"
if ! "$work/lib/sshd.sh" status >/dev/null 2>&1; then
    "$work/lib/sshd.sh" start
    started_sshd=1
fi

# --- the runs ----------------------------------------------------------------------------
session=$(date -u +%Y%m%dT%H%M%SZ)
logs=/tmp/kiln-peer-logs/$session
mkdir -p "$logs" "$(dirname "$out")"
echo "session $session: N=$ns, latency=$lats ms, reps $reps (Ansible $ansible_reps), tools $tools; load average $(cut -d' ' -f1-3 /proc/loadavg)"

failed=() # "tool n lat" of cells where a run failed: their later repetitions are skipped
t0=$(date +%s)
for lat in ${lats//,/ }; do
    for n in ${ns//,/ }; do
        for rep in $(seq 1 "$reps"); do
            for tool in ${tools//,/ }; do
                timeout=${BENCH_RUN_TIMEOUT_S:-330}
                if [ "$tool" = ansible ]; then
                    [ "$rep" -le "$ansible_reps" ] || continue
                    if [ "$n" -ge 50 ]; then
                        [ "$ansible_n50" = 1 ] || continue
                        timeout=${BENCH_RUN_TIMEOUT_S:-1500}
                    fi
                fi
                [[ " ${failed[*]} " == *" $tool-$n-$lat "* ]] && continue
                # run.sh numbers its lines "rep 1": it times one repetition per call
                echo "-- $tool N=$n lat=${lat}ms: repetition $rep of $([ "$tool" = ansible ] && echo "$ansible_reps" || echo "$reps")"
                rows=$work/rows.jsonl
                rm -f "$rows"
                BENCH_TOOLS=$tool BENCH_OUT=$rows BENCH_LOGDIR=$logs/rep$rep BENCH_RUN_TIMEOUT_S=$timeout \
                    "$work/run.sh" "$n" "$lat" 1 || true
                if ! /usr/bin/python3 "$here/table.py" record "$rows" "$out" \
                    session="$session" rep="$rep" kiln="$kiln" load1="$(cut -d' ' -f1 /proc/loadavg)"; then
                    echo "!! $tool N=$n lat=${lat}ms rep $rep does not count (above): its later repetitions are skipped (logs: $logs/rep$rep)"
                    failed+=("$tool-$n-$lat")
                fi
            done
        done
    done
done
echo "session $session took $(( $(date +%s) - t0 )) s; load average $(cut -d' ' -f1-3 /proc/loadavg); rows in $out"
echo
/usr/bin/python3 "$here/table.py" show "$out" "$session" | tee "${out%.jsonl}.md"
[ ${#failed[@]} -eq 0 ]
