"""The bound on password hashes at once: never more than the slots, refusals with a wait."""

from __future__ import annotations

import asyncio
import threading

import pytest

from rhythm.service.auth.hash_gate import GatedPasswordHasher, HashingBusyError
from rhythm.service.auth.passwords import TEST_PARAMS, PasswordHasher


class Counting(GatedPasswordHasher):
    """Records how many hashes run at once (the argon2 call runs in a thread)."""

    def __init__(self, *, max_waiting: int, max_wait_s: float) -> None:
        super().__init__(TEST_PARAMS, slots=2, max_waiting=max_waiting, max_wait_s=max_wait_s)
        self.running = self.peak = 0
        self._lock = threading.Lock()

    def _verify(self, password_hash: str | None, password: str) -> bool:
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        threading.Event().wait(0.05)
        with self._lock:
            self.running -= 1
        return super()._verify(password_hash, password)


async def test_no_more_than_the_slots_run_at_once() -> None:
    hasher = Counting(max_waiting=100, max_wait_s=30)
    stored = await PasswordHasher(TEST_PARAMS).hash("password 123")
    results = await asyncio.gather(*(hasher.verify(stored, "password 123") for _ in range(10)))
    assert all(results)
    assert hasher.peak == 2


async def test_beyond_the_queue_the_answer_is_busy_with_a_wait() -> None:
    hasher = Counting(max_waiting=3, max_wait_s=30)
    outcomes = await asyncio.gather(
        *(hasher.verify(None, "password 123") for _ in range(8)), return_exceptions=True
    )
    busy = [o for o in outcomes if isinstance(o, HashingBusyError)]
    assert len(busy) == 3  # 2 running, 3 waiting, the rest refused at once
    assert all(b.retry_after_s >= 1 for b in busy)


async def test_a_slot_not_free_in_time_is_busy() -> None:
    hasher = Counting(max_waiting=10, max_wait_s=0.01)
    outcomes = await asyncio.gather(
        *(hasher.verify(None, "x") for _ in range(4)), return_exceptions=True
    )
    assert sum(isinstance(o, HashingBusyError) for o in outcomes) == 2
    with pytest.raises(HashingBusyError):
        await asyncio.gather(*(hasher.verify(None, "x") for _ in range(3)))
