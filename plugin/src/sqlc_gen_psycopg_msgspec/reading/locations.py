"""Where each query starts in its file, so that messages about a query name the line.

sqlc hands a plugin each query's base file name but no line; the plugin reads the query files
named in the settings (found as the schema files are, see paths.py) and finds each
`-- name: <Name>` line. A file it cannot read leaves the message without a line.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from sqlc_gen_psycopg_msgspec.reading.paths import base_dir
from sqlc_gen_psycopg_msgspec.reading.request import Query

_NAME_LINE = re.compile(r"^[ \t]*(?:--|/\*)[ \t]*name:[ \t]*(?P<name>\S+)", re.MULTILINE)


def _query_files(paths: list[str], base: Path) -> list[tuple[str, Path]]:
    """Each query file: its path as the user knows it (from sqlc.yaml's folder), and where
    it is read from."""
    files: list[tuple[str, Path]] = []
    for entry in paths:
        path = base / entry
        try:
            if path.is_dir():
                inside = sorted(file for file in path.iterdir() if file.suffix == ".sql")
                files.extend(((Path(entry) / file.name).as_posix(), file) for file in inside)
            elif path.is_file():
                files.append((Path(entry).as_posix(), path))
        except OSError:  # unreadable: the messages simply carry no line
            continue
    return files


class QueryLocations:
    """`query GetUser (sql/users/query.sql:12)` for each query sqlc sent."""

    def __init__(self, paths: list[str]) -> None:
        self._lines: dict[tuple[str, str], tuple[str, int]] = {}
        base = base_dir(paths)
        for shown, path in _query_files(paths, base) if base is not None else []:
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            for match in _NAME_LINE.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                key = (path.name, match["name"])
                self._lines.setdefault(key, (shown, line))

    def where(self, query: Query) -> str:
        found = self._lines.get((PurePosixPath(query.filename).name, query.name))
        if found is None:
            return f"query {query.name} ({query.filename})"
        return f"query {query.name} ({found[0]}:{found[1]})"
