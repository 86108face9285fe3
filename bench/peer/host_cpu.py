#!/usr/bin/env python3
"""CPU time spent so far by the bench sshd and every process under it.

usage: host_cpu.py [--since MS]

Prints milliseconds of user+system CPU of the private sshd (pid from
$BENCH_SSHD_DIR/sshd.pid, default /tmp/bench-sshd) and all its descendants: for each
live process its own time plus what its children that it has already reaped spent
(/proc/PID/stat utime, stime, cutime, cstime). A process's time moves into its
parent's cutime when the parent reaps it, so the sum counts every session, remote
shell and command once, whether it is still running (an Ansible ControlPersist
session) or gone. With --since, prints the difference from an earlier reading.

This is the targets' side of a run, measured on its own processes: unlike the
machine's CPU minus the controller's, other load on the machine does not count.
A process that leaves the tree by daemonizing (reparented to init) is not counted.
"""
import argparse
import os
import sys

TICKS = os.sysconf("SC_CLK_TCK")


def stat(pid):
    """(ppid, utime + stime + cutime + cstime in ticks) of a process, None if gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    rest = text[text.rindex(")") + 2:].split()  # the command name may hold spaces
    return int(rest[1]), sum(int(x) for x in rest[11:15])


def tree_ticks(root):
    procs = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            s = stat(name)
            if s is not None:
                procs[int(name)] = s
    children = {}
    for pid, (ppid, _) in procs.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid in procs:
            total += procs[pid][1]
            todo.extend(children.get(pid, []))
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--since", type=int, default=None, help="an earlier reading, in ms")
    a = ap.parse_args()
    pidfile = os.path.join(os.environ.get("BENCH_SSHD_DIR", "/tmp/bench-sshd"), "sshd.pid")
    try:
        with open(pidfile) as f:
            root = int(f.read())
    except (OSError, ValueError) as e:
        sys.exit(f"host_cpu.py: no bench sshd pid in {pidfile}: {e}")
    ms = tree_ticks(root) * 1000 // TICKS
    print(ms if a.since is None else ms - a.since)


if __name__ == "__main__":
    main()
