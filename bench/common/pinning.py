"""Core pinning with taskset (util-linux): the database on one core, the client on the other.

On a 2-core machine an unpinned client and server migrate between cores and steal each other's
time slices; pinning makes rounds comparable. With fewer than 2 cores nothing is pinned.
"""

from __future__ import annotations

import os
import shutil
import subprocess

SERVER_CORE, CLIENT_CORE = 0, 1


def can_pin() -> bool:
    return shutil.which("taskset") is not None and len(os.sched_getaffinity(0)) >= 2


def pin(pid: int, core: int) -> None:
    """Pin every thread of ``pid`` to ``core``; processes it forks later inherit the mask."""
    if can_pin():
        subprocess.run(
            ["taskset", "-a", "-p", "-c", str(core), str(pid)],
            check=True,
            stdout=subprocess.DEVNULL,
        )


def pin_self(core: int) -> None:
    pin(os.getpid(), core)


def taskset_prefix(core: int) -> list[str]:
    """A command prefix that starts a program pinned to ``core`` (empty when we cannot pin)."""
    return ["taskset", "-c", str(core)] if can_pin() else []


def describe() -> str:
    if not can_pin():
        return "not pinned (fewer than 2 cores or no taskset)"
    return f"database on core {SERVER_CORE}, client on core {CLIENT_CORE} (taskset)"
