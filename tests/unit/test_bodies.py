"""Request bodies decode strictly, and every malformed one is a client error with a clear text."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
import pytest
from litestar.exceptions import SerializationException, ValidationException

from rhythm.web.bodies import decode_body, field_error
from rhythm.web.fields import Strict


class Room(Strict):
    name: str
    max_players: Annotated[int, msgspec.Meta(ge=2, le=16)] = 8


DEEP = [
    b"[" * 1000,
    b'{"a":' * 1000,
    b"[" * 1000 + b"]" * 1000,
    b'{"a":' * 5000 + b"1" + b"}" * 5000,
]


@pytest.mark.parametrize("raw", DEEP, ids=["open-arrays", "open-objects", "arrays", "objects"])
def test_deep_nesting_is_a_client_error_not_a_recursion_error(raw: bytes) -> None:
    # Any: the untyped decode that overflowed the recursion limit before.
    with pytest.raises(SerializationException, match=r"nested too deeply|malformed"):
        decode_body(raw, Any)
    with pytest.raises((SerializationException, ValidationException)):
        decode_body(raw, Room)


@pytest.mark.parametrize("number", [b'"4"', b"2.0", b"1E1", b"4.5", b"true"])
def test_numbers_are_strict(number: bytes) -> None:
    with pytest.raises(ValidationException) as raised:
        decode_body(b'{"name": "r", "max_players": ' + number + b"}", Room)
    extra = raised.value.extra
    assert isinstance(extra, list)
    [error] = extra
    assert error["key"] == "max_players"
    assert error["source"] == "body"


def test_a_valid_body_decodes_into_the_type() -> None:
    assert decode_body(b'{"name": "r", "max_players": 4}', Room) == Room(name="r", max_players=4)
    assert decode_body(b"null", Room | None) is None


def test_lone_surrogate_says_so() -> None:
    for raw in [b'{"name": "\\ud83d"}', b'{"name": "\\ude00x"}']:
        with pytest.raises(SerializationException, match="surrogate"):
            decode_body(raw, Room)
    assert decode_body(b'{"name": "\\ud83d\\ude00"}', Room).name == "\U0001f600"
    with pytest.raises(SerializationException, match="truncated"):
        decode_body(b'{"name": "x', Room)


@pytest.mark.parametrize(
    ("message", "key"),
    [
        ("Expected `int`, got `str` - at `$.max_players`", "max_players"),
        ("Expected `str`, got `int` - at `$.a.b[0]`", "a.b[0]"),
        ("Object contains unknown field `x` - at `$`", "data"),
        ("Expected `object`, got `array`", "data"),
    ],
)
def test_field_error_names_the_field(message: str, key: str) -> None:
    error = field_error(message)
    assert error["key"] == key
    assert " - at " not in error["message"]
