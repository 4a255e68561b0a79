"""Bad plugin input and bad options: one clear message, a non-zero exit, never a traceback."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.codegen.sqlc_run import PLUGIN, prepare, sqlc


def _plugin(stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(PLUGIN)], input=stdin, capture_output=True, check=False, timeout=60)


def _request(options: dict[str, Any] | None = None, **changes: Any) -> bytes:
    request: dict[str, Any] = {
        "settings": {"engine": "postgresql", "schema": [], "queries": []},
        "catalog": {"default_schema": "public", "schemas": []},
        "queries": [],
        "sqlc_version": "v1.31.1",
        "plugin_options": base64.b64encode(json.dumps(options or {}).encode()).decode(),
    }
    request.update(changes)
    return json.dumps(request).encode()


def _query(name: str, cmd: str, text: str = "SELECT 1", filename: str = "q.sql") -> dict[str, Any]:
    column = {"name": "x", "not_null": True, "type": {"name": "int4"}}
    return {"text": text, "name": name, "cmd": cmd, "filename": filename, "columns": [column]}


def _assert_clean_error(result: subprocess.CompletedProcess[bytes], *needles: str) -> None:
    stderr = result.stderr.decode()
    assert result.returncode == 1, stderr
    assert "Traceback" not in stderr
    assert stderr.startswith("sqlc-gen-python: error: ")
    for needle in needles:
        assert needle in stderr, stderr


@pytest.mark.parametrize(
    ("stdin", "needle"),
    [
        (b"", "no request on stdin"),
        (b'{"settings": {', "not valid JSON"),
        (b"\x0a\x05hello", "format: json"),
        (b"[1, 2]", "GenerateRequest"),
        (b'{"settings": {}, "catalog": {}, "queries": "nope"}', "GenerateRequest"),
    ],
)
def test_malformed_or_truncated_request(stdin: bytes, needle: str) -> None:
    _assert_clean_error(_plugin(stdin), needle)


def test_valid_empty_request_succeeds() -> None:
    result = _plugin(_request())
    assert result.returncode == 0, result.stderr
    names = {f["name"] for f in json.loads(result.stdout)["files"]}
    assert names == {"__init__.py", "_runtime.py", "models.py", "querier.py"}


@pytest.mark.parametrize(
    ("options", "needles"),
    [
        ({"emit_asyn": True}, ["unknown option 'emit_asyn'", "did you mean 'emit_async'"]),
        ({"emit_async": "yes"}, ["option emit_async", "bool"]),
        ({"emit_async": False, "emit_sync": False}, ["nothing to emit"]),
        ({"query_parameter_limit": -5}, ["query_parameter_limit"]),
        ({"overrides": [{"py_type": "x.Y"}]}, ["overrides[0]", "db_type", "column"]),
        ({"overrides": [{"db_type": "uuid", "py_typ": "x"}]}, ["unknown key 'py_typ'"]),
        ({"overrides": [{"column": "a", "py_type": "x.Y"}]}, ["'table.column'"]),
        ({"overrides": [{"db_type": "uuid", "py_type": "list[int]"}]}, ["py_import"]),
        ({"rename": {"users": "not valid"}}, ["option rename", "not a Python identifier"]),
        ({"models_package": "app.models"}, ["needs option package_dir", "out/<package_dir>"]),
        ({"models_package": "app models", "package_dir": "x"}, ["dotted module path"]),
        ({"models_package": "a.m", "package_dir": "../x"}, ["package_dir", "relative folder"]),
        ({"package_dir": "users"}, ["need option models_package"]),
    ],
)
def test_bad_options(options: dict[str, Any], needles: list[str]) -> None:
    _assert_clean_error(_plugin(_request(options)), *needles)


def test_other_engine_is_refused() -> None:
    request = _request(settings={"engine": "mysql", "schema": [], "queries": []})
    _assert_clean_error(_plugin(request), "engine 'mysql'")


def test_method_name_collision_names_both_queries() -> None:
    queries = [_query("GetUser", ":one", filename="a.sql"), _query("Get_User", ":one", "b.sql")]
    _assert_clean_error(_plugin(_request(queries=queries)), "GetUser", "Get_User", "a.sql")


def test_reserved_module_name_is_refused() -> None:
    queries = [_query("GetUser", ":one", filename="models.sql")]
    _assert_clean_error(_plugin(_request(queries=queries)), "models.sql", "rename the file")


def test_row_annotation_without_columns_is_refused() -> None:
    query = _query("Touch", ":one", "UPDATE t SET x = 1")
    query["columns"] = []
    _assert_clean_error(_plugin(_request(queries=[query])), "query Touch (q.sql)", "RETURNING")


def test_copyfrom_needs_plain_insert() -> None:
    query = _query("CopyIt", ":copyfrom", "INSERT INTO t (a) SELECT $1")
    query["columns"] = []
    query["params"] = [{"number": 1, "column": {"name": "a", "type": {"name": "int4"}}}]
    _assert_clean_error(_plugin(_request(queries=[query])), "CopyIt", ":copyfrom")


def test_unknown_annotation_names_the_query_its_file_and_the_known_ones() -> None:
    query = _query("GetUser", ":onne", filename="users.sql")
    _assert_clean_error(
        _plugin(_request(queries=[query])),
        "query GetUser (users.sql)",
        "annotation :onne is not supported",
        ":one, :many, :exec,",
    )


def test_copyfrom_of_one_column_names_its_binary_type_in_a_one_element_tuple() -> None:
    query = _query("CopyIds", ":copyfrom", "INSERT INTO t (a) VALUES ($1)")
    query["columns"] = []
    query["params"] = [
        {"number": 1, "column": {"name": "a", "not_null": True, "type": {"name": "int4"}}}
    ]
    result = _plugin(_request(queries=[query]))
    assert result.returncode == 0, result.stderr
    files = {f["name"]: base64.b64decode(f["contents"]) for f in json.loads(result.stdout)["files"]}
    assert b'COPY_IDS_COPY_TYPES = ("int4",)\n' in files["q.py"]


def test_unknown_type_is_any_with_a_warning_or_an_error_when_strict() -> None:
    column = {"name": "g", "not_null": True, "type": {"name": "geometry"}, "table": {"name": "t"}}
    query = _query("GetGeo", ":one")
    query["columns"] = [column, {"name": "id", "not_null": True, "type": {"name": "int4"}}]
    result = _plugin(_request(queries=[query]))
    assert result.returncode == 0
    warning = result.stderr.decode()
    assert "warning" in warning
    assert "geometry" in warning
    assert "t.g" in warning
    assert "overrides" in warning
    strict = _plugin(_request({"strict_types": True}, queries=[query]))
    _assert_clean_error(strict, "geometry", "py_type")


def test_slice_outside_in_is_refused_with_the_any_form() -> None:
    column = {"name": "ids", "not_null": True, "type": {"name": "int8"}, "is_sqlc_slice": True}
    query = _query("Pick", ":many", "SELECT x FROM t WHERE x = ($1)")
    query["params"] = [{"number": 1, "column": column}]
    _assert_clean_error(
        _plugin(_request(queries=[query])), "query Pick (q.sql)", "= ANY(sqlc.arg(ids)::int8[])"
    )


def test_extension_type_warning_names_the_db_type_override() -> None:
    column = {"name": "v", "not_null": False, "type": {"name": "vector"}, "table": {"name": "t"}}
    query = _query("GetVec", ":many")
    query["columns"] = [column, {"name": "id", "not_null": True, "type": {"name": "int4"}}]
    warning = _plugin(_request(queries=[query])).stderr.decode()
    assert "{db_type: 'vector', py_type: 'module.Type'}" in warning
    assert "{column: 't.v', ...}" in warning


def test_sqlc_reports_a_bad_option_and_exits_non_zero(tmp_path: Path) -> None:
    case = prepare("options", tmp_path)
    config = case / "sqlc.yaml"
    config.write_text(config.read_text().replace("frozen_structs:", "frozen_struct:"))
    result = sqlc(["generate"], case)
    assert result.returncode != 0
    assert "unknown option 'frozen_struct'" in result.stderr
    assert "Traceback" not in result.stderr
