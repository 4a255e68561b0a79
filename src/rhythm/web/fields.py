"""Field types every context's API shapes share: text rules, ids, instants, strict bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

# PostgreSQL text cannot hold NUL (psycopg refuses it), so stored text says so up front: a
# 400 naming the field instead of a 500 from the driver.
NO_NUL = r"^[^\x00]*$"
# Python's \s also matches \x1c-\x1f and \x85, JavaScript's (the document's) also \ufeff:
# naming all of them makes the server and every client agree on what a space is.
SPACE = r"\s\x1c-\x1f\x85\ufeff"
NON_BLANK = rf"^[^\x00]*[^{SPACE}\x00][^\x00]*$"  # some visible character, no NUL

Id = Annotated[int, msgspec.Meta(ge=1, examples=[42])]
Instant = Annotated[datetime, msgspec.Meta(description="RFC 3339, with offset")]


class Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Request bodies: an unknown field is a client bug worth a 400, not something to drop."""
