"""Entry point of the sqlc process plugin: JSON GenerateRequest on stdin, response on stdout."""

from __future__ import annotations

import os
import sys
import traceback

import msgspec

from sqlc_gen_psycopg_msgspec.errors import PluginError
from sqlc_gen_psycopg_msgspec.generate import generate
from sqlc_gen_psycopg_msgspec.reading.request import (
    GenerateResponse,
    decode_request,
    encode_response,
)

_PREFIX = "sqlc-gen-python"


def run(data: bytes) -> tuple[bytes, list[str]]:
    """Pure core of the plugin: request bytes in, response bytes and warnings out."""
    if not data.strip():
        raise PluginError(
            "no request on stdin: this program is run by `sqlc generate` "
            "(plugin with `process: {cmd: ..., format: json}`)"
        )
    try:
        request = decode_request(data)
    except msgspec.ValidationError as exc:
        raise PluginError(f"request does not look like sqlc's GenerateRequest: {exc}") from None
    except msgspec.DecodeError as exc:
        hint = "" if data.lstrip()[:1] in (b"{", b"[") else " (is `format: json` set?)"
        raise PluginError(f"request is not valid JSON{hint}: {exc}") from None
    except RecursionError:  # msgspec's depth guard: no real GenerateRequest nests this deep
        raise PluginError("request nests too deeply to be sqlc's GenerateRequest") from None
    if request.settings.engine and request.settings.engine != "postgresql":
        raise PluginError(
            f"engine '{request.settings.engine}' is not supported; sqlc-gen-python emits "
            "psycopg code for engine: postgresql"
        )
    files, warnings = generate(request)
    return encode_response(GenerateResponse(files)), warnings


def main() -> None:
    data = sys.stdin.buffer.read()
    try:
        output, warnings = run(data)
    except PluginError as exc:
        sys.stderr.write(f"{_PREFIX}: error: {exc}\n")
        sys.exit(1)
    except Exception as exc:  # a bug in the plugin: say so briefly, trace only on request
        if os.environ.get("SQLC_GEN_PYTHON_DEBUG"):
            traceback.print_exc()
        sys.stderr.write(f"{_PREFIX}: internal error, please report: {type(exc).__name__}: {exc}\n")
        sys.exit(2)
    for warning in warnings:
        sys.stderr.write(f"{_PREFIX}: warning: {warning}\n")
    sys.stdout.buffer.write(output)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
