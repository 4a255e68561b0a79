"""One module per query file: SQL constants, Params/Row Structs, and the query methods."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from sqlc_gen_psycopg_msgspec.plan import (
    BATCH,
    ContextPlan,
    Field,
    FilePlan,
    ModelPlan,
    QueryPlan,
    mixin_name,
)
from sqlc_gen_psycopg_msgspec.pyfmt import (
    INDENT,
    LINE_LENGTH,
    Group,
    Item,
    assign_bytes,
    bracketed,
    flatten,
    tuple_of,
)
from sqlc_gen_psycopg_msgspec.render_common import (
    construct,
    dump_expr,
    header,
    load_expr,
    used_imports,
)
from sqlc_gen_psycopg_msgspec.render_models import render_struct
from sqlc_gen_psycopg_msgspec.typemap import Import, Load


@dataclass(frozen=True)
class Flavor:
    """The words that differ between the async and the sync code."""

    sync: bool

    @property
    def defn(self) -> str:
        return "def" if self.sync else "async def"

    @property
    def aw(self) -> str:
        return "" if self.sync else "await "

    @property
    def with_(self) -> str:
        return "with" if self.sync else "async with"

    @property
    def for_(self) -> str:
        return "for" if self.sync else "async for"

    @property
    def conn(self) -> str:
        return "Connection" if self.sync else "AsyncConnection"

    @property
    def cursor(self) -> str:
        return "RawCursor" if self.sync else "AsyncRawCursor"

    @property
    def iterator(self) -> str:
        return "Iterator" if self.sync else "AsyncIterator"

    @property
    def base(self) -> str:
        return "SyncBase" if self.sync else "AsyncBase"


def return_type(query: QueryPlan) -> str:
    cmd = query.cmd
    item = _item_type(query) if query.returns_rows else ""
    if cmd in (":one", ":execlastid"):
        return _optional(item)
    if cmd == ":many":
        return f"list[{item}]"
    if cmd == ":batchone":
        return f"list[{_optional(item)}]"
    if cmd == ":batchmany":
        return f"list[list[{item}]]"
    if cmd in (":execrows", ":copyfrom"):
        return "int"
    if cmd == ":execresult":
        return "ExecResult"
    return "None"


def _optional(item: str) -> str:
    """`item | None`, unless None is already one of its values (a void column is None)."""
    return item if item.endswith("| None") or item in ("Any", "None") else f"{item} | None"


def _item_type(query: QueryPlan) -> str:
    if query.scalar is not None:
        return query.scalar.annotation
    return query.row.class_name if query.row is not None else "None"


def signature_params(query: QueryPlan) -> list[str]:
    if query.cmd == ":copyfrom" or query.cmd in BATCH:
        item = query.params_struct or (query.params[0].annotation if query.params else "None")
        return ["self", f"params: Iterable[{item}]"]
    if query.params_struct is not None:
        return ["self", f"params: {query.params_struct}"]
    if not query.params:
        return ["self"]
    return ["self", "*", *(f"{p.name}: {p.annotation}" for p in query.params)]


def _args_tuple(values: list[str]) -> Group:
    return tuple_of(values)


def _values(query: QueryPlan, source: str | None) -> list[str]:
    """The dumped values in $n order; `source` is the object holding them, if any."""
    out = []
    for p in query.params:
        value = p.name if source is None else f"{source}.{p.name}"
        out.append(dump_expr(p.type, value))
    return out


def _row_expr(query: QueryPlan, row: str) -> Item:
    if query.scalar is not None:
        return load_expr(query.scalar.type, f"{row}[0]")
    assert query.row is not None
    return construct(query.row, row)


def _signature(name: str, params: list[str], ret: str, flavor: Flavor, indent: str) -> list[str]:
    prefix = f"{flavor.defn} {name}("
    return bracketed(prefix, params, f" -> {ret}:", indent)


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
        *(f"{indent}{t}" if t else "" for t in text[1:]),
        f'{indent}"""',
    ]


