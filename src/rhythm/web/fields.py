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
# Bidirectional controls reorder the text shown around them ("\u202eRTL" makes a name read
# backwards, or a file name end in another extension): never part of a name.
BIDI = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Characters that show nothing: controls, format characters (zero-width space and joiners,
# soft hyphen, the Mongolian vowel separator, every BIDI control), fillers, variation selectors.
INVISIBLE = (
    r"\x01-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    r"\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\uffa0\ufff0-\ufffb"
)
# C0 and C1 controls: a newline, a tab or an escape sequence in a name breaks the lines and
# terminals it is shown in (log viewers, admin tools), and shows nothing itself.
CONTROLS = r"\x00-\x1f\x7f-\x9f"
# The end of the text: Python's ``$`` also matches before a final newline ("Ada\n").
END = r"(?![\s\S])"
# A name: some visible character; no control and no bidi control anywhere.
NON_BLANK = rf"^[^{CONTROLS}{BIDI}]*[^{SPACE}{INVISIBLE}{CONTROLS}][^{CONTROLS}{BIDI}]*{END}"

Id = Annotated[int, msgspec.Meta(ge=1, examples=[42])]
Instant = Annotated[datetime, msgspec.Meta(description="RFC 3339, with offset")]


class Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Request bodies: an unknown field is a client bug worth a 400, not something to drop."""
