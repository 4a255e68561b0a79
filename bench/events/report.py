"""What a run prints: the conditions it ran in, and one table per size."""

from __future__ import annotations

import datetime
import os
import platform
import statistics
from pathlib import Path

from bench.common.cpu import MACHINE
from bench.events.slots import SlotResult


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{now}; {os.cpu_count()} cores ({model}); Linux {platform.release()}; "
        f"Python {platform.python_version()}; load average {loadavg()}"
    )


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _spread(values: list[float]) -> float:
    med = statistics.median(values)
    return (max(values) - min(values)) / 2 / med if med else 0.0


def table(results: dict[str, list[SlotResult]], reference: str) -> list[str]:
    """Medians over rounds of the rates; latency percentiles over every event of every round."""
    lines = [
        "| contender | events/s | deliveries/s | spread ± | commit→last p50 ms | p99 ms "
        "| commit→first p50 ms | lost | events/s ÷ " + reference + " |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    base = results[reference]
    for name, runs in results.items():
        rates = [r.events_per_s for r in runs]
        last = [s for r in runs for s in r.last_s]
        first = [s for r in runs for s in r.first_s]
        pairs = zip(rates, (b.events_per_s for b in base), strict=True)
        ratio = statistics.median(a / b for a, b in pairs if b)
        lines.append(
            f"| {name} | {statistics.median(rates):,.0f} "
            f"| {statistics.median(r.deliveries_per_s for r in runs):,.0f} "
            f"| {_spread(rates):.0%} | {_pct(last, 0.5) * 1000:.2f} "
            f"| {_pct(last, 0.99) * 1000:.2f} "
            f"| {_pct(first, 0.5) * 1000:.2f} | {sum(r.lost for r in runs)} | {ratio:.2f} |"
        )
    return lines


def aa_spread(results: dict[str, list[SlotResult]], a: str, b: str) -> str:
    """The A/A control: the same contender under two names, ratio per round."""
    ratios = [
        x.events_per_s / y.events_per_s
        for x, y in zip(results[b], results[a], strict=True)
        if y.events_per_s
    ]
    p50 = [
        _pct(x.last_s, 0.5) / _pct(y.last_s, 0.5)
        for x, y in zip(results[b], results[a], strict=True)
    ]
    return (
        f"A/A control ({b} ÷ {a}), per round: events/s {min(ratios):.2f}-{max(ratios):.2f} "
        f"(median {statistics.median(ratios):.2f}); p50 latency {min(p50):.2f}-{max(p50):.2f}"
    )


def _per_event_us(slot: SlotResult, group: str) -> float:
    return slot.cpu_s[group] / slot.events * 1e6 if slot.events else 0.0


def cpu_table(results: dict[str, list[SlotResult]]) -> list[str]:
    """CPU time per event of each process group (median over rounds): where the time goes."""
    groups = [g for g in next(iter(results.values()))[0].cpu_s if g != MACHINE]
    lines = [
        "| contender | " + " | ".join(f"{g} µs/event" for g in groups) + " | cores busy, "
        "whole machine |",
        "|---|" + "---|" * (len(groups) + 1),
    ]
    for name, runs in results.items():
        cells = [f"{statistics.median(_per_event_us(r, g) for r in runs):,.0f}" for g in groups]
        cells.append(f"{statistics.median(r.cpu_s[MACHINE] / r.seconds for r in runs):.2f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines
