"""Interleaved rounds: every contender runs once per round, in random order; medians after.

Each slot records the duration of every operation. Two throughputs come out of a slot:
- raw: operations / wall time of the slot;
- trimmed: 1 / mean duration of the fastest 95% of operations. On a shared machine another
  process takes our core for a scheduler slice now and then (milliseconds, against operations
  of tens of microseconds); those stalls land on whichever contender was running and swamp the
  raw figure. Dropping the slowest 5% removes them without touching the steady-state cost.
Ratios are medians of per-round ratios of trimmed throughputs, so drift between rounds cancels;
latency percentiles are over every operation of every round (stalls included).
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
    latencies_s: list[float] = field(default_factory=list)

    def add(self, ops_per_s: float, latencies_s: list[float]) -> None:
        self.raw.append(ops_per_s)
        self.trimmed.append(trimmed_rate(latencies_s) if latencies_s else ops_per_s)
        self.latencies_s.extend(latencies_s)

    @property
    def median(self) -> float:
        return statistics.median(self.trimmed)

    @property
    def raw_median(self) -> float:
        return statistics.median(self.raw)

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


def ratio(series: Series, base: Series) -> float:
    """Median over rounds of series / base (trimmed throughput) measured in the same round."""
    pairs = zip(series.trimmed, base.trimmed, strict=True)
    return statistics.median(a / b for a, b in pairs)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"
