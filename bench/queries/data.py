"""The data every contender reads and writes: the same rows, keys and payloads for all."""

from __future__ import annotations

import decimal
import itertools
from typing import Any

from psycopg import AsyncConnection

from bench.queries.gen import BenchGrade, CopyScoresParams

USERS = 1000
ROOMS = 200
KEY = 500  # get-by-key
LIST_SIZE = 100
JOIN_SIZE = 20
BATCH = 100
COPY = 10_000

_GRADES = list(BenchGrade)


def score(i: int) -> CopyScoresParams:
    return CopyScoresParams(
        user_id=1 + i % USERS,
        song_id=f"song-{i % 50}",
        score=900_000 + i,
        accuracy=decimal.Decimal("98.25"),
        grade=_GRADES[i % len(_GRADES)],
    )


SCORES_COPY = [score(i) for i in range(COPY)]
SCORES_BATCH = SCORES_COPY[:BATCH]

# Unique emails for insert-one, shared by all contenders.
_emails = (f"new{i}@bench.example" for i in itertools.count())


def next_email() -> str:
    return next(_emails)


async def seed(conn: AsyncConnection[Any]) -> None:
    await conn.execute(
        "INSERT INTO users (email, display_name, password_hash, role) "
        "SELECT 'u' || i || '@bench.example', 'player ' || i, 'argon2-hash-' || i, "
        "(ARRAY['USER','MODERATOR','ADMIN'])[1 + i % 3]::user_role "
        f"FROM generate_series(1, {USERS}) i".encode()
    )
    await conn.execute(
        "INSERT INTO rooms (name, host_id, max_players, song_id, difficulty) "
        "SELECT 'room ' || i, i, 8, 'song-' || i % 50, "
        "(ARRAY['EASY','NORMAL','HARD','EXPERT'])[1 + i % 4]::difficulty "
        f"FROM generate_series(1, {ROOMS}) i".encode()
    )
    # Commits wait for the WAL flush of a shared disk otherwise, which would hide the clients'
    # own costs on every write case; new connections pick this up.
    await conn.execute(
        b"DO $$ BEGIN EXECUTE format("
        b"'ALTER DATABASE %I SET synchronous_commit = off', current_database()); END $$"
    )
    await conn.execute(b"VACUUM ANALYZE")
