"""Where a server's time goes: py-spy samples a running process; a summary by package.

py-spy (the bench extra) attaches to a pid without pausing it (``--nonblocking``) and writes
collapsed stacks ("frame;frame;... count"); idle samples are left out, so the shares are of
the time the process was on a CPU.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
from collections import Counter
from pathlib import Path

RATE_HZ = 250
_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


def py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(found).exists():
        raise RuntimeError("py-spy is missing: pip install the bench extra (make bench-events)")
    return found


async def record(pid: int, seconds: float, output: Path) -> asyncio.subprocess.Process:
    """Start sampling ``pid`` for ``seconds``; await ``.wait()`` on the result for the file."""
    return await asyncio.create_subprocess_exec(
        py_spy(),
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(max(1, round(seconds))),
        "--rate",
        str(RATE_HZ),
        "--nonblocking",
        "--format",
        "raw",
        "--output",
        str(output),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


def package_of(path: str) -> str:
    """``litestar`` for .../site-packages/litestar/..., ``rhythm``, ``bench``, or the stdlib
    module (``asyncio``)."""
    parts = Path(path).parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    for own in ("rhythm", "bench"):
        if own in parts:
            return own
    parent = parts[-2] if len(parts) >= 2 else ""
    return parent if parent and not parent.startswith("python3") else Path(path).stem


def _frames(stack: str) -> list[tuple[str, str]]:
    frames = []
    for frame in stack.split(";"):
        found = _FRAME.match(frame)
        if found:
            frames.append((found["func"], found["file"]))
    return frames


def summarize(collapsed: Path, top: int = 12) -> list[str]:
    """Self time by package, and the functions with the most time under them (inclusive)."""
    by_package: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count, frames = int(count_text), _frames(stack)
        if not frames:
            continue
        total += count
        by_package[package_of(frames[-1][1])] += count
        for name in {f"{func} ({package_of(file)})" for func, file in frames}:
            inclusive[name] += count
    if not total:
        return ["(no samples)"]
    packages = ", ".join(f"{p} {n / total:.0%}" for p, n in by_package.most_common(top))
    lines = [f"{total} samples on CPU; self time by package: {packages}", "", "inclusive:"]
    lines += [f"  {n / total:5.1%}  {name}" for name, n in inclusive.most_common(top * 2)]
    return lines
