"""Interleaved rounds: every contender runs once per round, in random order; medians after.

Each slot records the duration of every operation and the process's CPU time. What comes out:
- raw: operations / wall time of the slot;
- trimmed: 1 / mean duration of the fastest 95% of operations. On a shared machine another
  process takes our core for a scheduler slice now and then (milliseconds, against operations
  of tens of microseconds); those stalls land on whichever contender was running and swamp the
  raw figure. Dropping the slowest 5% removes them without touching the steady-state cost;
- client CPU per operation: what the client itself spent (driver, event loop, row building),
  which other processes' load moves far less than wall time.
Ratios are medians of per-round ratios of trimmed throughputs, so drift between rounds cancels;
latency percentiles are over every operation of every round (stalls included). Series from
several runs are pooled by concatenating their rounds.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

TRIM = 0.95


def trimmed_rate(latencies_s: list[float]) -> float:
    kept = sorted(latencies_s)[: max(1, int(len(latencies_s) * TRIM))]
    return len(kept) / sum(kept)


@dataclass
class Series:
    """What one contender measured, round after round."""

    raw: list[float] = field(default_factory=list)
    trimmed: list[float] = field(default_factory=list)
    cpu_us: list[float] = field(default_factory=list)
    latencies_s: list[float] = field(default_factory=list)

    def add(self, ops_per_s: float, latencies_s: list[float], cpu_s: float) -> None:
        self.raw.append(ops_per_s)
        self.trimmed.append(trimmed_rate(latencies_s) if latencies_s else ops_per_s)
        self.cpu_us.append(cpu_s / len(latencies_s) * 1e6 if latencies_s else float("nan"))
        self.latencies_s.extend(latencies_s)

    def extend(self, other: Series) -> None:
        """Pool another run's rounds into this one."""
        self.raw += other.raw
        self.trimmed += other.trimmed
        self.cpu_us += other.cpu_us
        self.latencies_s += other.latencies_s

    @property
    def median(self) -> float:
        return statistics.median(self.trimmed)

    @property
    def raw_median(self) -> float:
        return statistics.median(self.raw)

    @property
    def cpu_median_us(self) -> float:
        return statistics.median(self.cpu_us)

    @property
    def spread(self) -> float:
        """Half the min-max range of the rounds' trimmed throughput, relative to the median."""
        values = self.trimmed
        return (max(values) - min(values)) / 2 / self.median if self.median else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_s)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def round_ratios(series: Series, base: Series) -> list[float]:
    """series / base (trimmed throughput), one per round, each measured in the same round."""
    return [a / b for a, b in zip(series.trimmed, base.trimmed, strict=True)]


def ratio(series: Series, base: Series) -> float:
    """Median over rounds of series / base measured in the same round."""
    return statistics.median(round_ratios(series, base))


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"
