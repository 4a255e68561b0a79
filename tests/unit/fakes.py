"""In-memory Queriers for service unit tests; mypy checks they satisfy the generated Protocols.

They keep rows in dictionaries and behave like the SQL they stand for, including the unique
index on lower(email). ``FakeConnection`` stands for the database handle a service receives: it
counts the transactions the service opens.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from rhythm.db import accounts as accounts_db
from rhythm.db import audit as audit_db
from rhythm.db import auth as auth_db
from rhythm.db import rooms as rooms_db
from rhythm.db import users as users_db
from rhythm.store.errors import UniqueViolationError


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class FakeConnection:
    """Stands in for a pool or connection; ``transaction(db)`` calls ``db.transaction()``."""

    begun: int = 0
    committed: int = 0
    rolled_back: int = 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[FakeConnection]:
        self.begun += 1
        try:
            yield self
        except BaseException:
            self.rolled_back += 1
            raise
        self.committed += 1


@dataclass
class FakeUsers:
    rows: dict[int, users_db.User] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def get_user_by_id(self, *, id: int) -> users_db.User | None:
        user = self.rows.get(id)
        return None if user is None or user.deleted_at is not None else user

    async def get_user_by_email(self, *, email: str) -> users_db.User | None:
        return next((u for u in self.rows.values() if u.email.lower() == email.lower()), None)

    async def create_user(
        self, *, email: str, display_name: str, password_hash: str, role: users_db.UserRole
    ) -> users_db.User | None:
        if await self.get_user_by_email(email=email) is not None:
            raise UniqueViolationError("duplicate email", constraint="users_email_lower_key")
        now = _now()
        user = users_db.User(
            next(self._ids), email, display_name, password_hash, role, True, now, now, None
        )
        self.rows[user.id] = user
        return user

    async def list_users(
        self, *, after_id: int, role: users_db.UserRole | None, page_size: int
    ) -> list[users_db.User]:
        rows = sorted(self.rows.values(), key=lambda u: u.id)
        found = [u for u in rows if u.id > after_id and role in (None, u.role)]
        return [u for u in found if u.deleted_at is None][:page_size]

    async def update_display_name(self, *, display_name: str, id: int) -> users_db.User | None:
        return self._update(id, display_name=display_name)

    async def update_password_hash(self, *, password_hash: str, id: int) -> int:
        return 0 if self._update(id, password_hash=password_hash) is None else 1

    async def update_role(self, *, role: users_db.UserRole, id: int) -> users_db.User | None:
        return self._update(id, role=role)

    async def set_active(self, *, is_active: bool, id: int) -> users_db.User | None:
        return self._update(id, is_active=is_active)

    async def lock_active_admins(self) -> list[int]:
        rows = sorted(self.rows.values(), key=lambda u: u.id)
        return [
            u.id
            for u in rows
            if u.role == users_db.UserRole.ADMIN and u.is_active and u.deleted_at is None
        ]

    async def erase_user(self, *, id: int) -> users_db.User | None:
        return self._update(
            id,
            email=f"deleted:{id}",
            display_name="Deleted user",
            password_hash="",
            role=users_db.UserRole.USER,
            is_active=False,
            deleted_at=_now(),
        )

    def _update(self, user_id: int, **changes: object) -> users_db.User | None:
        user = self.rows.get(user_id)
        if user is None or user.deleted_at is not None:
            return None
        updated = msgspec.structs.replace(user, updated_at=_now(), **changes)
        self.rows[user_id] = updated
        return updated


@dataclass
class FakeTokens:
    rows: dict[int, auth_db.RefreshToken] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def insert_refresh_token(
        self, params: auth_db.InsertRefreshTokenParams
    ) -> auth_db.RefreshToken | None:
        if any(t.token_hash == params.token_hash for t in self.rows.values()):
            raise UniqueViolationError(
                "duplicate token", constraint="refresh_tokens_token_hash_key"
            )
        row = auth_db.RefreshToken(
            id=next(self._ids),
            user_id=params.user_id,
            token_hash=params.token_hash,
            family_id=params.family_id,
            issued_at=_now(),
            expires_at=params.expires_at,
            rotated_at=None,
            revoked_at=None,
            replaced_by_id=None,
            user_agent=params.user_agent,
            ip_address=params.ip_address,
        )
        self.rows[row.id] = row
        return row

    async def get_refresh_token_by_hash_for_update(
        self, *, token_hash: bytes
    ) -> auth_db.RefreshToken | None:
        return next((t for t in self.rows.values() if t.token_hash == token_hash), None)

    async def rotate_refresh_token(self, *, replaced_by_id: int | None, id: int) -> int:
        row = self.rows.get(id)
        if row is None or row.rotated_at is not None or row.revoked_at is not None:
            return 0
        self.rows[id] = msgspec.structs.replace(
            row, rotated_at=_now(), replaced_by_id=replaced_by_id
        )
        return 1

    async def revoke_refresh_token_family(self, *, family_id: uuid.UUID) -> int:
        return self._revoke(lambda t: t.family_id == family_id)

    async def revoke_user_refresh_tokens(self, *, user_id: int) -> int:
        return self._revoke(lambda t: t.user_id == user_id)

    async def revoke_other_refresh_tokens(self, *, user_id: int, keep_family_id: uuid.UUID) -> int:
        return self._revoke(lambda t: t.user_id == user_id and t.family_id != keep_family_id)

    async def list_user_sessions(self, *, user_id: int) -> list[auth_db.ListUserSessionsRow]:
        heads = [t for t in self.live(user_id) if t.rotated_at is None and t.expires_at > _now()]
        heads.sort(key=lambda t: (t.issued_at, t.id), reverse=True)
        return [
            auth_db.ListUserSessionsRow(
                family_id=t.family_id,
                created_at=min(
                    f.issued_at for f in self.rows.values() if f.family_id == t.family_id
                ),
                last_used_at=t.issued_at,
                user_agent=t.user_agent,
                ip_address=t.ip_address,
                expires_at=t.expires_at,
            )
            for t in heads
        ]

    async def revoke_user_session(self, *, user_id: int, family_id: uuid.UUID) -> int:
        return self._revoke(lambda t: t.user_id == user_id and t.family_id == family_id)

    async def delete_user_refresh_tokens(self, *, user_id: int) -> int:
        gone = [key for key, t in self.rows.items() if t.user_id == user_id]
        for key in gone:
            del self.rows[key]
        return len(gone)

    def live(self, user_id: int) -> list[auth_db.RefreshToken]:
        return [t for t in self.rows.values() if t.user_id == user_id and t.revoked_at is None]

    def _revoke(self, match: Callable[[auth_db.RefreshToken], bool]) -> int:
        hits = [t for t in self.rows.values() if t.revoked_at is None and match(t)]
        for token in hits:
            self.rows[token.id] = msgspec.structs.replace(token, revoked_at=_now())
        return len(hits)


def _prove_protocols(users: FakeUsers, tokens: FakeTokens) -> None:
    # Type-checked, never run: mypy fails here if a fake drifts from its Querier Protocol.
    _u: users_db.Querier = users
    _t: auth_db.Querier = tokens


@dataclass
class FakeRooms:
    """Rooms and members in memory; ``notifications`` keeps what NOTIFY would have sent."""

    users: FakeUsers
    rows: dict[int, rooms_db.Room] = field(default_factory=dict)
    members: dict[tuple[int, int], rooms_db.ListMembersRow] = field(default_factory=dict)
    notifications: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _clock: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def create_room(self, params: rooms_db.CreateRoomParams) -> rooms_db.Room | None:
        now = _now()
        room = rooms_db.Room(
            id=next(self._ids),
            name=params.name,
            host_id=params.host_id,
            status=rooms_db.RoomStatus.OPEN,
            visibility=params.visibility,
            invite_code=params.invite_code,
            max_players=params.max_players,
            song_id=params.song_id,
            difficulty=params.difficulty,
            member_count=0,
            event_seq=0,
            created_at=now,
            updated_at=now,
            closed_at=None,
        )
        self.rows[room.id] = room
        return room

    async def get_room(self, *, id: int) -> rooms_db.Room | None:
        return self.rows.get(id)

    async def lock_room(self, *, id: int) -> rooms_db.Room | None:
        return self.rows.get(id)

    async def list_lobby(
        self, *, after_id: int, song_id: str | None, free_seats_only: bool, page_size: int
    ) -> list[rooms_db.Room]:
        found = [
            r
            for r in sorted(self.rows.values(), key=lambda r: r.id)
            if r.status is rooms_db.RoomStatus.OPEN
            and r.visibility is rooms_db.RoomVisibility.PUBLIC
            and r.id > after_id
            and song_id in (None, r.song_id)
            and (not free_seats_only or r.member_count < r.max_players)
        ]
        return found[:page_size]

    async def list_members(self, *, room_id: int) -> list[rooms_db.ListMembersRow]:
        rows = [m for (rid, _), m in self.members.items() if rid == room_id]
        return sorted(rows, key=lambda m: (m.joined_at, m.user_id))

    async def add_member(self, *, room_id: int, user_id: int) -> None:
        if any(uid == user_id for _, uid in self.members):
            raise UniqueViolationError("one room", constraint="room_members_one_room_per_user")
        user = self.users.rows[user_id]
        # A strictly increasing fake clock: arrival order is unambiguous.
        joined = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=next(self._clock))
        self.members[(room_id, user_id)] = rooms_db.ListMembersRow(
            user_id=user_id, display_name=user.display_name, is_ready=False, joined_at=joined
        )

    async def get_member_room(self, *, user_id: int) -> int | None:
        return next((rid for rid, uid in self.members if uid == user_id), None)

    async def remove_member(self, *, room_id: int, user_id: int) -> int:
        return 0 if self.members.pop((room_id, user_id), None) is None else 1

    async def remove_all_members(self, *, room_id: int) -> int:
        keys = [key for key in self.members if key[0] == room_id]
        for key in keys:
            del self.members[key]
        return len(keys)

    async def set_ready(self, *, is_ready: bool, room_id: int, user_id: int) -> int:
        member = self.members.get((room_id, user_id))
        if member is None:
            return 0
        self.members[(room_id, user_id)] = msgspec.structs.replace(member, is_ready=is_ready)
        return 1

    async def clear_ready(self, *, room_id: int) -> int:
        keys = [key for key in self.members if key[0] == room_id]
        for key in keys:
            self.members[key] = msgspec.structs.replace(self.members[key], is_ready=False)
        return len(keys)

    async def set_member_count(self, *, member_count: int, id: int) -> None:
        room = self.rows[id]
        assert 0 <= member_count <= room.max_players, "the CHECK constraint would refuse this"
        self.rows[id] = msgspec.structs.replace(room, member_count=member_count)

    async def set_host(self, *, host_id: int, id: int) -> None:
        self.rows[id] = msgspec.structs.replace(self.rows[id], host_id=host_id)

    async def update_room_settings(
        self, params: rooms_db.UpdateRoomSettingsParams
    ) -> rooms_db.Room | None:
        room = self.rows.get(params.id)
        if room is None:
            return None
        self.rows[room.id] = msgspec.structs.replace(
            room,
            name=params.name,
            song_id=params.song_id,
            difficulty=params.difficulty,
            max_players=params.max_players,
            visibility=params.visibility,
            invite_code=params.invite_code,
        )
        return self.rows[room.id]

    async def set_room_status(self, *, status: rooms_db.RoomStatus, id: int) -> None:
        closed = _now() if status is rooms_db.RoomStatus.CLOSED else None
        self.rows[id] = msgspec.structs.replace(self.rows[id], status=status, closed_at=closed)

    async def next_event_seq(self, *, id: int) -> int | None:
        room = self.rows.get(id)
        if room is None:
            return None
        self.rows[id] = msgspec.structs.replace(room, event_seq=room.event_seq + 1)
        return room.event_seq + 1

    async def notify_room(self, *, channel: str, payload: str) -> None:
        self.notifications.append((channel, msgspec.json.decode(payload)))

    def events(self, room_id: int) -> list[tuple[str, int]]:
        """(type, seq) of what was published for ``room_id``, in order."""
        return [
            (event["type"], event["seq"])
            for channel, event in self.notifications
            if channel == f"room_{room_id}"
        ]


def _prove_rooms_protocol(rooms: FakeRooms) -> None:
    _r: rooms_db.Querier = rooms


@dataclass
class FakeAudit:
    """The audit trail in memory, newest last."""

    rows: dict[int, audit_db.AuditEvent] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def insert_audit_event(self, params: audit_db.InsertAuditEventParams) -> None:
        row = audit_db.AuditEvent(
            id=next(self._ids),
            occurred_at=_now(),
            event_type=params.event_type,
            actor_id=params.actor_id,
            target_id=params.target_id,
            session_id=params.session_id,
            request_id=params.request_id,
            ip_address=params.ip_address,
            details=params.details,
        )
        self.rows[row.id] = row

    async def list_audit_events(
        self, *, before_id: int, event_type: str | None, user_id: int | None, page_size: int
    ) -> list[audit_db.AuditEvent]:
        found = [
            e
            for e in sorted(self.rows.values(), key=lambda e: -e.id)
            if e.id < before_id
            and event_type in (None, e.event_type)
            and (user_id is None or user_id in (e.actor_id, e.target_id))
        ]
        return found[:page_size]

    def types(self) -> list[str]:
        """The event types recorded, oldest first."""
        return [e.event_type for e in sorted(self.rows.values(), key=lambda e: e.id)]


def _prove_audit_protocol(audit: FakeAudit) -> None:
    _a: audit_db.Querier = audit


@dataclass
class FakeResets:
    """Password-reset links by token hash; ``now`` is the database's clock."""

    rows: dict[bytes, tuple[int, datetime, datetime | None]] = field(default_factory=dict)
    now: Callable[[], datetime] = _now

    async def insert_password_reset(
        self, *, user_id: int, token_hash: bytes, expires_at: datetime
    ) -> None:
        self.rows[token_hash] = (user_id, expires_at, None)

    async def consume_password_reset(self, *, token_hash: bytes) -> int | None:
        row = self.rows.get(token_hash)
        if row is None or row[2] is not None or row[1] <= self.now():
            return None
        self.rows[token_hash] = (row[0], row[1], self.now())
        return row[0]

    async def expire_password_resets(self, *, user_id: int) -> int:
        open_ = [k for k, (uid, _, used) in self.rows.items() if uid == user_id and used is None]
        for key in open_:
            uid, expires, _ = self.rows[key]
            self.rows[key] = (uid, expires, self.now())
        return len(open_)


def _prove_resets_protocol(resets: FakeResets) -> None:
    _r: accounts_db.Querier = resets