class MethodWriter:
    """Writes one query's method (and its iterator variant) for one flavor."""

    def __init__(self, query: QueryPlan, flavor: Flavor) -> None:
        self.q = query
        self.f = flavor
        self.lines: list[str] = []
        self.i1 = INDENT
        self.i2 = INDENT * 2

    def emit(self, line: str, depth: int) -> None:
        self.lines.append(INDENT * depth + line if line else "")

    def write(self) -> list[str]:
        q = self.q
        self.lines += _signature(q.method, signature_params(q), return_type(q), self.f, self.i1)
        self.lines += _docstring(q.doc, self.i2)
        if q.cmd in (":batchone", ":batchmany"):
            self.emit(f"args = [{self._batch_args()[1:-1]}]", 2)
            self.emit("results: list[Any] = []", 2)
        self.emit("db = self._db", 2)
        self.emit(f"if isinstance(db, {self.f.conn}):", 2)
        self._body("db", 3)
        self.emit("else:", 2)
        self.emit(f"{self.f.with_} db.connection() as conn:", 3)
        self._body("conn", 4)
        self._tail(2)
        if q.cmd == ":many" and self._iterators:
            self.lines.append("")
            self._iterator()
        return self.lines

    _iterators = False

    # ---- inside the connection ------------------------------------------------------------
    def _call(self, head: str, args: Sequence[Item], depth: int, tail: str = ")") -> None:
        for line in bracketed(head, args, "", INDENT * depth, tail):
            self.lines.append(line)

    def _body(self, conn: str, d: int) -> None:
        q, f = self.q, self.f
        if q.cmd == ":copyfrom" or q.cmd in BATCH or f.sync:
            # A cursor of its own: COPY and batches keep state across awaits, and sync
            # connections may be shared by threads.
            factory = ", row_factory=tuple_row" if q.returns_rows else ""
            self.emit(f"cur = {f.cursor}({conn}{factory})", d)
        else:
            self.emit(f"cur = async_cursor({conn})", d)
        if q.cmd == ":copyfrom":
            self._copy(d)
            return
        if q.cmd in BATCH:
            self._batch(d)
            return
        args: list[Item] = [q.sql_const]
        if q.params:
            source = "params" if q.params_struct else None
            values = _values(q, source)
            args.append(_args_tuple(values))
        self._call(f"{f.aw}cur.execute(", args, d)
        if q.cmd in (":one", ":execlastid"):
            self.emit(f"row = {f.aw}cur.fetchone()", d)
        elif q.cmd == ":many":
            self.emit(f"rows = {f.aw}cur.fetchall()", d)
        elif q.cmd == ":execrows":
            # Read before the pool takes the connection back: the cursor is shared.
            self.emit("count = cur.rowcount", d)
        elif q.cmd == ":execresult":
            self.emit("result = ExecResult(cur.rowcount, cur.statusmessage)", d)

    def _batch_args(self) -> str:
        q = self.q
        if q.params_struct:
            return f"({_args_tuple(_values(q, 'p')).flat()} for p in params)"
        if q.params:
            return f"({_args_tuple([dump_expr(q.params[0].type, 'p')]).flat()} for p in params)"
        return "(() for _ in params)"

    def _batch(self, d: int) -> None:
        q, f = self.q, self.f
        if q.cmd == ":batchexec":
            self._call(f"{f.aw}cur.executemany(", [q.sql_const, self._batch_args()], d)
            return
        self.emit("if args:", d)
        self._call(f"{f.aw}cur.executemany(", [q.sql_const, "args", "returning=True"], d + 1)
        self.emit(f"{f.for_} _ in cur.results():", d + 1)
        fetch = "fetchone" if q.cmd == ":batchone" else "fetchall"
        self.emit(f"results.append({f.aw}cur.{fetch}())", d + 2)

    def _copy(self, d: int) -> None:
        q, f = self.q, self.f
        assert q.copy is not None
        self.emit(f"{f.with_} cur.copy({q.sql_const}_COPY) as copy:", d)
        if q.copy.binary_types is not None:
            self.emit(f"copy.set_types({q.sql_const}_COPY_TYPES)", d + 1)
        self.emit("for p in params:", d + 1)
        values = _values(q, "p") if q.params_struct else [dump_expr(q.params[0].type, "p")]
        self._call(f"{f.aw}copy.write_row(", [_args_tuple(values)], d + 2)

    # ---- after the connection is released ---------------------------------------------------
    def _tail(self, d: int) -> None:
        q = self.q
        cmd = q.cmd
        if cmd in (":one", ":execlastid"):
            self.emit("if row is None:", d)
            self.emit("return None", d + 1)
            if q.scalar is not None and q.scalar.type.load is Load.AS_IS:
                # An annotated local turns psycopg's Any into the declared type for mypy.
                self.emit(f"value: {q.scalar.annotation} = row[0]", d)
                self.emit("return value", d)
            else:
                self._statement("return ", _row_expr(q, "row"), d)
        elif cmd == ":many":
            self._list_comp("return ", _row_expr(q, "row"), "row in rows", d)
        elif cmd == ":execrows":
            self.emit("return count", d)
        elif cmd == ":copyfrom":
            self.emit("return cur.rowcount", d)
        elif cmd == ":execresult":
            self.emit("return result", d)
        elif cmd == ":batchone":
            self._list_comp("return ", _row_expr(q, "row"), "row in results", d, maybe_none=True)
        elif cmd == ":batchmany":
            self.emit(f"batches: {return_type(q)} = []", d)
            self.emit("for rows in results:", d)
            self._list_comp("batch = ", _row_expr(q, "row"), "row in rows", d + 1)
            self.emit("batches.append(batch)", d + 1)
            self.emit("return batches", d)

    def _statement(self, head: str, expr: Item, d: int) -> None:
        """`head` + expression, exploding a constructor call that is too long."""
        indent = INDENT * d
        flat = f"{indent}{head}{flatten(expr)}"
        if len(flat) <= LINE_LENGTH or not isinstance(expr, Group):
            self.lines.append(flat)
        else:
            self.lines += Group(head + expr.head, expr.items, expr.close).lines(indent)

    def _list_comp(
        self, head: str, elt: Item, loop: str, d: int, *, maybe_none: bool = False
    ) -> None:
        """`head[elt for loop]` the way ruff lays it out when it does not fit."""
        void = flatten(elt) == "None"
        prefix = "None if row is None else " if maybe_none and not void else ""
        flat_elt = prefix + flatten(elt)
        indent, inner = INDENT * d, INDENT * (d + 1)
        if len(f"{indent}{head}[{flat_elt} for {loop}]") <= LINE_LENGTH:
            self.lines.append(f"{indent}{head}[{flat_elt} for {loop}]")
            return
        self.lines.append(f"{indent}{head}[")
        if len(f"{inner}{flat_elt} for {loop}") <= LINE_LENGTH:
            self.lines.append(f"{inner}{flat_elt} for {loop}")
        elif maybe_none:
            self.lines += [f"{inner}None", f"{inner}if row is None"]
            self._statement("else ", elt, d + 1)
            self.lines.append(f"{inner}for {loop}")
        else:
            self._statement("", elt, d + 1)
            self.lines.append(f"{inner}for {loop}")
        self.lines.append(f"{indent}]")

    def _iterator(self) -> None:
        q, f = self.q, self.f
        item = _item_type(q)
        ret = f"{f.iterator}[{item}]"
        self.lines += _signature(f"iter_{q.method}", signature_params(q), ret, f, self.i1)
        doc = [*q.doc, "", "Stream the rows, fetching them from the server in chunks."]
        self.lines += _docstring(doc if q.doc else doc[2:], self.i2)
        self.emit("db = self._db", 2)
        self.emit(f"if isinstance(db, {f.conn}):", 2)
        self._stream("db", 3)
        self.emit("else:", 2)
        self.emit(f"{f.with_} db.connection() as conn:", 3)
        self._stream("conn", 4)

    def _stream(self, conn: str, d: int) -> None:
        q, f = self.q, self.f
        self.emit(f"cur = {f.cursor}({conn}, row_factory=tuple_row)", d)
        args: list[Item] = [q.sql_const]
        if q.params:
            args.append(_args_tuple(_values(q, "params" if q.params_struct else None)))
        args.append("size=ITER_SIZE")
        row = "_" if flatten(_row_expr(q, "row")) == "None" else "row"  # void: no value to read
        head = f"{f.for_} {row} in cur.stream("
        lines = bracketed(head, args, ":", INDENT * d)
        self.lines += lines
        self._statement("yield ", _row_expr(q, "row"), d + 1)


