#!/usr/bin/env python3
"""The side-by-side table of table.sh, from its raw rows.

usage: table.py record SRC DEST KEY=VALUE... append one repetition's rows (runs 1 and 2) from
                                             SRC to DEST with the given fields; fails, saying
                                             why, when a run is missing or does not count
       table.py show FILE [SESSION]          print SESSION's rows of FILE (default: the last
                                             session in it) as one markdown table

A row is one timed run as the shared lib/measure.py records it, plus what meter.sh adds
(maxrss_kb, host_cpu_ms) and what table.sh records it with (session, rep, kiln, and load1:
the load average after the tool's turn). One table line per cell (N, latency) and tool,
medians over the repetitions whose run succeeded, left its end state verified and, on run
2, reported no change but the always-run command. Ratios are the tool's median wall time
over kiln's in the same cell.
"""
import json
import os
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


# What a column takes from one run's row on N hosts (None where an older row lacks it).
def wall(r, n):
    return r["wall_s"]


def channels(r, n):
    return (r["sess_cmd"] + r["sess_sftp"]) / n


def ctrl_cpu(r, n):
    return r["ctrl_cpu_s"]


def peak_rss_mib(r, n):
    return r["maxrss_kb"] / 1024 if "maxrss_kb" in r else None


def host_cpu(r, n):
    return r["host_cpu_ms"] / 1000 / n if "host_cpu_ms" in r else None


def machine_minus_ctrl(r, n):
    return (r["machine_cpu_s"] - r["ctrl_cpu_s"]) / n


HEADER = ("| N | latency | tool | wall s run 1 / 2 | × kiln run 1 / 2 | SSH channels/host run 1 / 2 "
          "| controller CPU s run 1 / 2 | peak RSS MiB, largest process | host CPU s/host run 1 / 2 "
          "| machine − controller CPU s/host run 1 / 2 | reps | checks |\n"
          "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")


def show(path, session):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    sessions = [r["session"] for r in rows if "session" in r]
    if not sessions:
        sys.exit(f"table.py: no table.sh rows in {path}")
    session = session or sessions[-1]
    rows = [r for r in rows if r.get("session") == session]
    good = defaultdict(list)  # (lat, n, tool, run) -> rows that count
    bad = defaultdict(list)  # (lat, n, tool) -> why the others do not
    for r in rows:
        cell = (r["lat_ms"], r["n"], r["tool"])
        why = problems(r)
        if why:
            bad[cell].append(f"rep {r['rep']} run {r['run']}: " + ", ".join(why))
        else:
            good[(*cell, str(r["run"]))].append(r)

    def medians(cell, column):
        """The column's median for run 1 and for run 2 of a cell (None without rows)."""
        out = []
        for run in RUNS:
            xs = [column(r, cell[1]) for r in good[(*cell, run)]]
            xs = [x for x in xs if x is not None]
            out.append(statistics.median(xs) if xs else None)
        return out

    def pair(values, fmt):
        return " / ".join("-" if x is None else fmt.format(x) for x in values)

    versions = sorted({r["version"].replace("_", " ") for r in rows})
    print(f"kiln side by side, session {session}, kiln {rows[0].get('kiln', '?')}; {', '.join(versions)}")
    loads = [float(r["load1"]) for r in rows if "load1" in r]
    if loads:
        print(f"load average (1 min) after each turn: {min(loads):.1f} to {max(loads):.1f} on {os.cpu_count()} cores")
    print()
    print(HEADER)
    cells = sorted({(r["lat_ms"], r["n"], r["tool"]) for r in rows},
                   key=lambda c: (c[0], c[1], TOOL_ORDER.get(c[2], 9), c[2]))
    for cell in cells:
        lat, n, tool = cell
        ratios = [None if mine is None or not base else mine / base
                  for mine, base in zip(medians(cell, wall), medians((lat, n, "kiln"), wall))]
        rss = [x for x in medians(cell, peak_rss_mib) if x is not None]
        print("| " + " | ".join([
            str(n), f"{lat} ms", tool,
            pair(medians(cell, wall), "{:.2f}"),
            "-" if tool == "kiln" else pair(ratios, "{:.1f}×"),
            pair(medians(cell, channels), "{:.0f}"),
            pair(medians(cell, ctrl_cpu), "{:.2f}"),
            f"{max(rss):.0f}" if rss else "-",
            pair(medians(cell, host_cpu), "{:.3f}"),
            pair(medians(cell, machine_minus_ctrl), "{:.3f}"),
            str(max(len(good[(*cell, run)]) for run in RUNS)),
            "; ".join(bad[cell]) or "ok",
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
