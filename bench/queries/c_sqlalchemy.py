"""SQLAlchemy 2 on its psycopg 3 async driver: Core with ``text()``, and the ORM.

core: what the official sqlc Python plugin emits — ``conn.execute(text(SQL), {params})`` and a
model built from ``row[i]`` (here our msgspec Structs, enums mapped through a dict).
orm: what most users write — declarative models, a session per unit of work (as per request),
``session.get``, ``select()`` with ``joinedload`` for the join, ``add``/``add_all`` + commit,
and an ORM bulk ``insert()`` where the others use COPY (the ORM has no COPY).
Both run in AUTOCOMMIT, like the psycopg contenders, so every case costs the same round trips.
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Numeric, column, insert, select, table, text
from sqlalchemy import Enum as SAEnum
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, joinedload, mapped_column, relationship

from bench.queries import data
from bench.queries.c_asyncpg import _join_row, _user
from bench.queries.contender import Contender
from bench.queries.gen import BenchGrade, CopyScoresParams, Difficulty, RoomStatus, RoomVisibility
from rhythm.db.users import User, UserRole

USER_COLS = (
    "id, email, display_name, password_hash, role, is_active, created_at, updated_at, deleted_at, "
    "email_verified_at"
)
GET = f"SELECT {USER_COLS} FROM users WHERE id = :p1"
LIST = (
    f"SELECT {USER_COLS} FROM users WHERE id > :p1 AND (CAST(:p2 AS user_role) IS NULL "
    "OR role = :p2) ORDER BY id LIMIT :p3"
)
INSERT = (
    "INSERT INTO users (email, display_name, password_hash, role) VALUES (:p1, :p2, :p3, :p4) "
    f"RETURNING {USER_COLS}"
)
JOIN = (
    "SELECT rooms.*, users.* FROM rooms JOIN users ON users.id = rooms.host_id "
    "WHERE rooms.id > :p1 ORDER BY rooms.id LIMIT :p2"
)
SCORE_COLS = ("user_id", "song_id", "score", "accuracy", "grade")
SCORES = table("bench_scores", *(column(c) for c in SCORE_COLS))  # Core, no ORM mapping
BATCH = (
    "INSERT INTO bench_scores (user_id, song_id, score, accuracy, grade) "
    "VALUES (:user_id, :song_id, :score, :accuracy, :grade)"
)


def engine_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def _pg_enum(enum: Any, name: str) -> SAEnum:
    return SAEnum(
        enum, name=name, create_type=False, values_callable=lambda e: [m.value for m in e]
    )


class Base(DeclarativeBase):
    pass


class UserORM(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    email: Mapped[str]
    display_name: Mapped[str]
    password_hash: Mapped[str]
    role: Mapped[UserRole] = mapped_column(_pg_enum(UserRole, "user_role"))
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[datetime.datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime.datetime] = mapped_column(server_default=text("now()"))


class RoomORM(Base):
    __tablename__ = "rooms"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str]
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[RoomStatus] = mapped_column(_pg_enum(RoomStatus, "room_status"))
    visibility: Mapped[RoomVisibility] = mapped_column(_pg_enum(RoomVisibility, "room_visibility"))
    invite_code: Mapped[str | None]
    max_players: Mapped[int]
    song_id: Mapped[str | None]
    difficulty: Mapped[Difficulty | None] = mapped_column(_pg_enum(Difficulty, "difficulty"))
    member_count: Mapped[int]
    event_seq: Mapped[int]
    created_at: Mapped[datetime.datetime]
    updated_at: Mapped[datetime.datetime]
    closed_at: Mapped[datetime.datetime | None]
    host: Mapped[UserORM] = relationship()


class ScoreORM(Base):
    __tablename__ = "bench_scores"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int]
    song_id: Mapped[str]
    score: Mapped[int]
    accuracy: Mapped[decimal.Decimal] = mapped_column(Numeric(5, 2))
    grade: Mapped[BenchGrade] = mapped_column(_pg_enum(BenchGrade, "bench_grade"))
    played_at: Mapped[datetime.datetime] = mapped_column(server_default=text("now()"))


def _score_dicts(scores: list[CopyScoresParams]) -> list[dict[str, Any]]:
    """Built on every call, from the same Structs as every contender starts from."""
    return [{c: getattr(s, c) for c in SCORE_COLS} for s in scores]


async def _connect(url: str) -> tuple[AsyncConnection, Any]:
    engine = create_async_engine(engine_url(url), isolation_level="AUTOCOMMIT", pool_size=1)
    return await engine.connect(), engine


async def open_core(url: str) -> Contender:
    conn, engine = await _connect(url)

    async def get() -> User | None:
        row = (await conn.execute(text(GET), {"p1": data.KEY})).first()
        return None if row is None else _user(row)

    async def list_() -> list[User]:
        result = await conn.execute(text(LIST), {"p1": 0, "p2": None, "p3": data.LIST_SIZE})
        return [_user(r) for r in result]

    async def join() -> list[Any]:
        result = await conn.execute(text(JOIN), {"p1": 0, "p2": data.JOIN_SIZE})
        return [_join_row(r) for r in result]

    async def insert_one() -> User | None:
        params = {"p1": data.next_email(), "p2": "new", "p3": "h", "p4": UserRole.USER}
        row = (await conn.execute(text(INSERT), params)).first()
        return None if row is None else _user(row)

    async def batch_() -> None:
        await conn.execute(text(BATCH), _score_dicts(data.SCORES_BATCH))

    async def copy() -> None:  # no COPY in SQLAlchemy: its fastest bulk path, insertmanyvalues
        await conn.execute(insert(SCORES), _score_dicts(data.SCORES_COPY))

    async def close() -> None:
        await conn.close()
        await engine.dispose()

    ops = {
        "get-by-key": get,
        "list-100": list_,
        "join-20": join,
        "insert-one": insert_one,
        "batch-100": batch_,
        "copy-10k": copy,
    }
    return Contender("SQLAlchemy Core text()", ops, close)


async def open_orm(url: str) -> Contender:
    conn, engine = await _connect(url)

    def session() -> AsyncSession:
        return AsyncSession(conn, expire_on_commit=False)

    async def get() -> UserORM | None:
        async with session() as s:
            return await s.get(UserORM, data.KEY)

    async def list_() -> list[UserORM]:
        stmt = select(UserORM).where(UserORM.id > 0).order_by(UserORM.id).limit(data.LIST_SIZE)
        async with session() as s:
            return list((await s.scalars(stmt)).all())

    async def join() -> list[RoomORM]:
        stmt = (
            select(RoomORM)
            .options(joinedload(RoomORM.host))
            .where(RoomORM.id > 0)
            .order_by(RoomORM.id)
            .limit(data.JOIN_SIZE)
        )
        async with session() as s:
            return list((await s.scalars(stmt)).all())

    async def insert_one() -> UserORM:
        user = UserORM(email=data.next_email(), display_name="new", password_hash="h")
        user.role = UserRole.USER
        async with session() as s:
            s.add(user)
            await s.commit()
        return user

    async def batch_() -> None:
        async with session() as s:
            s.add_all([ScoreORM(**row) for row in _score_dicts(data.SCORES_BATCH)])
            await s.commit()

    async def copy() -> None:  # the ORM's bulk INSERT (no RETURNING, no objects)
        async with session() as s:
            await s.execute(insert(ScoreORM), _score_dicts(data.SCORES_COPY))
            await s.commit()

    async def close() -> None:
        await conn.close()
        await engine.dispose()

    ops = {
        "get-by-key": get,
        "list-100": list_,
        "join-20": join,
        "insert-one": insert_one,
        "batch-100": batch_,
        "copy-10k": copy,
    }
    return Contender("SQLAlchemy ORM", ops, close)
