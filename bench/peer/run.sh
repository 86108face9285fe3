#!/usr/bin/env bash
# kiln side by side with pyinfra (and Ansible, if asked) on one cell of the peer benchmark
# of ../shared/peer-bench: the same workload, the same private sshd, the same delay proxy,
# the same timing and end-state checks; kiln joins through the adapter kiln.sh. The whole
# table, tools alternated, is table.sh.
#
#   bench/peer/run.sh N LAT_MS [REPS]   one cell (BENCH_TOOLS, default "kiln pyinfra")
#   bench/peer/run.sh summary           results/raw.jsonl as markdown tables
#
# Once per machine first: bench/peer/table.sh --setup (pinned venv, delay proxy, GNU time).
# BENCH_KILN picks the kiln binary (default: a release build).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR
. "$here/lib.sh"
peer=$(peer_bench_dir "$repo")
out=${BENCH_OUT:-$here/results/raw.jsonl}
if [ "${1:-}" = summary ]; then
    exec /usr/bin/python3 "$peer/lib/summarize.py" "$out"
fi
kiln=$(kiln_binary "$repo")
work=$(mktemp -d /tmp/kiln-peer.XXXXXX)
trap 'rm -rf "$work"' EXIT
prepare_peer_run "$peer" "$here" "$work" "$kiln"
export BENCH_TOOLS=${BENCH_TOOLS:-kiln pyinfra} BENCH_OUT=$out
"$work/run.sh" "$@"
