"""Requests the server cannot parse are refused as problem details too, not as plain text.

Raw sockets on the real server: an HTTP client library refuses to send these.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest

from tests.server_process import Server, serve

MALFORMED = [
    b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}",
    b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 3\r\n\r\n{}",
    b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
    b"Content-Length: 3\r\n\r\n",
    b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
    b"Content-Length: 2\r\n\r\n0\r\n\r\n",
    b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"BREW /health/live HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /health/live HTTP/1.1\r\nHost: x\r\nBad Header: v\r\n\r\n",
]


@pytest.fixture
def server(database_url: str) -> Iterator[Server]:
    with serve(database_url) as running:
        yield running


def _exchange(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):  # the server closes the connection after a 400
            answer += chunk
    return answer


def test_an_unparsable_request_is_a_400_problem(server: Server) -> None:
    for request in MALFORMED:
        _assert_bad_request_problem(_exchange(server.port, request))


def _assert_bad_request_problem(answer: bytes) -> None:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0] == "HTTP/1.1 400 Bad Request"
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    assert headers["content-type"] == "application/problem+json"
    assert int(headers["content-length"]) == len(body)
    problem = json.loads(body)
    assert problem["type"] == "about:blank"
    assert problem["title"] == "Bad Request"
    assert problem["status"] == 400
    assert problem["detail"]
