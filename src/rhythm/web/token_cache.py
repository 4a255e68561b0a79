"""Access tokens verified once, then remembered until they expire.

A client sends the same access token on every request for its 15-minute life; checking the
signature and claims again each time was the largest single cost of a one-query endpoint.
The cache key is the whole token string together with every verification parameter, so a hit
needs the very token that passed verification under the same rules; expiry and not-before are
checked again on every use.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from typing import Any, ClassVar, Self

from litestar.security.jwt import Token

MAX_REMEMBERED = 4096


class CachedToken(Token):
    """Litestar's ``Token`` with a bounded cache of successful decodes."""

    _verified: ClassVar[OrderedDict[Hashable, tuple[Token, float, float]]] = OrderedDict()

    @classmethod
    def decode(
        cls,
        encoded_token: str,
        secret: str,
        algorithm: str,
        audience: str | Sequence[str] | None = None,
        issuer: str | Sequence[str] | None = None,
        require_claims: Sequence[str] | None = None,
        verify_exp: bool = True,
        verify_nbf: bool = True,
        strict_audience: bool = False,
    ) -> Self:
        key = (
            encoded_token,
            secret,
            algorithm,
            _frozen(audience),
            _frozen(issuer),
            _frozen(require_claims),
            verify_exp,
            verify_nbf,
            strict_audience,
        )
        now = time.time()
        hit = cls._verified.get(key)
        if hit is not None:
            token, expires, not_before = hit
            if (not verify_exp or now < expires) and (not verify_nbf or now >= not_before):
                cls._verified.move_to_end(key)
                return token  # type: ignore[return-value]  # stored by this classmethod
            del cls._verified[key]
        token = super().decode(
            encoded_token,
            secret,
            algorithm,
            audience=audience,
            issuer=issuer,
            require_claims=require_claims,
            verify_exp=verify_exp,
            verify_nbf=verify_nbf,
            strict_audience=strict_audience,
        )
        not_before = float(token.extras.get("nbf", 0))
        cls._verified[key] = (token, token.exp.timestamp(), not_before)
        if len(cls._verified) > MAX_REMEMBERED:
            cls._verified.popitem(last=False)
        return token


def _frozen(value: str | Sequence[str] | None) -> Any:
    return value if value is None or isinstance(value, str) else tuple(value)
