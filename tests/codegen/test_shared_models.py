"""Shared models (corpus case `shared`): one User and one UserRole for every query package.

Two sqlc entries, users and rooms, write one models package; rooms uses omit_unused_models,
so it re-exports only what its queries return or take.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from psycopg import AsyncConnection

from tests.codegen.golden.shared import models, rooms, users
from tests.codegen.sqlc_run import GOLDEN, generate, sqlc

SCHEMA = Path(__file__).parent / "corpus" / "shared" / "schema.sql"


def test_one_class_per_table_and_enum() -> None:
    assert users.User is models.User
    assert users.UserRole is models.UserRole is rooms.UserRole
    assert rooms.Room is models.Room
    assert users.models.User is models.User


def test_a_context_exposes_only_the_models_its_queries_use() -> None:
    assert not hasattr(rooms, "User")
    assert not hasattr(rooms.models, "User")
    assert "User" not in rooms.__all__
    assert "password_hash" not in (GOLDEN / "shared" / "rooms" / "rooms.py").read_text()
    assert hasattr(users, "User")  # users does not omit unused models


def test_every_entry_writes_the_same_shared_package() -> None:
    shared = GOLDEN / "shared" / "models" / "models.py"
    assert shared.read_text().count("class User(") == 1
    for context in ("users", "rooms"):
        text = (GOLDEN / "shared" / context / "models.py").read_text()
        assert "class " not in text
        assert "from tests.codegen.golden.shared.models.models import" in text


def test_sqlc_diff_accepts_two_entries_writing_one_package(tmp_path: Path) -> None:
    out = generate("shared", tmp_path)
    assert sqlc(["diff"], out.parent).returncode == 0
    (out / "models" / "models.py").write_text("# edited by hand\n")
    assert sqlc(["diff"], out.parent).returncode != 0


@pytest.fixture
async def conn(blank_database_url: str) -> AsyncConnection[object]:
    with psycopg.connect(blank_database_url, autocommit=True) as setup:
        setup.execute(SCHEMA.read_bytes())
    return await AsyncConnection.connect(blank_database_url, autocommit=True)


async def test_the_packages_work_together(conn: AsyncConnection[object]) -> None:
    async with conn:
        u, r = users.Queries(conn), rooms.Queries(conn)
        host = await u.create_user(email="h@x.org", password_hash="h", role=models.UserRole.ADMIN)
        assert isinstance(host, models.User)
        room = await r.create_room(
            name="lobby", host_id=host.id, visibility=models.RoomVisibility.PUBLIC
        )
        assert isinstance(room, models.Room)
        await r.join_room(room_id=room.id, user_id=host.id)
        assert await r.list_rooms(visibility=models.RoomVisibility.PUBLIC) == [room]
        [member] = await r.list_members(room_id=room.id)
        assert (member.id, member.role) == (host.id, models.UserRole.ADMIN)
        assert type(member.role) is models.UserRole
        assert await u.list_users_by_role(role=models.UserRole.ADMIN) == [host]
