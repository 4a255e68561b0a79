"""Python names from database names: case conversion, singular forms, escaping.

Every database name that becomes Python code passes through here, so hostile names
(keywords, non-ASCII, leading digits, names that clash) are handled in one place.
"""

from __future__ import annotations

import keyword
import re
import unicodedata

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_IDENT = re.compile(r"[^A-Za-z0-9_]+")
_UNDERSCORES = re.compile(r"_+")

# Names a parameter or field must not take: the generated bodies and annotations use them.
RESERVED = frozenset(
    {
        "self",
        "isinstance",
        "msgspec",
        "psycopg",
        "psycopg_pool",
        "typing",
        "enum",
        "datetime",
        "decimal",
        "uuid",
        "ipaddress",
        "collections",
        "abc",
        "builtins",
        "Any",
        # Builtins that annotations use: a field of that name would shadow them in its class.
        "int",
        "str",
        "bool",
        "float",
        "bytes",
        "list",
        "dict",
    }
)


# Letters NFKD does not decompose into ASCII.
_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "œ": "oe",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "þ": "th",
        "Þ": "TH",
        "ð": "d",
        "Ð": "D",
    }
)


def ascii_words(name: str) -> str:
    """Transliterate to ASCII, turning anything that is not a letter or digit into '_'."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_LETTERS))
    kept = "".join(
        char if char.isascii() else ("_" if not unicodedata.combining(char) else "")
        for char in decomposed
    )
    return _UNDERSCORES.sub("_", _NOT_IDENT.sub("_", kept)).strip("_")


def snake(name: str) -> str:
    """'GetUserByID' -> 'get_user_by_id'; 'display name' -> 'display_name'."""
    words = ascii_words(_WORD_BOUNDARY.sub("_", name))
    return words.lower()


def pascal(name: str) -> str:
    """'user_role' -> 'UserRole'; 'GetUser' stays 'GetUser'."""
    words = ascii_words(_WORD_BOUNDARY.sub("_", name)).split("_")
    return "".join(word[:1].upper() + word[1:] for word in words if word)


def upper_snake(name: str) -> str:
    return snake(name).upper()


def singular(name: str) -> str:
    """A modest English singular of the last word: 'users' -> 'user', 'categories' -> 'category'."""
    head, sep, last = name.rpartition("_")
    lower = last.lower()
    if lower.endswith("ies") and len(lower) > 3:
        last = last[:-3] + ("Y" if last[-3:].isupper() else "y")
    elif lower.endswith(("sses", "shes", "ches", "xes", "zes", "uses")):
        last = last[:-2]
    elif lower.endswith(("ss", "us", "is")) or not lower.endswith("s") or len(lower) < 3:
        pass
    else:
        last = last[:-1]
    return head + sep + last


def fix_identifier(candidate: str, fallback: str, reserved: frozenset[str] = RESERVED) -> str:
    """Make `candidate` a usable identifier: never empty, never a keyword or reserved name."""
    name = candidate or fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    if keyword.iskeyword(name) or name in reserved:
        name += "_"
    return name


def field_name(db_name: str, rename: dict[str, str]) -> str:
    """A struct field or parameter name for a column."""
    if db_name in rename:
        return rename[db_name]
    return fix_identifier(snake(db_name), "col")


# Parameters also avoid the local names the generated method bodies use, and the module-level
# helpers they call (a keyword argument would shadow them); test_locals.py audits the output.
PARAM_RESERVED = RESERVED | {
    "db",
    "conn",
    "cur",
    "row",
    "rows",
    "copy",
    "params",
    "result",
    "results",
    "value",
    "args",
    "batch",
    "batches",
    "p",
    "stream",
    "tuple_row",
    "load_enum_array",
    "typed_array",
    "json_array",
    "jsonb_array",
}


def param_name(db_name: str, rename: dict[str, str]) -> str:
    """A keyword argument or Params field name for a query parameter."""
    if db_name in rename:
        return rename[db_name]
    return fix_identifier(snake(db_name), "param", PARAM_RESERVED)


def class_name(db_name: str, rename: dict[str, str], fallback: str = "Model") -> str:
    if db_name in rename:
        return rename[db_name]
    return fix_identifier(pascal(db_name), fallback)


def member_name(label: str) -> str:
    """An enum member for a label: 'sad face' -> 'SAD_FACE', '' -> 'EMPTY', '1st' -> 'V_1ST'."""
    return fix_identifier(upper_snake(label), "V") if label else "EMPTY"


def dedupe(names: list[str]) -> list[str]:
    """Suffix repeated names with _2, _3 ... in order, so every name is unique."""
    seen: set[str] = set()
    result: list[str] = []
    for name in names:
        unique, count = name, 1
        while unique in seen:
            count += 1
            unique = f"{name}_{count}"
        seen.add(unique)
        result.append(unique)
    return result
