"""The plugin's ``options:`` from sqlc.yaml: decoded strictly, every mistake named."""

from __future__ import annotations

import base64
import binascii
import difflib
import re

import msgspec

from sqlc_gen_psycopg_msgspec.errors import PluginError


class Override(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Use ``py_type`` for a database type (``db_type``) or for one column (``column``)."""

    py_type: str
    db_type: str | None = None
    column: str | None = None
    # An explicit import line, for a py_type that is not a plain dotted path.
    py_import: str | None = None


class Options(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    emit_async: bool = True
    emit_sync: bool = False
    emit_iterators: bool = False
    emit_fakes: bool = False
    emit_docstrings: bool = True
    emit_exact_table_names: bool = False
    omit_unused_models: bool = False
    query_parameter_limit: int = 4
    frozen_structs: bool = False
    strict_types: bool = False
    nullable_array_elements: bool = False
    rename: dict[str, str] = {}
    # Top-level packages sorted as first-party imports (besides the folders of `out`).
    known_first_party: list[str] = []
    # Shared models: the dotted import path of the package holding every enum, composite type
    # and table Struct once, its folder under `out`, and the folder of this entry's package.
    models_package: str | None = None
    models_dir: str | None = None
    package_dir: str | None = None
    overrides: list[Override] = []


_KNOWN = tuple(Options.__struct_fields__)
_OVERRIDE_KNOWN = tuple(Override.__struct_fields__)
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _suggest(name: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"{hint}; known options: {', '.join(sorted(known))}"


def _raw_options(encoded: str) -> dict[str, object]:
    if not encoded:
        return {}
    try:
        raw = msgspec.json.decode(base64.b64decode(encoded, validate=True))
    except (binascii.Error, msgspec.DecodeError) as exc:
        raise PluginError(f"plugin options are not valid JSON: {exc}") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise PluginError("plugin options must be a mapping of option names to values")
    return raw


def _check_names(raw: dict[str, object]) -> None:
    for key in raw:
        if key not in _KNOWN:
            raise PluginError(f"unknown option '{key}'{_suggest(key, _KNOWN)}")
    overrides = raw.get("overrides")
    if isinstance(overrides, list):
        for index, item in enumerate(overrides):
            if isinstance(item, dict):
                for key in item:
                    if key not in _OVERRIDE_KNOWN:
                        raise PluginError(
                            f"unknown key '{key}' in option overrides[{index}]"
                            f"{_suggest(key, _OVERRIDE_KNOWN)}"
                        )


def _check_override(index: int, override: Override) -> None:
    where = f"option overrides[{index}]"
    if (override.db_type is None) == (override.column is None):
        raise PluginError(f"{where} needs exactly one of 'db_type' or 'column'")
    if override.column is not None and override.column.count(".") not in (1, 2):
        raise PluginError(
            f"{where}: column '{override.column}' must be 'table.column' or 'schema.table.column'"
        )
    if override.py_import is None and not _DOTTED.match(override.py_type):
        raise PluginError(
            f"{where}: py_type '{override.py_type}' is not a dotted name such as "
            "'app.models.Payload'; give 'py_import' for anything else"
        )


def _check_rename(rename: dict[str, str]) -> None:
    for key, value in rename.items():
        if not _IDENT.match(value):
            raise PluginError(f"option rename: '{key}' -> '{value}' is not a Python identifier")


def _check_shared_models(options: Options) -> None:
    if options.models_package is None:
        if options.models_dir is not None or options.package_dir is not None:
            raise PluginError("options models_dir and package_dir need option models_package")
        return
    if not _DOTTED.match(options.models_package):
        raise PluginError(
            f"option models_package '{options.models_package}' is not a dotted module path "
            "such as 'app.db.models'"
        )
    if options.package_dir is None:
        raise PluginError(
            "option models_package needs option package_dir: every entry shares one `out` "
            "(sqlc writes nothing outside it) and writes its package into out/<package_dir>"
        )
    for name in ("models_dir", "package_dir"):
        folder = getattr(options, name)
        if folder is not None and not all(part.isidentifier() for part in folder.split("/")):
            raise PluginError(f"option {name} '{folder}' must be a relative folder of identifiers")


def parse_options(encoded: str) -> Options:
    """Decode the base64 JSON options sqlc forwards; raise PluginError naming the mistake."""
    raw = _raw_options(encoded)
    _check_names(raw)
    try:
        options = msgspec.convert(raw, Options)
    except msgspec.ValidationError as exc:
        where = str(exc).replace("$.", "option ").replace("`$`", "options")
        raise PluginError(f"invalid option: {where}") from None
    if not (options.emit_async or options.emit_sync):
        raise PluginError("options emit_async and emit_sync are both false: nothing to emit")
    if options.query_parameter_limit < -1:
        raise PluginError("option query_parameter_limit must be -1 (never a Params struct) or >= 0")
    for index, override in enumerate(options.overrides):
        _check_override(index, override)
    _check_shared_models(options)
    _check_rename(options.rename)
    return options
