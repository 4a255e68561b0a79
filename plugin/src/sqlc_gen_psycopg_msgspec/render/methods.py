"""One query's method on the Queries mixin (and its iter_* variant), for one flavor."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from sqlc_gen_psycopg_msgspec.planning.commands import Command
from sqlc_gen_psycopg_msgspec.planning.plans import QueryPlan
from sqlc_gen_psycopg_msgspec.planning.typemap import Load
from sqlc_gen_psycopg_msgspec.render.common import construct, dump_expr, load_expr
from sqlc_gen_psycopg_msgspec.render.context import Flavor
from sqlc_gen_psycopg_msgspec.render.pyfmt import (
    INDENT,
    LINE_LENGTH,
    Group,
    Item,
    bracketed,
    flatten,
    tuple_of,
)
from sqlc_gen_psycopg_msgspec.render.signatures import item_type, return_type, signature_params


def _values(query: QueryPlan, source: str | None) -> list[str]:
    """The dumped values in $n order; `source` is the object holding them, if any."""
    values = []
    for param in query.params:
        value = param.name if source is None else f"{source}.{param.name}"
        values.append(dump_expr(param.type, value))
    return values


def _item_values(query: QueryPlan, item: str) -> list[str]:
    """The dumped values of one item of an iterable of parameters (COPY and batches)."""
    if query.params_struct:
        return _values(query, item)
    return [dump_expr(param.type, item) for param in query.params[:1]]


def _row_expr(query: QueryPlan, row: str) -> Item:
    if query.scalar is not None:
        return load_expr(query.scalar.type, f"{row}[0]")
    assert query.row is not None
    return construct(query.row, row)


def _signature(name: str, params: list[str], ret: str, flavor: Flavor, indent: str) -> list[str]:
    return bracketed(f"{flavor.def_} {name}(", params, f" -> {ret}:", indent)


def _docstring(lines: list[str], indent: str) -> list[str]:
    width = LINE_LENGTH - len(indent) - 6
    text: list[str] = []
    for line in lines:
        line = line.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
        # ruff never wraps a docstring; long lines would break E501, so wrap them here.
        text += textwrap.wrap(line, width, break_long_words=False) if len(line) > width else [line]
    while text and not text[0]:
        text.pop(0)
    while text and not text[-1]:
        text.pop()
    if not text:
        return []
    if len(text) == 1 and len(indent) + 6 + len(text[0]) <= LINE_LENGTH:
        end = " " if text[0].endswith('"') else ""
        return [f'{indent}"""{text[0]}{end}"""']
    return [
        f'{indent}"""{text[0]}',
        *(f"{indent}{line}" if line else "" for line in text[1:]),
        f'{indent}"""',
    ]


