"""The plugin under hostile input: odd bytes, unknown fields, and identifiers that are Python
keywords, non-ASCII, clashing or shadowing. Either one clear error, or code that compiles,
imports and keeps every SQL name and text exactly. (test_errors.py has the basic bad requests.)
"""

from __future__ import annotations

import base64
import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.codegen.sqlc_run import PLUGIN

INT4 = {"name": "int4"}
TEXT = {"name": "text"}


def _plugin(stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(PLUGIN)], input=stdin, capture_output=True, check=False, timeout=60)


def _request(queries: list[dict[str, Any]], enums: list[dict[str, Any]] | None = None) -> bytes:
    schema = {"name": "public", "tables": [], "enums": enums or []}
    request = {
        "settings": {"engine": "postgresql", "schema": [], "queries": []},
        "catalog": {"default_schema": "public", "schemas": [schema]},
        "queries": queries,
        "sqlc_version": "v1.31.1",
        "plugin_options": base64.b64encode(json.dumps({}).encode()).decode(),
    }
    return json.dumps(request).encode()


def _col(name: str, type_: dict[str, Any] = INT4, **extra: Any) -> dict[str, Any]:
    return {"name": name, "not_null": True, "type": type_, **extra}


def _query(
    name: str,
    cmd: str,
    columns: list[dict[str, Any]],
    text: str = "SELECT 1",
    params: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "text": text,
        "name": name,
        "cmd": cmd,
        "filename": "q.sql",
        "columns": columns,
        "params": params or [],
    }


def _param(number: int, name: str, type_: dict[str, Any] = INT4) -> dict[str, Any]:
    return {"number": number, "column": _col(name, type_)}


@pytest.fixture
def package(tmp_path: Path) -> Iterator[Any]:
    """Generate into a fresh package and import its query module: proof the code is sound."""
    made: list[str] = []

    def load(stdin: bytes, name: str = "hostile") -> Any:
        result = _plugin(stdin)
        assert result.returncode == 0, result.stderr.decode()
        assert b"Traceback" not in result.stderr
        target = tmp_path / name
        target.mkdir()
        for file in json.loads(result.stdout)["files"]:
            path = target / file["name"]
            source = base64.b64decode(file["contents"])
            compile(source, str(path), "exec")  # a SyntaxError here is a plugin bug
            path.write_bytes(source)
        made.append(name)
        return importlib.import_module(f"{name}.q")

    sys.path.insert(0, str(tmp_path))
    try:
        yield load
    finally:
        sys.path.remove(str(tmp_path))
        for name in made:
            for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
                del sys.modules[module]


@pytest.mark.parametrize(
    "stdin",
    [
        b"\xff\xfe\x00garbage",
        b'{"settings": {"engine": "postgresql"}, "catalog": {}, "queries": [' * 2000,
        b'{"settings": 5, "catalog": {}, "queries": []}',
        b'{"settings": {}, "catalog": {}, "queries": [{"text": 1}]}',
        json.dumps({"settings": {}, "catalog": {}, "queries": [{"name": "X"}]}).encode(),
    ],
    ids=["not-utf8", "deeply-nested", "settings-not-object", "text-not-string", "no-text"],
)
def test_broken_requests_are_one_clear_error(stdin: bytes) -> None:
    result = _plugin(stdin)
    stderr = result.stderr.decode()
    assert result.returncode == 1, stderr
    assert "Traceback" not in stderr
    assert stderr.startswith("sqlc-gen-python: error: "), stderr
    assert stderr.count("\n") <= 3, stderr


def test_unknown_request_fields_from_newer_sqlc_are_ignored(package: Any) -> None:
    request = json.loads(_request([_query("GetOne", ":one", [_col("x")])]))
    request["future_field"] = {"nested": [1, 2]}
    request["queries"][0]["new_query_flag"] = True
    module = package(json.dumps(request).encode())
    assert hasattr(module.QQueries, "get_one")


KEYWORD_COLUMNS = [
    "class",
    "from",
    "def",
    "None",
    "True",
    "self",
    "async",
    "await",
    "match",
    "type",
    "id",
    "cur",
    "conn",
    "db",
    "params",
    "row",
    "query",
]


def test_keyword_and_shadowing_column_names_are_escaped(package: Any) -> None:
    columns = [_col(name) for name in KEYWORD_COLUMNS]
    params = [_param(1, "class"), _param(2, "self"), _param(3, "from")]
    text = 'SELECT 1 AS "class" WHERE $1 = $2 AND $2 = $3'
    module = package(_request([_query("Import", ":one", columns, text, params)]))
    row = next(getattr(module, n) for n in dir(module) if n.endswith("Row"))
    fields = row.__struct_fields__
    assert len(fields) == len(KEYWORD_COLUMNS)
    assert all(
        f.isidentifier() and f not in {"class", "from", "def", "None", "True", "async", "await"}
        for f in fields
    )


def test_non_ascii_and_clashing_names_become_distinct_ascii_fields(package: Any) -> None:
    columns = [
        _col("größe"),
        _col("名前", TEXT),
        _col("🎵"),
        _col("1st"),
        _col("Name"),
        _col("name"),
        _col("_"),
    ]
    module = package(_request([_query("GetÜber", ":one", columns)]), name="unicode_ok")
    row = next(getattr(module, n) for n in dir(module) if n.endswith("Row"))
    fields = row.__struct_fields__
    assert len(set(fields)) == len(columns), fields
    assert all(f.isidentifier() and f.isascii() for f in fields), fields


def test_duplicate_column_names_get_distinct_fields(package: Any) -> None:
    columns = [_col("id"), _col("id"), _col("ID")]
    module = package(_request([_query("Dupes", ":one", columns)]))
    row = next(getattr(module, n) for n in dir(module) if n.endswith("Row"))
    assert len(set(row.__struct_fields__)) == 3


def test_query_text_is_kept_byte_for_byte(package: Any) -> None:
    text = (
        "SELECT $1::text AS \"weird\"\"name\", '''triple''' AS a, '\"\"\"' AS b, "
        "E'\\\\n\\\\t{}{0}%s%(x)s' AS c, 'ünï 🎵' AS d -- trailing \\"
    )
    columns = [
        _col('weird"name', TEXT),
        _col("a", TEXT),
        _col("b", TEXT),
        _col("c", TEXT),
        _col("d", TEXT),
    ]
    module = package(_request([_query("Weird", ":one", columns, text, [_param(1, "x", TEXT)])]))
    # Query texts are module constants, as bytes (psycopg sends them as they are).
    constants = [v for k, v in vars(module).items() if k.isupper() and isinstance(v, bytes)]
    assert text.encode() in constants, constants


def test_hostile_enum_values_are_distinct_members(package: Any) -> None:
    enum = {"name": "mood", "vals": ["class", "a b", "1", "", "A-B", "a_b", "ünï", "None"]}
    column = _col("m", {"name": "mood"})
    package(_request([_query("GetMood", ":one", [column])], enums=[enum]))
    models = importlib.import_module("hostile.models")
    mood = next(v for k, v in vars(models).items() if k.lower() == "mood")
    assert sorted(member.value for member in mood) == sorted(enum["vals"])
