"""What every renderer is told: the options that shape the output, and the async/sync words."""

from __future__ import annotations

from dataclasses import dataclass

from sqlc_gen_psycopg_msgspec.reading.options import Options


@dataclass(frozen=True)
class Flavor:
    """The words that differ between the async and the sync code."""

    sync: bool

    @property
    def def_(self) -> str:
        return "def" if self.sync else "async def"

    @property
    def await_(self) -> str:
        return "" if self.sync else "await "

    @property
    def with_(self) -> str:
        return "with" if self.sync else "async with"

    @property
    def for_(self) -> str:
        return "for" if self.sync else "async for"

    @property
    def connection_class(self) -> str:
        return "psycopg.Connection" if self.sync else "psycopg.AsyncConnection"

    @property
    def cursor_class(self) -> str:
        return "psycopg.RawCursor" if self.sync else "psycopg.AsyncRawCursor"

    def iterator_type(self, item: str) -> str:
        """What iter_* returns: a generator, so a caller stopping early can close it."""
        if self.sync:
            return f"collections.abc.Generator[{item}, None, None]"
        return f"collections.abc.AsyncGenerator[{item}, None]"

    @property
    def base_class(self) -> str:
        return "SyncBase" if self.sync else "AsyncBase"

    @property
    def kind(self) -> str:
        return "sync" if self.sync else "async"


ASYNC = Flavor(sync=False)
SYNC = Flavor(sync=True)


@dataclass(frozen=True)
class RenderOptions:
    """The plugin options that change what the renderers write."""

    emit_async: bool
    emit_sync: bool
    emit_iterators: bool
    frozen_structs: bool

    @classmethod
    def of(cls, options: Options) -> RenderOptions:
        return cls(
            emit_async=options.emit_async,
            emit_sync=options.emit_sync,
            emit_iterators=options.emit_iterators,
            frozen_structs=options.frozen_structs,
        )

    @property
    def flavors(self) -> tuple[Flavor, ...]:
        """The flavors to write, async first."""
        return (ASYNC,) * self.emit_async + (SYNC,) * self.emit_sync
