"""The rooms the events run in: members registered, rooms created and joined through the API.

Every member is a real user who joined the room, as a player would; member 0 is the host.
Set-up is not measured, so it runs requests concurrently across both instances.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx

CONCURRENCY = 8  # set-up requests in flight
MAX_PLAYERS = 16  # the API's ceiling


@dataclass(frozen=True, slots=True)
class Member:
    user_id: int
    token: str


@dataclass(frozen=True, slots=True)
class Room:
    room_id: int
    members: list[Member]  # the host first


async def _call(
    client: httpx.AsyncClient, url: str, token: str | None = None, **json: Any
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post(url, json=json or None, headers=headers)
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


async def _register(client: httpx.AsyncClient, base: str, name: str) -> Member:
    body = await _call(
        client,
        f"{base}/api/v1/auth/register",
        email=f"{name}@bench.example",
        display_name=name,
        password="p" * 16,
    )
    return Member(user_id=body["user"]["id"], token=body["access_token"])


async def _room(
    client: httpx.AsyncClient, bases: list[str], index: int, members: int, gate: asyncio.Semaphore
) -> Room:
    async with gate:
        people = [
            await _register(client, bases[j % len(bases)], f"r{index}m{j}") for j in range(members)
        ]
        host = people[0]
        room = await _call(
            client,
            f"{bases[0]}/api/v1/rooms",
            host.token,
            name=f"bench room {index}",
            max_players=MAX_PLAYERS,
        )
        for j, member in enumerate(people[1:], start=1):
            await _call(
                client, f"{bases[j % len(bases)]}/api/v1/rooms/{room['id']}/join", member.token
            )
    return Room(room_id=room["id"], members=people)


async def populate(ports: list[int], rooms: int, members: int) -> list[Room]:
    """``rooms`` public rooms of ``members`` users each (host included), through the API."""
    if not 1 <= members <= MAX_PLAYERS:
        raise ValueError(f"members must be 1..{MAX_PLAYERS}")
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    gate = asyncio.Semaphore(CONCURRENCY)
    async with httpx.AsyncClient(timeout=30) as client:
        return list(
            await asyncio.gather(*(_room(client, bases, i, members, gate) for i in range(rooms)))
        )
