"""Who a request may act as, now: the session is live, the account active, the role current.

Every authenticated request asks. The answers are remembered per process (one query per
session, not per request), and forgotten when PostgreSQL says a user's sessions or role
changed: a trigger NOTIFYs at commit, the app's listener connection hears it, and
``forget_user`` runs. An answer is trusted beyond ``untrusted_s`` only when it was read after
the listener started listening and the listener is still up: a notification missed while the
connection was down can then never keep a revoked right alive for longer than ``untrusted_s``.

UserRole changes: the request acts with the account's current role, not the token's claim, so a
demotion (or promotion) holds on the next request, with no need to log in again.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from rhythm.db import access as access_db
from rhythm.service.identity import Actor, UserRole
from rhythm.store.transaction import AsyncDB

ACCESS_CHANNEL = "rhythm_access"  # the channel the migration's triggers notify
_MAX_SESSIONS_PER_USER = 64


class ListenerHealth(Protocol):
    def listening_since(self) -> float | None:
        """Monotonic time since which every notification reaches us; None while down."""
        ...


@dataclass(frozen=True, slots=True)
class _Answer:
    role: UserRole | None  # None: refused (session ended, account disabled or gone)
    read_at: float


class SessionAccess:
    def __init__(
        self,
        db: AsyncDB,
        *,
        listener: ListenerHealth,
        untrusted_s: float = 1.0,
        trusted_s: float = 300.0,
        max_users: int = 10_000,
        queries: Callable[[AsyncDB], access_db.Querier] = access_db.Queries,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db = db
        self._listener = listener
        self._untrusted_s = untrusted_s
        self._trusted_s = trusted_s
        self._max_users = max_users
        self._queries = queries
        self._clock = clock
        self._answers: OrderedDict[int, dict[uuid.UUID, _Answer]] = OrderedDict()
        self._forgets = 0  # bumped by every forget: an answer read meanwhile is not kept

    async def current(self, actor: Actor) -> Actor | None:
        """``actor`` with their current role, or None when the request must be refused."""
        if actor.session_id is None:
            return None
        answer = self._remembered(actor.user_id, actor.session_id)
        if answer is None:
            answer = await self._read(actor.user_id, actor.session_id)
        if answer.role is None:
            return None
        return actor if answer.role is actor.role else replace(actor, role=answer.role)

    def forget_user(self, user_id: int) -> None:
        self._forgets += 1
        self._answers.pop(user_id, None)

    def forget_all(self) -> None:
        self._forgets += 1
        self._answers.clear()

    def _remembered(self, user_id: int, session_id: uuid.UUID) -> _Answer | None:
        answer = self._answers.get(user_id, {}).get(session_id)
        if answer is None:
            return None
        age = self._clock() - answer.read_at
        if age < self._untrusted_s:
            return answer
        since = self._listener.listening_since()
        if since is not None and since <= answer.read_at and age < self._trusted_s:
            return answer
        return None

    async def _read(self, user_id: int, session_id: uuid.UUID) -> _Answer:
        forgets, read_at = self._forgets, self._clock()
        row = await self._queries(self._db).get_session_access(
            session_id=session_id, user_id=user_id
        )
        allowed = row is not None and row.is_active and row.session_live
        answer = _Answer(UserRole(row.role.value) if allowed and row else None, read_at)
        if forgets == self._forgets:  # no change was announced while we read
            self._remember(user_id, session_id, answer)
        return answer

    def _remember(self, user_id: int, session_id: uuid.UUID, answer: _Answer) -> None:
        sessions = self._answers.setdefault(user_id, {})
        if len(sessions) >= _MAX_SESSIONS_PER_USER:
            sessions.clear()
        sessions[session_id] = answer
        self._answers.move_to_end(user_id)
        if len(self._answers) > self._max_users:
            self._answers.popitem(last=False)
