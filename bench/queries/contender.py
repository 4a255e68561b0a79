"""What a contender is: one way of running the benchmark's operations on one connection."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

Op = Callable[[], Awaitable[Any]]

CASES = ("get-by-key", "list-100", "join-20", "insert-one", "batch-100", "copy-10k")


@dataclass
class Contender:
    name: str
    ops: Mapping[str, Op]  # case -> operation; a contender may skip a case
    close: Callable[[], Awaitable[None]]
