#!/usr/bin/env python3
"""The side-by-side table of table.sh, from its raw rows.

usage: table.py record SRC DEST KEY=VALUE... append one repetition's rows (runs 1 and 2) from
                                             SRC to DEST with the given fields; fails, saying
                                             why, when a run is missing or does not count
       table.py show FILE [SESSION]          print SESSION's rows of FILE (default: the last
                                             session in it) as one markdown table

A row is one timed run as the shared lib/measure.py records it, plus what meter.sh adds
(maxrss_kb, host_cpu_ms) and what table.sh records it with (session, rep, kiln). One table
line per cell (N, latency) and tool, medians over the repetitions whose run succeeded,
left its end state verified and, on run 2, reported no change but the always-run command.
Ratios are the tool's median wall time over kiln's in the same cell.
"""
import json
import re
import statistics
import sys
from collections import defaultdict

TOOL_ORDER = {"kiln": 0, "pyinfra": 1, "ansible": 2}
RUNS = ("1", "2")


def record(src, dest, fields):
    extra = {}
    for kv in fields:
        k, _, v = kv.partition("=")
        extra[k] = int(v) if re.fullmatch(r"-?\d+", v) else v
    try:
        with open(src) as f:
            rows = [{**json.loads(line), **extra} for line in f if line.strip()]
    except FileNotFoundError:
        rows = []
    with open(dest, "a") as out:
        for row in rows:
            out.write(json.dumps(row) + "\n")
    why = [f"run {r['run']}: " + ", ".join(problems(r)) for r in rows if problems(r)]
    timed = {str(r["run"]) for r in rows}
    why += [f"run {run}: not timed" for run in RUNS if run not in timed]
    if why:
        sys.exit("; ".join(why))


def problems(row):
    """Why a run does not count, or an empty list."""
    why = []
    if row["rc"] != 0:
        why.append(f"exit {row['rc']}")
    if row.get("verify") != "ok":
        why.append("end state not verified")
    if row.get("failed", 0):
        why.append(f"{row['failed']} failed")
    if str(row["run"]) == "2" and row.get("unexpected", 0):
        why.append(f"{row['unexpected']} unexpected changes")
    return why


def median(rows, value):
    xs = [value(r) for r in rows]
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def pair(a, b, fmt):
    return " / ".join("-" if x is None else fmt(x) for x in (a, b))


def show(path, session):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    sessions = [r["session"] for r in rows if "session" in r]
    if not sessions:
        sys.exit(f"table.py: no table.sh rows in {path}")
    session = session or sessions[-1]
    rows = [r for r in rows if r.get("session") == session]
    runs = defaultdict(list)
    bad = defaultdict(list)
    for r in rows:
        key = (r["lat_ms"], r["n"], r["tool"], str(r["run"]))
        why = problems(r)
        (bad if why else runs)[key].append(f"rep {r['rep']} run {r['run']}: " + ", ".join(why) if why else r)
    cells = sorted({k[:3] for k in list(runs) + list(bad)},
                   key=lambda c: (c[0], c[1], TOOL_ORDER.get(c[2], 9), c[2]))

    def stat(cell, run, value):
        return median(runs.get((*cell, run), []), value)

    wall = lambda r: r["wall_s"]
    print(f"kiln side by side, session {session}, kiln {rows[0].get('kiln', '?')}; "
          + ", ".join(sorted({r['version'].replace('_', ' ') for r in rows})) + "\n")
    print("| N | latency | tool | wall s run 1 / 2 | × kiln run 1 / 2 | SSH channels/host run 1 / 2 "
          "| controller CPU s run 1 / 2 | peak RSS MiB, largest process | host CPU s/host run 1 / 2 "
          "| machine − controller CPU s/host run 1 / 2 | reps | checks |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for cell in cells:
        lat, n, tool = cell
        kiln = (lat, n, "kiln")
        ratio = [None, None]
        for i, run in enumerate(RUNS):
            mine, base = stat(cell, run, wall), stat(kiln, run, wall)
            if mine is not None and base:
                ratio[i] = mine / base
        channels = lambda r: (r["sess_cmd"] + r["sess_sftp"]) / n
        host = lambda r: r["host_cpu_ms"] / 1000 / n if "host_cpu_ms" in r else None
        rest = lambda r: (r["machine_cpu_s"] - r["ctrl_cpu_s"]) / n
        rss = [x for run in RUNS for x in [stat(cell, run, lambda r: r.get("maxrss_kb"))] if x]
        reps = max((len(runs.get((*cell, run), [])) for run in RUNS), default=0)
        print("| " + " | ".join([
            str(n), f"{lat} ms", tool,
            pair(stat(cell, "1", wall), stat(cell, "2", wall), "{:.2f}".format),
            "-" if tool == "kiln" else pair(*ratio, "{:.1f}×".format),
            pair(stat(cell, "1", channels), stat(cell, "2", channels), "{:.0f}".format),
            pair(stat(cell, "1", lambda r: r["ctrl_cpu_s"]), stat(cell, "2", lambda r: r["ctrl_cpu_s"]), "{:.2f}".format),
            f"{max(rss) / 1024:.0f}" if rss else "-",
            pair(stat(cell, "1", host), stat(cell, "2", host), "{:.3f}".format),
            pair(stat(cell, "1", rest), stat(cell, "2", rest), "{:.3f}".format),
            str(reps),
            "; ".join(why for run in RUNS for why in bad.get((*cell, run), [])) or "ok",
        ]) + " |")


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "record":
        record(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif len(sys.argv) in (3, 4) and sys.argv[1] == "show":
        show(sys.argv[2], sys.argv[3] if len(sys.argv) == 4 else None)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
