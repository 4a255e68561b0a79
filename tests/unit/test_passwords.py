"""PasswordHasher.verify: only a real hash of the password matches."""

from __future__ import annotations

import pytest

from rhythm.service.auth.passwords import TEST_PARAMS, PasswordHasher

HASHER = PasswordHasher(TEST_PARAMS)
# What the hasher verifies against when there is no hash; it must not match there either.
DUMMY_PASSWORD = "not-a-real-password"


@pytest.mark.parametrize("password_hash", [None, ""])
@pytest.mark.parametrize("password", [DUMMY_PASSWORD, "anything else", ""])
async def test_no_hash_matches_no_password(password_hash: str | None, password: str) -> None:
    assert await HASHER.verify(password_hash, password) is False


async def test_a_hash_matches_its_password_only() -> None:
    stored = await HASHER.hash("correct horse")
    assert await HASHER.verify(stored, "correct horse") is True
    assert await HASHER.verify(stored, DUMMY_PASSWORD) is False
