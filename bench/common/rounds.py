"""Interleaved rounds: every contender runs once per round, in random order; medians after.

Throughput is ops (or requests) per second over a fixed time slice; latency percentiles are
taken over every operation of every round. The ratio of a contender to the baseline is the
median of its per-round ratios, so drift of the shared machine between rounds cancels out.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field


@dataclass
class Series:
    """What one contender measured, round after round."""

    ops_per_s: list[float] = field(default_factory=list)
    latencies_s: list[float] = field(default_factory=list)

    def add(self, ops_per_s: float, latencies_s: list[float]) -> None:
        self.ops_per_s.append(ops_per_s)
        self.latencies_s.extend(latencies_s)

    @property
    def median(self) -> float:
        return statistics.median(self.ops_per_s)

    @property
    def spread(self) -> float:
        """Half the min-max range of the rounds, relative to the median (±)."""
        values = self.ops_per_s
        return (max(values) - min(values)) / 2 / self.median if self.median else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_s)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ratio(series: Series, base: Series) -> float:
    """Median over rounds of series / base measured in the same round."""
    pairs = zip(series.ops_per_s, base.ops_per_s, strict=True)
    return statistics.median(a / b for a, b in pairs)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"
