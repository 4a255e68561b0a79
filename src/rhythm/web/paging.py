"""Keyset paging on the wire: the ``cursor`` query parameter and the ``next`` of a page."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar.exceptions import ValidationException

# Stated in the document, so a client (and the fuzzer) knows which strings are cursors at all.
CURSOR = r"^[0-9]{1,19}$"

Cursor = Annotated[
    str | None,
    msgspec.Meta(description="Pass as `cursor` for the next page; null on the last page"),
]


def parse_cursor(cursor: str | None) -> int:
    """Cursors are opaque to clients; today they are the last id seen, as decimal text."""
    if cursor is None:
        return 0
    if not cursor.isdecimal() or len(cursor) > 19:
        raise ValidationException("cursor: not a cursor this API returned")
    return int(cursor)


def next_cursor(next_after: int | None) -> str | None:
    """The ``next`` a page answers with: the cursor that continues after it."""
    return None if next_after is None else str(next_after)
