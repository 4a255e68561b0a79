"""Whose CPU a slot used: processes found by port or pid file, CPU seconds of process trees.

Used to say where the time goes (per event, per request) and to widen a tree's CPU mask.
"""

from __future__ import annotations

import os
from pathlib import Path

import psutil


def pid_listening_on(port: int) -> int:
    """The process that listens on TCP ``port`` (the parent, when workers share the socket)."""
    pids = {
        c.pid
        for c in psutil.net_connections(kind="tcp")
        if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port and c.pid
    }
    if not pids:
        raise LookupError(f"nothing listens on port {port}")
    # Workers that inherited the socket listen too: keep the one that is no one's child here.
    parent: int = min(pids, key=lambda pid: psutil.Process(pid).ppid() in pids)
    return parent


def postmaster_pid(data_dir: Path) -> int:
    return int((data_dir / "postmaster.pid").read_text().split("\n", 1)[0])


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def tree_cpu_s(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its live descendants, so far."""
    total = 0.0
    for process in _tree(pid):
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue  # ended between the listing and the read
        total += times.user + times.system
    return total


def allow_all_cores(pid: int) -> None:
    """Let ``pid`` and its descendants run on every core (undo a pin); children forked later
    inherit the parent's mask."""
    cores = set(range(os.cpu_count() or 1))
    for process in _tree(pid):
        try:
            os.sched_setaffinity(process.pid, cores)
        except (ProcessLookupError, PermissionError):
            continue


def machine_busy_s() -> float:
    """CPU seconds every process on the machine has used (all cores, /proc/stat), so far."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
    ticks: int = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq + steal) / ticks


MACHINE = "whole machine"


class CpuMeter:
    """CPU seconds used by named process trees between ``start`` and ``stop``, and by the
    whole machine (under ``MACHINE``): the difference is everyone else's load."""

    def __init__(self, roots: dict[str, list[int]]) -> None:
        self._roots = roots
        self._at: dict[str, float] = {}

    def _now(self) -> dict[str, float]:
        used = {name: sum(tree_cpu_s(p) for p in pids) for name, pids in self._roots.items()}
        used[MACHINE] = machine_busy_s()
        return used

    def start(self) -> None:
        self._at = self._now()

    def stop(self) -> dict[str, float]:
        now = self._now()
        return {name: now[name] - self._at.get(name, 0.0) for name in now}
