#!/usr/bin/env bash
# Adapter: kiln, for ../shared/peer-bench (protocol: its tools/README.md). `run.sh` in this
# directory copies the peer bench to a scratch directory and puts this file in its tools/.
#   BENCH_KILN           the kiln binary (a release build)
#   BENCH_KILN_MANIFEST  the workload in kiln (main.toml beside this file)
set -euo pipefail
KILN=${BENCH_KILN:?the kiln binary}
MANIFEST=${BENCH_KILN_MANIFEST:?the workload manifest}
SSHD=${BENCH_SSHD_DIR:-/tmp/bench-sshd}
BASE=${BENCH_HOSTS_DIR:-/tmp/bench-hosts}
cmd=${1:?}; shift
case "$cmd" in
version) "$KILN" --version ;;
run|noop)
    N=${1:?N}; PORT=${2:?PORT}
    P=$(( N < 50 ? N : 50 ))
    inventory=$(mktemp --suffix=.toml)
    trap 'rm -f "$inventory"' EXIT
    for k in $(seq 1 "$N"); do
        printf '[hosts.host%s]\naddress = "127.0.0.1"\nport = %s\nuser = "root"\nvars = { root = "%s/host%s", bench_host = "host%s", greeting = "hello from host%s" }\n\n' \
            "$k" "$PORT" "$BASE" "$k" "$k" "$k"
    done >"$inventory"
    ssh=(--parallel "$P" --known-hosts "$SSHD/known_hosts" --ssh-key "$SSHD/client_ed25519" --ssh-config /dev/null)
    if [ "$cmd" = noop ]; then
        SSH_AUTH_SOCK='' "$KILN" exec "$inventory" "${ssh[@]}" -- true
    else
        # The JSON report first, then anything said on standard error (`changes` reads both).
        err=$(mktemp)
        trap 'rm -f "$inventory" "$err"' EXIT
        status=0
        SSH_AUTH_SOCK='' "$KILN" apply "$MANIFEST" -i "$inventory" -y --format json "${ssh[@]}" 2>"$err" || status=$?
        cat "$err" >&2
        exit "$status"
    fi
    ;;
after) : ;;   # nothing persists between runs: every run connects afresh
changes)
    exec /usr/bin/python3 - "${1:?LOG}" <<'PY'
import json, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
start = text.find('{\n  "hosts"')
if start < 0:
    sys.exit("no kiln JSON report in the log")
report, _ = json.JSONDecoder().raw_decode(text[start:])
changed = unexpected = failed = 0
for host in report["hosts"]:
    failed += host["status"] in ("failed", "unreachable")
    for op in host["ops"]:
        if op["status"] == "changed":
            changed += 1
            unexpected += not op["label"].startswith("always run")
        failed += op["status"] == "failed"
print(f"changed={changed} unexpected={unexpected} failed={failed}")
PY
    ;;
*) echo "unknown subcommand $cmd" >&2; exit 2 ;;
esac
