"""The data the HTTP cases run on: a lobby of open rooms and one logged-in user per connection."""

from __future__ import annotations

import base64
import json
import urllib.request
from pathlib import Path

import psycopg

from bench.http.load import CONNECTIONS

ROOMS = 60  # more than a lobby page (50)


def seed(url: str) -> None:
    """Hosts and their open public rooms, straight into the tables (hosts never log in)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO users (email, display_name, password_hash) "
            f"SELECT 'host' || i || '@bench.example', 'host ' || i, 'x' "
            f"FROM generate_series(1, {ROOMS}) i"
        )
        conn.execute(
            "INSERT INTO rooms (name, host_id, max_players, song_id, member_count) "
            "SELECT 'room ' || id, id, 8, 'song-' || id % 7, 1 FROM users ORDER BY id"
        )
        conn.execute("INSERT INTO room_members (room_id, user_id) SELECT id, host_id FROM rooms")
        conn.execute("VACUUM ANALYZE")


def register_users(port: int, folder: Path) -> Path:
    """Register one user per connection through the API; write "<token> <room id> <user id>"
    lines (the user id is the token's subject, read without verification: set-up only).

    Room i (1-based) is the one user i joins and leaves: one room each, so the join/leave case
    measures the request path, not contention on one room's row lock.
    """
    lines = []
    for i in range(1, CONNECTIONS + 1):
        body = json.dumps(
            {
                "email": f"player{i}@bench.example",
                "display_name": f"player {i}",
                "password": "p" * 16,
            }
        ).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/auth/register",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            token = json.load(response)["access_token"]
        lines.append(f"{token} {i} {subject(token)}")
    path = folder / "users.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def subject(token: str) -> str:
    """The user id a token names (its ``sub``), read without verification: set-up only."""
    payload = token.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"])


def leave_all(url: str) -> None:
    """Undo the joins that the end of the previous slot cut before their leave."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "DELETE FROM room_members m USING rooms r "
            "WHERE r.id = m.room_id AND m.user_id <> r.host_id"
        )
        conn.execute("UPDATE rooms SET member_count = 1 WHERE member_count <> 1")
