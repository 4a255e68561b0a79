"""Calls every generated method of the adoption project, on a pool and in a transaction.

Run by the fresh environment's Python from the project folder, which holds the generated
package `db`: ``python exercise.py DATABASE_URL``. Exits non-zero when an assertion fails.
"""

from __future__ import annotations

import asyncio
import sys

from db import AddTracksParams, Artist, Genre, Querier, Queries, RenameArtistsParams
from psycopg import AsyncConnection
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool


async def artists(q: Querier) -> tuple[Artist, Artist]:
    miles = await q.create_artist(name="Miles", country="US")
    goldie = await q.create_artist(name="Goldie", country=None)
    assert miles is not None
    assert goldie is not None
    assert goldie.country is None
    assert await q.get_artist(id=miles.id) == miles
    assert await q.get_artist(id=-1) is None
    assert await q.list_artists(country=None) == [goldie, miles]
    assert await q.list_artists(country="US") == [miles]
    return miles, goldie


async def tracks(q: Querier, miles: Artist, goldie: Artist) -> None:
    rows = [
        AddTracksParams(miles.id, "So What", Genre.JAZZ, 136, {"album": "Kind of Blue"}),
        AddTracksParams(goldie.id, "Inner City Life", Genre.DRUM_AND_BASS, None, []),
        AddTracksParams(miles.id, "Blue in Green", Genre.JAZZ, None, {"take": 3}),
    ]
    assert await q.add_tracks(rows) == 3
    assert await q.count_tracks() == 3
    jazz = await q.tracks_by_genre(genre=Genre.JAZZ)
    assert [row.tracks.title for row in jazz] == ["So What", "Blue in Green"]
    assert jazz[0].artists == miles
    assert jazz[0].tracks.genre is Genre.JAZZ
    assert jazz[0].tracks.meta == {"album": "Kind of Blue"}
    assert jazz[1].tracks.bpm is None
    assert await q.set_bpm(bpm=None, artist_id=miles.id) == 2
    assert await q.set_bpm(bpm=174, artist_id=goldie.id) == 1
    (dnb,) = await q.tracks_by_genre(genre=Genre.DRUM_AND_BASS)
    assert (dnb.tracks.bpm, dnb.tracks.meta, dnb.artists) == (174, [], goldie)
    assert await q.tracks_by_genre(genre=Genre.ROCK) == []


async def batches(q: Querier, miles: Artist, goldie: Artist) -> None:
    await q.rename_artists(
        [RenameArtistsParams(miles.id, "Miles Davis"), RenameArtistsParams(goldie.id, "Goldie.")]
    )
    found = await q.get_artists([goldie.id, -1, miles.id])
    assert [a.name if a else None for a in found] == ["Goldie.", None, "Miles Davis"]
    await q.delete_artist(id=goldie.id)
    assert await q.get_artist(id=goldie.id) is None
    assert await q.count_tracks() == 2  # ON DELETE CASCADE


async def every_method(q: Querier) -> None:
    miles, goldie = await artists(q)
    await tracks(q, miles, goldie)
    await batches(q, miles, goldie)


async def main(url: str) -> None:
    async with AsyncConnectionPool(url, min_size=1, max_size=2, open=False) as pool:
        on_pool = Queries(pool)
        async with pool.connection() as conn:
            await in_transaction(conn)
        assert await on_pool.count_tracks() == 0
        assert await on_pool.list_artists(country=None) == []
        await every_method(on_pool)
        assert [a.name for a in await on_pool.list_artists(country=None)] == ["Miles Davis"]


async def in_transaction(conn: AsyncConnection[TupleRow]) -> None:
    """Every method inside one transaction, rolled back: the pool must see none of it."""
    async with conn.transaction(force_rollback=True):
        await every_method(Queries(conn))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
    print("every generated method works")
