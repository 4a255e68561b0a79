"""The query annotations (`-- name: GetUser :one`): one enum, parsed once when a query is read."""

from __future__ import annotations

import enum

from sqlc_gen_psycopg_msgspec.errors import PluginError
from sqlc_gen_psycopg_msgspec.reading.request import Query


class Command(enum.Enum):
    """What a query's method does with the statement, named by its sqlc annotation."""

    ONE = ":one"
    MANY = ":many"
    EXEC = ":exec"
    EXEC_ROWS = ":execrows"
    EXEC_RESULT = ":execresult"
    EXEC_LAST_ID = ":execlastid"
    COPY_FROM = ":copyfrom"
    BATCH_EXEC = ":batchexec"
    BATCH_MANY = ":batchmany"
    BATCH_ONE = ":batchone"

    @property
    def is_batch(self) -> bool:
        """Run once per item of an iterable of parameters, pipelined."""
        return self in _BATCH

    @property
    def takes_iterable(self) -> bool:
        """The method takes an iterable of parameters (COPY and the batches)."""
        return self is Command.COPY_FROM or self in _BATCH

    @property
    def returns_rows(self) -> bool:
        return self in _ROW_COMMANDS

    @property
    def returns_optional_row(self) -> bool:
        """At most one row, or None."""
        return self in (Command.ONE, Command.EXEC_LAST_ID)


_BATCH = frozenset({Command.BATCH_EXEC, Command.BATCH_MANY, Command.BATCH_ONE})
_ROW_COMMANDS = frozenset(
    {Command.ONE, Command.MANY, Command.BATCH_ONE, Command.BATCH_MANY, Command.EXEC_LAST_ID}
)


def parse_command(query: Query, where: str) -> Command:
    """The query's annotation as a Command; a PluginError naming the query for an unknown one."""
    try:
        return Command(query.cmd)
    except ValueError:
        known = ", ".join(command.value for command in Command)
        raise PluginError(
            f"{where}: annotation {query.cmd} is not supported; use one of {known}"
        ) from None
