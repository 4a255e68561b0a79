"""Generated fakes (option emit_fakes): FakeQuerier answers as told and records every call.

The generated fakes.py proves under mypy (test_static.py) that FakeQuerier implements
Querier; here a test uses it as a service would, and mypy checks what a test may pass.
"""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

import pytest

from tests.codegen.corpus_types import AuthorSettings
from tests.codegen.golden.kitchen import Author, Mood, Querier
from tests.codegen.golden.kitchen.authors import CopyAuthorsParams
from tests.codegen.golden.kitchen.fakes import FakeNotSetError, FakeQuerier, FakeSyncQuerier
from tests.codegen.sqlc_run import ROOT

BIN = Path(sys.executable).parent
UTC = datetime.UTC
SETTINGS = AuthorSettings(theme="dark")
ANN = Author(1, "Ann", Mood.HAPPY, None, None, SETTINGS, datetime.datetime(2024, 1, 1, tzinfo=UTC))


async def _display_name(db: Querier, author_id: int) -> str:
    """A tiny 'service' written against the Protocol."""
    author = await db.get_author(id=author_id)
    return "nobody" if author is None else author.name.upper()


async def test_returns_a_value_and_records_the_call() -> None:
    fake = FakeQuerier()
    fake.get_author.returns(ANN)
    assert await _display_name(fake, 1) == "ANN"
    assert await _display_name(fake, 2) == "ANN"
    assert fake.get_author.calls == [{"id": 1}, {"id": 2}]


async def test_returns_in_order_then_fails() -> None:
    fake = FakeQuerier()
    fake.get_author.returns_in_order(ANN, None)
    assert await _display_name(fake, 1) == "ANN"
    assert await _display_name(fake, 2) == "nobody"
    with pytest.raises(FakeNotSetError, match="get_author"):
        await _display_name(fake, 3)


async def test_computes_from_the_arguments() -> None:
    fake = FakeQuerier()
    fake.count_authors.returns(3)
    fake.list_authors_by_mood.computes(lambda moods, name: [ANN] if Mood.HAPPY in moods else [])
    assert await fake.list_authors_by_mood(moods=[Mood.HAPPY], name=None) == [ANN]
    assert await fake.list_authors_by_mood(moods=[Mood.NONE], name="x") == []
    assert fake.list_authors_by_mood.calls[1] == {"moods": [Mood.NONE], "name": "x"}
    assert await fake.count_authors() == 3


async def test_raises_an_instance_or_a_class() -> None:
    fake = FakeQuerier()
    fake.get_author.raises(TimeoutError("slow"))
    with pytest.raises(TimeoutError, match="slow"):
        await fake.get_author(id=1)
    fake.delete_author.raises(PermissionError)
    with pytest.raises(PermissionError):
        await fake.delete_author(id=1)
    assert fake.delete_author.calls == [{"id": 1}]


async def test_unset_method_names_itself() -> None:
    with pytest.raises(FakeNotSetError, match=r"delete_author.*\.returns\("):
        await FakeQuerier().delete_author(id=9)


async def test_batch_copy_and_iterators() -> None:
    fake = FakeQuerier()
    fake.copy_authors.computes(lambda params: len(params))
    rows = (CopyAuthorsParams(name=f"a{i}", mood=Mood.HAPPY, settings=SETTINGS) for i in range(3))
    assert await fake.copy_authors(rows) == 3
    assert [p.name for p in fake.copy_authors.calls[0]["params"]] == ["a0", "a1", "a2"]
    fake.batch_get_author.returns([ANN, None])
    assert await fake.batch_get_author([1, 2]) == [ANN, None]
    fake.list_author_names.returns(["a", "b"])
    assert [n async for n in fake.iter_list_author_names()] == ["a", "b"]
    assert fake.list_author_names.calls == [{}]


def test_sync_fake() -> None:
    fake = FakeSyncQuerier()
    fake.list_author_names.returns_in_order(["x"], [])
    assert list(fake.iter_list_author_names()) == ["x"]
    assert fake.list_author_names() == []


def _mypy(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    usage = tmp_path / "usage.py"
    usage.write_text(
        "from tests.codegen.golden.kitchen import Author, Querier\n"
        "from tests.codegen.golden.kitchen.fakes import FakeQuerier\n\n\n"
        f"def use(fake: FakeQuerier, author: Author) -> Querier:\n{body}    return fake\n"
    )
    return subprocess.run(
        [str(BIN / "mypy"), "--strict", "--follow-imports=silent", str(usage)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_mypy_checks_what_a_test_passes(tmp_path: Path) -> None:
    good = (
        "    fake.get_author.returns(author)\n"
        "    fake.get_author.returns(None)\n"
        "    fake.count_authors.returns_in_order(1, 2)\n"
        "    fake.list_author_names.computes(lambda: ['a'])\n"
        "    fake.delete_author.raises(KeyError)\n"
    )
    accepted = _mypy(tmp_path, good)
    assert accepted.returncode == 0, accepted.stdout
    wrong = '    fake.get_author.returns("Ann")\n    fake.delete_author.returns(None)\n'
    rejected = _mypy(tmp_path, wrong)
    assert rejected.returncode != 0
    assert rejected.stdout.count("error: Argument 1") == 2, rejected.stdout
