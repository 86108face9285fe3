#!/usr/bin/env bash
# Adapter wrapper (installed by lib.sh as tools/<tool>.sh of the scratch peer bench, the
# tool's own adapter beside it as tools/<tool>.adapter.sh): passes every subcommand on and
# adds two measurements to the row that the shared lib/measure.py writes for a run.
#
#   maxrss_kb   peak resident memory of the largest single process in the tool's process
#               tree (GNU time's %M: the rusage of the waited-for tree, a maximum over its
#               processes, not their sum), the adapter's own shell included
#   host_cpu_ms CPU milliseconds spent by the bench sshd and everything under it (sessions,
#               remote shells and their commands) from the `after` before the run to the
#               change check after it (host_cpu.py): the targets' side of the run, which
#               other load on the machine does not inflate
#
# Both are reported through `changes`, whose k=v tokens measure.py records: it is the first
# step after the timed command, and `after` the last one before it, so neither reading is
# timed. BENCH_METER_DIR holds the readings between the calls.
set -euo pipefail
tools=$(cd "$(dirname "$0")" && pwd)
tool=$(basename "$0" .sh)
adapter=$tools/$tool.adapter.sh
state=${BENCH_METER_DIR:?a directory for the meter readings}/$tool
cmd=${1:?subcommand}
case "$cmd" in
run | noop)
    rm -f "$state.maxrss"
    exec /usr/bin/time -o "$state.maxrss" -f %M "$adapter" "$@"
    ;;
after)
    "$adapter" "$@"
    /usr/bin/python3 "$tools/host_cpu.py" >"$state.cpu"
    ;;
changes)
    status=0
    "$adapter" "$@" || status=$?
    # time writes "Command exited with non-zero status N" before the figure when the tool fails
    [ -s "$state.maxrss" ] && echo "maxrss_kb=$(tail -n 1 "$state.maxrss")"
    [ -s "$state.cpu" ] && echo "host_cpu_ms=$(/usr/bin/python3 "$tools/host_cpu.py" --since "$(cat "$state.cpu")")"
    exit "$status"
    ;;
version)
    # The shared Ansible adapter's `ansible-playbook --version | head -1` leaves Ansible a
    # closed pipe, and it prints a traceback on every call: the one line is all that counts.
    "$adapter" "$@" 2>/dev/null
    ;;
*) exec "$adapter" "$@" ;;
esac
