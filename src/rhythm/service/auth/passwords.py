"""Password hashing with argon2id (argon2-cffi), off the event loop."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from argon2 import PasswordHasher as Argon2Hasher
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError

from rhythm.service.errors import RuleViolationError

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256
# Somewhere a character that is neither a space (Python's and JavaScript's, as the API's text
# rules count them) nor NUL: eight spaces pass a length floor, not this. Unanchored: a search.
PASSWORD_NOT_BLANK = r"[^\s\x1c-\x1f\x85\ufeff\x00]"  # noqa: S105 - a pattern
_NOT_BLANK = re.compile(PASSWORD_NOT_BLANK)


@dataclass(frozen=True, slots=True)
class Argon2Params:
    """argon2id cost. The default is RFC 9106's second recommendation (64 MiB, t=3, p=4)."""

    time_cost: int = 3
    memory_cost_kib: int = 65536
    parallelism: int = 4


# Cheap parameters for tests only: the hashing code path is the same, the cost is not.
TEST_PARAMS = Argon2Params(time_cost=1, memory_cost_kib=1024, parallelism=1)


class PasswordHasher:
    """Hashes and verifies passwords; the CPU work runs in a thread so requests keep flowing."""

    def __init__(self, params: Argon2Params = Argon2Params()) -> None:
        self._argon = Argon2Hasher(
            time_cost=params.time_cost,
            memory_cost=params.memory_cost_kib,
            parallelism=params.parallelism,
            type=Type.ID,
        )
        # Verified against when the account does not exist, so that an unknown email costs
        # the same time as a wrong password and the answer does not reveal which it was.
        self._dummy_hash = self._argon.hash("not-a-real-password")

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._argon.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True when ``password`` matches; a missing hash costs the same and answers False."""
        return await asyncio.to_thread(self._verify, password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        return self._argon.check_needs_rehash(password_hash)

    def _verify(self, password_hash: str | None, password: str) -> bool:
        # No hash (none, or an empty one) matches nothing, yet costs a verification all the same.
        try:
            self._argon.verify(password_hash or self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        return bool(password_hash)


def check_password(password: str) -> None:
    """A new password's rule, said once (the web's schemas state the same bounds from here)."""
    # NIST SP 800-63B: a length floor and no composition rules; the ceiling bounds hashing work.
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise RuleViolationError(
            f"the password needs {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters"
        )
    if not _NOT_BLANK.search(password):
        raise RuleViolationError("the password needs a character other than spaces and NUL")
