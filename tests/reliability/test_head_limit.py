"""The real server refuses an oversized request head early, without holding all of it.

Raw sockets: an HTTP client library would refuse to send such heads, or would send them whole
before reading; these tests stop sending as soon as the server has answered.
"""

from __future__ import annotations

import json
import select
import socket
import time
from collections.abc import Iterator

import pytest

from rhythm.app.server import BoundedRequestProtocol
from rhythm.web.edge import MAX_HEAD_BYTES
from tests.server_process import Server, serve

PIECE = 64 * 1024
HUGE = 16 * 1024 * 1024


@pytest.fixture
def server(database_url: str) -> Iterator[Server]:
    with serve(database_url) as running:
        yield running


def _head(port: int, big: int) -> bytes:
    return (
        f"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Big: ".encode()
        + b"a" * big
        + b"\r\n\r\n"
    )


def _answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one response (content-length framed)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    while len(body) < int(headers.get("content-length", "0")):
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(status_line.split()[1]), headers, body


def _send_until_answered(sock: socket.socket, request: bytes) -> int:
    """Send ``request`` piece by piece, stopping when an answer is waiting; the bytes sent."""
    sent = 0
    while sent < len(request):
        if select.select([sock], [], [], 0)[0]:
            break
        try:
            sock.sendall(request[sent : sent + PIECE])
        except (BrokenPipeError, ConnectionResetError):
            break
        sent += PIECE
        # Give the server a moment to read each piece, as a real client's network would.
        select.select([sock], [], [], 0.01)
    return sent


def test_huge_header_refused_before_it_is_all_sent(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sent = _send_until_answered(sock, _head(server.port, HUGE))
        status, headers, body = _answer(sock)
    assert status == 431
    assert headers["content-type"] == "application/problem+json"
    assert headers["connection"] == "close"
    assert json.loads(body)["status"] == 431
    # Answered within a few pieces of the bound, not after 16 MB.
    print(f"sent {sent} bytes before the answer")
    assert sent <= BoundedRequestProtocol.HEAD_BOUND + 8 * PIECE
    # The server is still serving.
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(_head(server.port, 10))
        assert _answer(sock)[0] == 200


def test_head_over_the_limit_gets_the_app_problem(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(_head(server.port, MAX_HEAD_BYTES + 1))
        status, headers, body = _answer(sock)
    assert status == 431
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["request_id"] == headers["x-request-id"]


def test_keep_alive_requests_each_get_their_own_budget(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        for _ in range(4):  # 4 heads of 24 KiB: more than the bound together, each allowed
            request = _head(server.port, 24 * 1024)
            for start in range(0, len(request), 4096):  # over several reads, so they count
                sock.sendall(request[start : start + 4096])
                time.sleep(0.02)
            assert _answer(sock)[0] == 200
