"""The load generators: wrk for HTTP (with wrk.lua), pgbench -S for the database alone."""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.common.pinning import taskset_prefix

HERE = Path(__file__).resolve().parent
CONNECTIONS = 16  # the anchors' concurrency; pgbench uses as many clients


@dataclass(frozen=True)
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx/3xx responses, socket errors, failed transactions
    cpu_us: float = 0.0  # the server's CPU time per request, where measured


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * _UNIT_MS[unit]


def parse_wrk(output: str) -> Result:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    errors = 0
    if found := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(found.group(1))
    if found := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(int(g) for g in found.groups())
    return Result(rps, p50, p99, errors)


def wrk(port: int, mode: str, users_file: Path, seconds: float, core: int) -> Result:
    """``mode``: "get:/path" or "joinleave"; one wrk thread (= one connection = one user) each."""
    command = [
        *taskset_prefix(core),
        "wrk",
        f"-t{CONNECTIONS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds:g}s",
        "--latency",
        "-s",
        str(HERE / "wrk.lua"),
        f"http://127.0.0.1:{port}",
        "--",
        mode,
        str(users_file),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_wrk(done.stdout)


def pgbench(binary: Path, url: str, seconds: float, core: int) -> Result:
    """``pgbench -S`` (select-only), CONNECTIONS clients, per-transaction log for percentiles."""
    with tempfile.TemporaryDirectory() as tmp:
        prefix = str(Path(tmp) / "tx")
        command = [
            *taskset_prefix(core),
            str(binary),
            "-S",
            "-n",
            f"-c{CONNECTIONS}",
            "-j1",
            f"-T{max(1, round(seconds))}",
            "-l",
            f"--log-prefix={prefix}",
            url,
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        tps = float(re.search(r"tps = ([\d.]+)", done.stdout).group(1))  # type: ignore[union-attr]
        failed = re.search(r"number of failed transactions: (\d+)", done.stdout)
        latencies = sorted(
            int(line.split()[2])  # microseconds
            for log in Path(tmp).glob("tx*")
            for line in log.read_text().splitlines()
        )
    p50 = latencies[len(latencies) // 2] / 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] / 1000
    return Result(tps, p50, p99, int(failed.group(1)) if failed else 0)
