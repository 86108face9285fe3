# shellcheck shell=bash
# Sourced by run.sh and table.sh: where the shared peer bench is, which kiln binary runs,
# and the scratch copy of the peer bench that a run works in.
#
# The shared bench (../shared/peer-bench beside the repository, or BENCH_PEER) is
# read-only and may be absent: the scripts say where they looked. Its tools/ gets kiln's
# adapter, and every adapter is wrapped by meter.sh, which adds peak memory and host CPU
# to the rows the shared lib/measure.py writes.

# The virtualenv of the pinned pyinfra and Ansible that `table.sh --setup` installs.
KILN_PEER_VENV=/tmp/kiln-peer-venv

peer_bench_dir() { # repo -> the shared peer bench's directory, or a message and failure
    local peer=${BENCH_PEER:-$1/../shared/peer-bench}
    if [ ! -x "$peer/run.sh" ] || [ ! -f "$peer/lib/measure.py" ]; then
        echo "the shared peer bench is expected at $peer (set BENCH_PEER to its directory)" >&2
        return 1
    fi
    (cd "$peer" && pwd)
}

kiln_binary() { # repo -> the kiln binary: BENCH_KILN if set, else a fresh release build
    if [ -n "${BENCH_KILN:-}" ]; then
        [ -x "$BENCH_KILN" ] || { echo "BENCH_KILN=$BENCH_KILN is not an executable" >&2; return 1; }
        echo "$BENCH_KILN"
        return
    fi
    (cd "$1" && cargo build --release -q) >&2
    echo "$1/target/release/kiln"
}

prepare_peer_run() { # peer here work kiln: the peer bench copied to work, adapters metered, env set
    local peer=$1 here=$2 work=$3 adapter
    cp -r "$peer/." "$work/"
    chmod -R u+w "$work"
    cp "$here/kiln.sh" "$work/tools/kiln.sh"
    # Each adapter keeps its directory (they find the bench from it) under a new name;
    # the wrapper takes the tool's name, so run.sh and the rows still say `kiln`, `pyinfra`...
    for adapter in "$work"/tools/*.sh; do
        mv "$adapter" "${adapter%.sh}.adapter.sh"
        cp "$here/meter.sh" "$adapter"
    done
    cp "$here/host_cpu.py" "$work/tools/host_cpu.py"
    mkdir "$work/meter"
    # What the adapters read: kiln.sh its binary and workload, meter.sh its readings' place,
    # the shared ones the virtualenv (table.sh installs the pinned tools there).
    export BENCH_KILN=$4 BENCH_KILN_MANIFEST=$here/main.toml BENCH_METER_DIR=$work/meter
    export BENCH_VENV=${BENCH_VENV:-$KILN_PEER_VENV}
}
