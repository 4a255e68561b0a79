"""Access log lines, request ids, stdlib routing, and no secrets in logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from loguru import logger

from rhythm.app.logs import configure_logging
from rhythm.service.audit import RequestContext, request_context
from rhythm.web.access_log import ACCESS_LOG


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging("DEBUG", stream=stream)
    yield stream
    configure_logging("INFO")


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    ACCESS_LOG.flush()
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def _access(stream: io.StringIO) -> list[dict[str, Any]]:
    return [line for line in _lines(stream) if line["logger"] == "access"]


async def test_one_access_line_per_request(
    client: AsyncTestClient[Litestar],
    log_stream: io.StringIO,
) -> None:
    response = await client.get("/health/live")
    [line] = _access(log_stream)
    assert line["method"] == "GET"
    assert line["path"] == "/health/live"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["level"] == "INFO"
    assert line["request_id"] == response.headers["x-request-id"]
    assert len(line["request_id"]) == 32


async def test_client_request_id_is_echoed_and_logged(
    client: AsyncTestClient[Litestar],
    log_stream: io.StringIO,
) -> None:
    response = await client.get("/health/live", headers={"X-Request-ID": "trace-42.a_b"})
    assert response.headers["x-request-id"] == "trace-42.a_b"
    assert _access(log_stream)[0]["request_id"] == "trace-42.a_b"


@pytest.mark.parametrize("bad", ["x" * 200, "has space", 'inject"quote'])
async def test_unsafe_request_id_is_replaced(
    client: AsyncTestClient[Litestar],
    log_stream: io.StringIO,
    bad: str,
) -> None:
    response = await client.get("/health/live", headers={"X-Request-ID": bad})
    assert response.headers["x-request-id"] != bad
    assert len(response.headers["x-request-id"]) == 32


async def test_unmatched_routes_are_logged_with_problem_ids(
    client: AsyncTestClient[Litestar],
    log_stream: io.StringIO,
) -> None:
    response = await client.get("/no/such/route")
    assert response.status_code == 404
    [line] = _access(log_stream)
    assert line["status"] == 404
    assert response.json()["request_id"] == line["request_id"]


def test_stdlib_loggers_are_routed_into_json(log_stream: io.StringIO) -> None:
    logging.getLogger("psycopg.pool").warning("pool %s is %s", "main", "busy")
    logging.getLogger("uvicorn.error").info("server started")
    lines = _lines(log_stream)
    assert {
        "logger": "psycopg.pool",
        "message": "pool main is busy",
        "level": "WARNING",
    }.items() <= (lines[0].items())
    assert lines[1]["logger"] == "uvicorn.error"


async def test_authorization_and_bodies_are_never_logged(
    client: AsyncTestClient[Litestar],
    log_stream: io.StringIO,
) -> None:
    secret = "Bearer super-secret-token-value"
    await client.get("/health/live", headers={"Authorization": secret})
    await client.post("/health/live", content=b'{"password": "hunter2-secret"}')
    text = log_stream.getvalue()
    assert "super-secret-token-value" not in text
    assert "hunter2-secret" not in text
    assert len(_access(log_stream)) == 2


async def test_a_room_socket_token_in_the_query_is_not_logged(
    client: AsyncTestClient[Litestar], log_stream: io.StringIO
) -> None:
    from uvicorn.protocols.utils import get_path_with_query_string

    registered = await client.post(
        "/api/v1/auth/register",
        json={"email": "ada@example.com", "display_name": "Ada", "password": "long enough pw"},
    )
    token = registered.json()["access_token"]
    scope: Any = {"path": "/api/v1/rooms/2/events", "query_string": f"token={token}".encode()}
    # What uvicorn writes when it accepts a WebSocket, through the logger it writes with.
    logging.getLogger("uvicorn.error").info(
        '%s - "WebSocket %s" [accepted]', "127.0.0.1:5000", get_path_with_query_string(scope)
    )
    [line] = [entry for entry in _lines(log_stream) if entry["logger"] == "uvicorn.error"]
    assert token not in log_stream.getvalue()
    assert token.split(".")[2] not in log_stream.getvalue()  # not even the signature
    assert line["message"] == (
        '127.0.0.1:5000 - "WebSocket /api/v1/rooms/2/events?token=[redacted]" [accepted]'
    )


def test_every_line_logged_in_a_request_carries_its_id(log_stream: io.StringIO) -> None:
    with request_context(RequestContext(request_id="req-7", address="192.0.2.1")):
        logger.info("inside")
        logger.bind(request_id="explicit", user=3).info("bound")
        logging.getLogger("psycopg").warning("from a library")
    logger.info("outside")
    inside, bound, library, outside = _lines(log_stream)
    assert list(inside)[4:] == ["request_id"]
    assert inside["request_id"] == "req-7"
    assert (bound["request_id"], bound["user"]) == ("explicit", 3)
    assert library["request_id"] == "req-7"
    assert "request_id" not in outside
