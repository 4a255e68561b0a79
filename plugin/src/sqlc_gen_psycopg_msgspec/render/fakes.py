"""fakes.py: FakeQuerier (and FakeSyncQuerier), in-memory Queriers for unit tests.

Each query method is a stub object: callable with the method's exact signature (so the fake
satisfies the Querier Protocol under mypy with no ignore), generic in the method's result
(so mypy checks what a test tells it to return), and recording every call's arguments.
"""

from __future__ import annotations

from sqlc_gen_psycopg_msgspec import names
from sqlc_gen_psycopg_msgspec.planning.commands import Command
from sqlc_gen_psycopg_msgspec.planning.plans import ContextPlan, QueryPlan
from sqlc_gen_psycopg_msgspec.render.common import header, used_imports
from sqlc_gen_psycopg_msgspec.render.context import Flavor, RenderOptions
from sqlc_gen_psycopg_msgspec.render.pyfmt import INDENT, Item, bracketed
from sqlc_gen_psycopg_msgspec.render.querier import querier_imports
from sqlc_gen_psycopg_msgspec.render.signatures import item_type, return_type, signature_params

_STUB = '''R = TypeVar("R")


class FakeNotSetError(AssertionError):
    """A fake method was called but the test did not say what it returns."""


def _constant(value: R) -> Callable[[dict[str, Any]], R]:
    return lambda _: value


class Stub(Generic[R]):
    """What one fake query method answers, and the calls it received (keyword arguments)."""

    __slots__ = ("_always", "_answers", "calls", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self.calls: list[dict[str, Any]] = []
        self._answers: list[Callable[[dict[str, Any]], R]] = []
        self._always: Callable[[dict[str, Any]], R] | None = None

    def returns(self, value: R) -> Self:
        """Answer every call with `value`."""
        self._answers.clear()
        self._always = _constant(value)
        return self

    def returns_in_order(self, *values: R) -> Self:
        """Answer the next calls with `values`, one each; a call past the last one fails."""
        self._always = None
        self._answers = [_constant(value) for value in values]
        return self

    def computes(self, compute: Callable[..., R]) -> Self:
        """Answer each call with `compute(**arguments)`."""
        self._answers.clear()
        self._always = lambda call: compute(**call)
        return self

    def raises(self, error: BaseException | type[BaseException]) -> Self:
        """Raise `error` (an instance or a class) on every call."""

        def fail(_: dict[str, Any]) -> R:
            raise error

        self._answers.clear()
        self._always = fail
        return self

    def answer(self, **call: Any) -> R:
        self.calls.append(call)
        if self._answers:
            return self._answers.pop(0)(call)
        if self._always is None:
            raise FakeNotSetError(
                f"fake query method {self.name} was called with {call} but has no answer "
                "left: set one with .returns(), .returns_in_order(), .computes() or .raises()"
            )
        return self._always(call)'''


def _stub_class(query: QueryPlan, flavor: Flavor) -> str:
    return f"_{'Sync' if flavor.sync else ''}{names.pascal(query.name)}Stub"


def _call_args(query: QueryPlan) -> list[Item]:
    if query.command.takes_iterable:
        return ["params=list(params)"]
    if query.params_struct is not None:
        return ["params=params"]
    return [f"{param.name}={param.name}" for param in query.params]


def _stub(query: QueryPlan, flavor: Flavor) -> list[str]:
    ret = return_type(query)
    lines = [f"class {_stub_class(query, flavor)}(Stub[{ret}]):", f"{INDENT}__slots__ = ()", ""]
    head = f"{flavor.def_} __call__("
    lines += bracketed(head, signature_params(query), f" -> {ret}:", INDENT)
    lines += bracketed("return self.answer(", _call_args(query), "", INDENT * 2)
    return lines


def _iterator(query: QueryPlan, flavor: Flavor) -> list[str]:
    """iter_<method> streams what <method> answers; the call is recorded on <method>."""
    ret = flavor.iterator_type(item_type(query))
    head = f"{flavor.def_} iter_{query.method}("
    lines = bracketed(head, signature_params(query), f" -> {ret}:", INDENT)
    answer = f"self.{query.method}.answer("
    if flavor.sync:
        return lines + bracketed(f"yield from {answer}", _call_args(query), "", INDENT * 2)
    lines += bracketed(f"for item in {answer}", _call_args(query), ":", INDENT * 2)
    return [*lines, f"{INDENT * 3}yield item"]


def _fake_class(plan: ContextPlan, flavor: Flavor, iterators: bool) -> list[str]:
    name = "FakeSyncQuerier" if flavor.sync else "FakeQuerier"
    protocol = "SyncQuerier" if flavor.sync else "Querier"
    queries = [query for file in plan.files for query in file.queries]
    lines = [
        f"class {name}:",
        f'{INDENT}"""{protocol} in memory: set what each method answers, read its calls."""',
        "",
        f"{INDENT}def __init__(self) -> None:",
    ]
    for query in queries:
        head = f"self.{query.method} = {_stub_class(query, flavor)}("
        lines += bracketed(head, [f'"{query.method}"'], "", INDENT * 2)
    if not queries:
        lines.append(f"{INDENT * 2}pass")
    for query in queries:
        if query.command is Command.MANY and iterators:
            lines += ["", *_iterator(query, flavor)]
    lines += [
        "",
        "",
        f"def _check_{name.lower()}(fake: {name}) -> {protocol}:",
        f"{INDENT}return fake  # mypy proves here that {name} implements {protocol}",
    ]
    return lines


def render_fakes(plan: ContextPlan, options: RenderOptions) -> str:
    imports = querier_imports(plan) | {
        ("collections.abc", "Callable"),
        ("typing", "Generic"),
        ("typing", "Self"),
        ("typing", "TypeVar"),
        (".querier", "Querier"),
        (".querier", "SyncQuerier"),
    }
    blocks = [_STUB.splitlines()]
    for flavor in options.flavors:
        for file in plan.files:
            blocks += [_stub(query, flavor) for query in file.queries]
    for flavor in options.flavors:
        blocks.append(_fake_class(plan, flavor, options.emit_iterators))
    body = "\n\n\n".join("\n".join(block) for block in blocks)
    lines = header(plan.sqlc_version)
    lines.append('"""In-memory fakes of this package\'s Queriers, for unit tests."""')
    lines += ["", *used_imports(imports, body, plan.first_party), "", body]
    return "\n".join(lines) + "\n"
