"""Generated request ids: 128 random bits each, read in batches, never handed out twice (across a
batch boundary, between threads, or between a process and its forked child)."""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from rhythm.web.middleware import RequestIds

_HEX_128 = re.compile(r"[0-9a-f]{32}")


def test_ids_are_32_hex_digits_and_distinct_across_batches() -> None:
    ids = RequestIds()
    taken = [ids.fresh() for _ in range(3 * RequestIds.BATCH + 1)]
    assert all(_HEX_128.fullmatch(value) for value in taken)
    assert len(set(taken)) == len(taken)


def test_one_read_serves_a_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[int] = []
    real = os.urandom

    def counted(size: int) -> bytes:
        reads.append(size)
        return real(size)

    monkeypatch.setattr(os, "urandom", counted)
    ids = RequestIds()
    for _ in range(RequestIds.BATCH + 1):
        ids.fresh()
    assert reads == [16 * RequestIds.BATCH, 16 * RequestIds.BATCH]


def test_threads_never_share_an_id() -> None:
    ids = RequestIds()
    with ThreadPoolExecutor(max_workers=4) as pool:
        batches = list(pool.map(lambda _: [ids.fresh() for _ in range(2000)], range(4)))
    taken = [value for batch in batches for value in batch]
    assert len(set(taken)) == len(taken)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_reads_ids_of_its_own() -> None:
    ids = RequestIds()
    ids.fresh()  # the parent holds the rest of a batch
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next ids, to the parent
        os.close(read)
        os.write(write, "".join(ids.fresh() for _ in range(8)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = pipe.read()
    os.waitpid(pid, 0)
    parents = {ids.fresh() for _ in range(RequestIds.BATCH)}
    childs = {child[at : at + 32] for at in range(0, len(child), 32)}
    assert len(childs) == 8
    assert not childs & parents, "the child handed out ids its parent hands out too"
