"""Array comparisons a real corpus of queries found wrong, run against a real PostgreSQL.

Corpus case `elements`: `$1 = ANY(array_column)` (sqlc types `$1` as the whole array, while
PostgreSQL compares it with each element), `= ANY(sqlc.slice(ids))`, and messages naming the
line of the query they are about.
"""

from __future__ import annotations

import inspect
import json
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.codegen.golden.elements import (
    CopyWalletsParams,
    MoneyPair,
    Mood,
    Queries,
    SyncQueries,
    Tagged,
)
from tests.codegen.sqlc_run import CORPUS, PLUGIN, files_of, prepare, sqlc

SCHEMA = CORPUS / "elements" / "schema.sql"


@pytest.fixture
def conn(blank_database_url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.Connection.connect(blank_database_url, autocommit=True) as connection:
        connection.execute(SCHEMA.read_bytes())
        yield connection


@pytest.fixture
def posts(conn: psycopg.Connection[Any]) -> tuple[SyncQueries, list[int]]:
    q = SyncQueries(conn)
    made = [
        q.add_post(title="a", tags=["red", "blue"], reviewer_ids=[7], moods=[Mood.HAPPY]),
        q.add_post(title="b", tags=["green"], reviewer_ids=[8, 2**40], moods=[Mood.SAD_FACE]),
        q.add_post(title="c", tags=[], reviewer_ids=[], moods=[]),
    ]
    ids = [post for post in made if post is not None]
    assert len(ids) == 3
    return q, ids


def test_a_parameter_compared_with_any_element_is_one_element(
    posts: tuple[SyncQueries, list[int]],
) -> None:
    q, (a, b, c) = posts
    # Typed as the array, ["blue"] was sent as the text '{blue}' and matched nothing.
    assert q.posts_tagged(tags="blue") == [a]
    assert q.posts_reviewed_by(reviewer=7) == [a]  # a plain int used to raise TypeError
    assert q.posts_reviewed_by(reviewer=2**40) == [b]
    assert q.posts_not_reviewed_by(reviewer=7) == [b, c]
    assert q.posts_in_mood(moods=Mood.SAD_FACE) == [b]
    assert q.posts_with_tag_like(tags="green") == [b]  # the elements are the patterns
    assert q.posts_with_any_tag(tags=["green", "red"]) == [a, b]  # `&&` still takes a list


def test_element_parameters_are_annotated_as_one_element() -> None:
    annotations = {
        name: inspect.signature(getattr(Queries, name)).parameters[param].annotation
        for name, param in [
            ("posts_tagged", "tags"),
            ("posts_reviewed_by", "reviewer"),
            ("posts_in_mood", "moods"),
            ("posts_with_any_tag", "tags"),
            ("posts_by_i_ds", "ids"),
        ]
    }
    assert annotations == {
        "posts_tagged": str,
        "posts_reviewed_by": int,
        "posts_in_mood": Mood,
        "posts_with_any_tag": list[str],
        "posts_by_i_ds": list[int],
    }


def test_slice_inside_any_and_all_is_one_array(posts: tuple[SyncQueries, list[int]]) -> None:
    q, (a, b, c) = posts
    assert [row.title for row in q.posts_by_i_ds(ids=[c, a])] == ["a", "c"]
    assert q.posts_by_i_ds(ids=[]) == []
    assert q.posts_not_in(ids=[b]) == [a, c]
    assert q.posts_not_in(ids=[]) == [a, b, c]


def _project(tmp_path: Path, queries: str, *, folder: bool) -> Path:
    case = prepare("elements", tmp_path)
    if folder:
        (case / "query.sql").unlink()
        (case / "sql").mkdir()
        (case / "sql" / "posts.sql").write_text(queries)
        config = case / "sqlc.yaml"
        config.write_text(config.read_text().replace("queries: query.sql", "queries: sql"))
    else:
        (case / "query.sql").write_text(queries)
    return case


@pytest.mark.parametrize(("folder", "where"), [(False, "query.sql:5"), (True, "sql/posts.sql:5")])
def test_errors_name_the_file_and_line_of_the_query(
    tmp_path: Path, *, folder: bool, where: str
) -> None:
    queries = (
        "-- name: Ok :one\nSELECT 1;\n\n"
        "-- name: Two :execlastid\n"
        "INSERT INTO posts (title) VALUES ($1) RETURNING id, title;\n"
    )
    case = _project(tmp_path, "\n" + queries, folder=folder)
    result = sqlc(["generate"], case)
    assert result.returncode != 0
    assert f"error: query Two ({where}): :execlastid needs exactly one" in result.stderr


def test_output_is_the_same_wherever_sqlc_runs(tmp_path: Path) -> None:
    """`sqlc generate -f sub/sqlc.yaml` runs the plugin outside the folder of sqlc.yaml: the
    domains and composite fields read from the schema files must not turn into Any."""
    case = prepare("kitchen", tmp_path)
    beside = sqlc(["generate"], case)
    assert beside.returncode == 0, beside.stderr
    expected = files_of(case / "out")
    shutil.rmtree(case / "out")
    elsewhere = sqlc(["generate", "-f", f"{case.name}/sqlc.yaml"], tmp_path)
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert files_of(case / "out") == expected


def test_schema_files_not_found_stop_generation_instead_of_typing_any() -> None:
    column = {"name": "v", "not_null": True, "type": {"name": "positive_int"}}
    query = {
        "text": "SELECT v FROM t",
        "name": "GetV",
        "cmd": ":one",
        "filename": "q.sql",
        "columns": [{**column, "table": {"name": "t"}}],
    }
    request = {
        "settings": {"engine": "postgresql", "schema": ["no/such/schema.sql"], "queries": []},
        "catalog": {"default_schema": "public", "schemas": []},
        "queries": [query],
        "plugin_options": "",
    }
    result = subprocess.run(
        [str(PLUGIN)], input=json.dumps(request).encode(), capture_output=True, check=False
    )
    stderr = result.stderr.decode()
    assert result.returncode == 1, stderr
    assert "query GetV (q.sql), column v: type 'positive_int' is not known" in stderr
    assert "no/such/schema.sql" in stderr
    assert "run sqlc in the folder of sqlc.yaml" in stderr


def test_arrays_of_composite_types_round_trip(conn: psycopg.Connection[Any]) -> None:
    """They were typed Any and returned as PostgreSQL's raw text `{"(1.10,EUR)",...}`."""
    q = SyncQueries(conn)
    eur, odd = MoneyPair(Decimal("1.10"), "EUR"), MoneyPair(None, 'a "q",b\\{}')
    tag = Tagged(label="x,y", mood=Mood.SAD_FACE, raw=b"\x00'\"\\", doc={"k": [1]}, pair=eur)
    empty = Tagged(label=None, mood=None, raw=None, doc=None, pair=None)
    made = q.add_wallet(entries=[eur, odd], grid=[[eur, odd], [odd, eur]], tags=[tag, empty])
    assert made is not None
    assert (made.entries, made.grid, made.tags) == (
        [eur, odd],
        [[eur, odd], [odd, eur]],
        [tag, empty],
    )
    assert q.wallet_entries(id=made.id) == [eur, odd]
    assert q.copy_wallets([CopyWalletsParams(entries=[], tags=None)]) == 1
    assert [(w.entries, w.grid, w.tags) for w in q.list_wallets()][1] == ([], None, None)