def _module_doc(file: FilePlan) -> str:
    return f'"""Queries from {file.filename}."""'


def _struct_imports(fields: list[Field] | tuple[Field, ...]) -> set[Import]:
    imports: set[Import] = set()
    for field in fields:
        if field.embed is not None:
            imports.add((".models", field.embed.class_name))
        else:
            imports.update(field.type.element.imports)
    return imports


def render_query_file(
    plan: ContextPlan,
    file: FilePlan,
    emit_async: bool,
    emit_sync: bool,
    iterators: bool,
    frozen: bool,
) -> str:
    blocks: list[list[str]] = []
    imports: set[Import] = {
        ("msgspec", None),
        ("typing", "Any"),
        ("collections.abc", "Iterable"),
        ("collections.abc", "AsyncIterator"),
        ("collections.abc", "Iterator"),
        ("psycopg", "AsyncConnection"),
        ("psycopg", "AsyncRawCursor"),
        ("psycopg", "Connection"),
        ("psycopg", "RawCursor"),
        ("psycopg.rows", "tuple_row"),
        ("psycopg.types.json", "Json"),
        ("psycopg.types.json", "Jsonb"),
        ("._runtime", "AsyncBase"),
        ("._runtime", "SyncBase"),
        ("._runtime", "ExecResult"),
        ("._runtime", "load_enum_array"),
        ("._runtime", "async_cursor"),
    }
    constants: list[str] = []
    for query in file.queries:
        constants += assign_bytes(query.sql_const, query.sql)
        if query.copy is not None:
            constants += assign_bytes(f"{query.sql_const}_COPY", query.copy.sql)
            if query.copy.binary_types is not None:
                types = [f'"{t}"' for t in query.copy.binary_types]
                constants += bracketed(f"{query.sql_const}_COPY_TYPES = (", types, "", "")
                if len(types) == 1:
                    constants[-1] = constants[-1].replace('")', '",)')
    if iterators and any(q.cmd == ":many" for q in file.queries):
        constants.append("ITER_SIZE = 100  # rows per round trip of the iter_* methods")
    structs: list[list[str]] = []
    for query in file.queries:
        if query.row is not None and query.row_is_own:
            structs.append(render_struct(query.row, frozen))
        elif query.row is not None:
            imports.add((".models", query.row.class_name))
        imports |= _struct_imports(_all_fields(query))
        if query.scalar is not None:
            imports |= _struct_imports([query.scalar])
        if query.params_struct is not None:
            structs.append(
                render_struct(ModelPlan(query.params_struct, tuple(query.params)), frozen)
            )
        imports |= _struct_imports(query.params)
        for field in _all_fields(query):
            if field.type.load in (Load.ENUM, Load.ENUM_ARRAY):
                imports.add((".models", field.type.element.enum_map or ""))
    blocks.append(constants)
    blocks += structs
    for flavor in [Flavor(sync=False)] * emit_async + [Flavor(sync=True)] * emit_sync:
        blocks.append(_mixin(file, flavor, iterators))
    body = "\n\n\n".join("\n".join(block) for block in blocks if block)
    lines = header(plan.sqlc_version, file.filename)
    lines.append(_module_doc(file))
    # ruff wants one blank line between imports and constants, two before a class.
    gap = [""] if constants else ["", ""]
    lines += ["", *used_imports(imports, body, plan.first_party), *gap, body]
    return "\n".join(lines) + "\n"


def _all_fields(query: QueryPlan) -> list[Field]:
    fields = list(query.params)
    if query.scalar is not None:
        fields.append(query.scalar)
    if query.row is not None:
        stack = list(query.row.fields)
        while stack:
            field = stack.pop()
            if field.embed is not None:
                stack.extend(field.embed.fields)
                fields.append(field)
            else:
                fields.append(field)
    return fields


def _mixin(file: FilePlan, flavor: Flavor, iterators: bool) -> list[str]:
    name = mixin_name(file.module, sync=flavor.sync)
    kind = "sync" if flavor.sync else "async"
    lines = [
        f"class {name}({flavor.base}):",
        f'{INDENT}"""The {kind} queries of {file.filename}."""',
        "",
        f"{INDENT}__slots__ = ()",
    ]
    for query in file.queries:
        writer = MethodWriter(query, flavor)
        writer._iterators = iterators
        lines.append("")
        lines += writer.write()
    return lines