class MethodWriter:
    """Writes one query's method (and its iterator variant) for one flavor."""

    def __init__(self, query: QueryPlan, flavor: Flavor, *, iterators: bool) -> None:
        self.query = query
        self.flavor = flavor
        self.iterators = iterators
        self.lines: list[str] = []

    def emit(self, line: str, depth: int) -> None:
        self.lines.append(INDENT * depth + line if line else "")

    def write(self) -> list[str]:
        query, flavor = self.query, self.flavor
        params, ret = signature_params(query), return_type(query)
        self.lines += _signature(query.method, params, ret, flavor, INDENT)
        self.lines += _docstring(query.doc, INDENT * 2)
        if query.command in (Command.BATCH_ONE, Command.BATCH_MANY):
            self.emit(f"args = [{self._batch_rows()}]", 2)
            self.emit("results: list[Any] = []", 2)
        if query.unnest:
            # Several passes over the batch, one per column; an empty one sends nothing.
            self.emit("items = list(params)", 2)
            self.emit("if not items:", 2)
            self.emit("return", 3)
        self.emit("db = self._db", 2)
        self.emit(f"if isinstance(db, {flavor.connection_class}):", 2)
        self._body("db", 3)
        self.emit("else:", 2)
        self.emit(f"{flavor.with_} db.connection() as conn:", 3)
        self._body("conn", 4)
        self._tail(2)
        if query.command is Command.MANY and self.iterators:
            self.lines.append("")
            self._iterator()
        return self.lines

    # ---- inside the connection ------------------------------------------------------------
    def _call(self, head: str, args: Sequence[Item], depth: int) -> None:
        self.lines += bracketed(head, args, "", INDENT * depth)

    def _body(self, conn: str, depth: int) -> None:
        query, flavor = self.query, self.flavor
        if query.command.takes_iterable or flavor.sync:
            # A cursor of its own: COPY and batches keep state across awaits, and sync
            # connections may be shared by threads.
            factory = ", row_factory=tuple_row" if query.command.returns_rows else ""
            self.emit(f"cur = {flavor.cursor_class}({conn}{factory})", depth)
        else:
            self.emit(f"cur = async_cursor({conn})", depth)
        if query.command is Command.COPY_FROM:
            self._copy(depth)
        elif query.command.is_batch:
            self._batch(depth)
        else:
            self._execute(depth)

    def _execute(self, depth: int) -> None:
        query, await_ = self.query, self.flavor.await_
        args: list[Item] = [query.sql_const]
        if query.params:
            args.append(tuple_of(_values(query, "params" if query.params_struct else None)))
        if query.binary:
            args.append("binary=True")
        self._call(f"{await_}cur.execute(", args, depth)
        command = query.command
        if command.returns_optional_row:
            self.emit(f"row = {await_}cur.fetchone()", depth)
        elif command is Command.MANY:
            self.emit(f"rows = {await_}cur.fetchall()", depth)
        elif command is Command.EXEC_ROWS:
            # Read before the pool takes the connection back: the cursor is shared.
            self.emit("count = cur.rowcount", depth)
        elif command is Command.EXEC_RESULT:
            self.emit("result = ExecResult(cur.rowcount, cur.statusmessage)", depth)

    def _batch_rows(self) -> str:
        """`<argument tuple> for p in params`: the comprehension of a batch's arguments."""
        query = self.query
        if query.params:
            return f"{tuple_of(_item_values(query, 'p')).flat()} for p in params"
        return "() for _ in params"

    def _batch(self, depth: int) -> None:
        query, flavor = self.query, self.flavor
        executemany = f"{flavor.await_}cur.executemany("
        if query.unnest:
            columns = [f"[{value} for p in items]" for value in _item_values(query, "p")]
            self._call(f"{flavor.await_}cur.execute(", [query.sql_const, tuple_of(columns)], depth)
            return
        if query.command is Command.BATCH_EXEC:
            self._call(executemany, [query.sql_const, f"({self._batch_rows()})"], depth)
            return
        self.emit("if args:", depth)
        self._call(executemany, [query.sql_const, "args", "returning=True"], depth + 1)
        self.emit(f"{flavor.for_} _ in cur.results():", depth + 1)
        fetch = "fetchone" if query.command is Command.BATCH_ONE else "fetchall"
        self.emit(f"results.append({flavor.await_}cur.{fetch}())", depth + 2)

    def _copy(self, depth: int) -> None:
        query, flavor = self.query, self.flavor
        assert query.copy is not None
        self.emit(f"{flavor.with_} cur.copy({query.sql_const}_COPY) as copy:", depth)
        if query.copy.binary_types is not None:
            self.emit(f"copy.set_types({query.sql_const}_COPY_TYPES)", depth + 1)
        self.emit("for p in params:", depth + 1)
        row = tuple_of(_item_values(query, "p"))
        self._call(f"{flavor.await_}copy.write_row(", [row], depth + 2)

    # ---- after the connection is released ---------------------------------------------------
    def _tail(self, depth: int) -> None:
        query = self.query
        command = query.command
        if command.returns_optional_row:
            self._return_optional_row(depth)
        elif command is Command.MANY:
            self._list_comp("return ", _row_expr(query, "row"), "row in rows", depth)
        elif command is Command.EXEC_ROWS:
            self.emit("return count", depth)
        elif command is Command.COPY_FROM:
            self.emit("return cur.rowcount", depth)
        elif command is Command.EXEC_RESULT:
            self.emit("return result", depth)
        elif command is Command.BATCH_ONE:
            row = _row_expr(query, "row")
            self._list_comp("return ", row, "row in results", depth, maybe_none=True)
        elif command is Command.BATCH_MANY:
            self.emit(f"batches: {return_type(query)} = []", depth)
            self.emit("for rows in results:", depth)
            self._list_comp("batch = ", _row_expr(query, "row"), "row in rows", depth + 1)
            self.emit("batches.append(batch)", depth + 1)
            self.emit("return batches", depth)

    def _return_optional_row(self, depth: int) -> None:
        query = self.query
        self.emit("if row is None:", depth)
        self.emit("return None", depth + 1)
        if query.scalar is not None and query.scalar.type.load is Load.AS_IS:
            # An annotated local turns psycopg's Any into the declared type for mypy.
            self.emit(f"value: {query.scalar.annotation} = row[0]", depth)
            self.emit("return value", depth)
        else:
            self._statement("return ", _row_expr(query, "row"), depth)

    def _statement(self, head: str, expr: Item, depth: int) -> None:
        """`head` + expression, exploding a constructor call that is too long."""
        indent = INDENT * depth
        flat = f"{indent}{head}{flatten(expr)}"
        if len(flat) <= LINE_LENGTH or not isinstance(expr, Group):
            self.lines.append(flat)
        else:
            self.lines += Group(head + expr.head, expr.items, expr.close).lines(indent)

    def _list_comp(
        self, head: str, element: Item, loop: str, depth: int, *, maybe_none: bool = False
    ) -> None:
        """`head[element for loop]` the way ruff lays it out when it does not fit."""
        void = flatten(element) == "None"
        prefix = "None if row is None else " if maybe_none and not void else ""
        flat_element = prefix + flatten(element)
        indent, inner = INDENT * depth, INDENT * (depth + 1)
        if len(f"{indent}{head}[{flat_element} for {loop}]") <= LINE_LENGTH:
            self.lines.append(f"{indent}{head}[{flat_element} for {loop}]")
            return
        self.lines.append(f"{indent}{head}[")
        if len(f"{inner}{flat_element} for {loop}") <= LINE_LENGTH:
            self.lines.append(f"{inner}{flat_element} for {loop}")
        elif maybe_none:
            self.lines += [f"{inner}None", f"{inner}if row is None"]
            self._statement("else ", element, depth + 1)
            self.lines.append(f"{inner}for {loop}")
        else:
            self._statement("", element, depth + 1)
            self.lines.append(f"{inner}for {loop}")
        self.lines.append(f"{indent}]")

    # ---- iter_<method> ------------------------------------------------------------------------
    def _iterator(self) -> None:
        query, flavor = self.query, self.flavor
        ret = flavor.iterator_type(item_type(query))
        params = signature_params(query)
        self.lines += _signature(f"iter_{query.method}", params, ret, flavor, INDENT)
        doc = [*query.doc, "", "Stream the rows, fetching them from the server in chunks."]
        self.lines += _docstring(doc if query.doc else doc[2:], INDENT * 2)
        self.emit("db = self._db", 2)
        self.emit(f"if isinstance(db, {flavor.connection_class}):", 2)
        self._stream("db", 3)
        self.emit("else:", 2)
        self.emit(f"{flavor.with_} db.connection() as conn:", 3)
        self._stream("conn", 4)

    def _stream(self, conn: str, depth: int) -> None:
        query, flavor = self.query, self.flavor
        self.emit(f"cur = {flavor.cursor_class}({conn}, row_factory=tuple_row)", depth)
        args: list[Item] = [query.sql_const]
        if query.params:
            args.append(tuple_of(_values(query, "params" if query.params_struct else None)))
        if query.binary:
            args.append("binary=True")
        args.append("size=ITER_SIZE")
        row_expr = _row_expr(query, "row")
        row = "_" if flatten(row_expr) == "None" else "row"  # void: no value to read
        # Closing the stream in `finally` cancels the query when the caller stops early, so
        # the connection is usable (and goes back to the pool) once the iterator is closed.
        # psycopg annotates stream() as an iterator; it is a generator, which has close().
        kind = "Generator" if flavor.sync else "AsyncGenerator"
        generator = f'"collections.abc.{kind}[tuple[Any, ...], None{", None" * flavor.sync}]"'
        stream = Group("cur.stream(", args, ")")
        self.lines += bracketed("stream = typing.cast(", [generator, stream], "", INDENT * depth)
        self.emit("try:", depth)
        self.emit(f"{flavor.for_} {row} in stream:", depth + 1)
        self._statement("yield ", row_expr, depth + 2)
        self.emit("finally:", depth)
        self.emit(f"{flavor.await_}stream.{'close' if flavor.sync else 'aclose'}()", depth + 1)
