#!/usr/bin/env bash
# kiln side by side with pyinfra (and Ansible, if asked) on the peer benchmark of
# ../shared/peer-bench: the same workload, the same private sshd, the same delay proxy,
# the same timing and end-state checks; kiln joins through the adapter kiln.sh.
#
#   bench/peer/run.sh N LAT_MS [REPS]   one cell (BENCH_TOOLS, default "kiln pyinfra")
#   bench/peer/run.sh summary           results/raw.jsonl as markdown tables
#
# Once per machine first: ../shared/peer-bench/lib/setup.sh (pyinfra venv, delay proxy).
# The shared bench is read-only, so it is copied to a scratch directory for the run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
peer=${BENCH_PEER:-$repo/../shared/peer-bench}
out=${BENCH_OUT:-$here/results/raw.jsonl}
if [ "${1:-}" = summary ]; then
    exec /usr/bin/python3 "$peer/lib/summarize.py" "$out"
fi
(cd "$repo" && cargo build --release -q)
work=$(mktemp -d /tmp/kiln-peer.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -r "$peer/." "$work/"
chmod -R u+w "$work"
cp "$here/kiln.sh" "$work/tools/kiln.sh"
export BENCH_KILN=$repo/target/release/kiln BENCH_KILN_MANIFEST=$here/main.toml
export BENCH_TOOLS=${BENCH_TOOLS:-kiln pyinfra} BENCH_OUT=$out
"$work/run.sh" "$@"
