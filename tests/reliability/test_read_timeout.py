"""The real server does not wait for ever on a client that sends slowly or not at all.

Raw sockets, as in test_head_limit: a client library would send each request whole.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import pytest

from tests.reliability.test_head_limit import _answer
from tests.server_process import Server, serve

TIMEOUT_S = 1.0
# Generous: the deadline is a timer on a loop that a loaded machine may run late.
WITHIN_S = TIMEOUT_S + 4


@pytest.fixture
def server(database_url: str) -> Iterator[Server]:
    with serve(database_url, RHYTHM_REQUEST_READ_TIMEOUT_S=str(TIMEOUT_S)) as running:
        yield running


def _connect(server: Server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=WITHIN_S + 5)


def _assert_refused_in_time(sock: socket.socket, started: float) -> None:
    status, headers, body = _answer(sock)
    assert status == 408
    assert headers["content-type"] == "application/problem+json"
    assert headers["connection"] == "close"
    assert json.loads(body)["status"] == 408
    assert sock.recv(1) == b""  # closed
    assert TIMEOUT_S * 0.9 <= time.monotonic() - started <= WITHIN_S


def test_a_connection_that_sends_nothing_is_closed(server: Server) -> None:
    with _connect(server) as sock:
        _assert_refused_in_time(sock, time.monotonic())


def test_a_head_sent_a_byte_at_a_time_is_cut_off(server: Server) -> None:
    head = f"GET /health/live HTTP/1.1\r\nHost: {server.address}\r\nX-Slow: {'a' * 200}\r\n\r\n"
    with _connect(server) as sock:
        started = time.monotonic()
        for byte in head.encode()[: int(WITHIN_S / 0.05)]:
            try:
                sock.send(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.05)
            if time.monotonic() - started > TIMEOUT_S * 1.5:
                break
        _assert_refused_in_time(sock, started)


def test_a_body_announced_and_never_sent_is_cut_off(server: Server) -> None:
    request = (
        f"POST /api/v1/auth/login HTTP/1.1\r\nHost: {server.address}\r\n"
        "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
    )
    with _connect(server) as sock:
        started = time.monotonic()
        sock.sendall(request.encode())
        _assert_refused_in_time(sock, started)


def test_a_prompt_client_keeps_its_connection_between_requests(server: Server) -> None:
    request = f"GET /health/live HTTP/1.1\r\nHost: {server.address}\r\n\r\n".encode()
    with _connect(server) as sock:
        for _ in range(2):
            sock.sendall(request)
            assert _answer(sock)[0] == 200
            time.sleep(TIMEOUT_S * 1.5)  # idle longer than the read timeout, within keep-alive
        sock.sendall(request)
        assert _answer(sock)[0] == 200
