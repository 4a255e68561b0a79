"""Logs: loguru, one JSON object per line on stdout, stdlib loggers routed in."""

from __future__ import annotations

import logging
import re
import sys
from datetime import UTC
from typing import TYPE_CHECKING, Any, TextIO

import msgspec
from loguru import logger

from rhythm.service.audit import current_request_id
from rhythm.web.access_log import ACCESS_LOG

if TYPE_CHECKING:
    from loguru import Message, Record

# Third-party loggers whose records we want, at the level we choose, in our format.
_ROUTED = ("uvicorn", "uvicorn.error", "uvicorn.access", "litestar", "psycopg", "psycopg.pool")
# A value JSON cannot hold (a mail header, a path) is written as its text: a line is never
# lost for the type of one extra field.
_encoder = msgspec.json.Encoder(enc_hook=str)
_STDLIB_LEVELS = {"TRACE": 5, "DEBUG": logging.DEBUG, "INFO": logging.INFO}
_STDLIB_LEVELS |= {"WARNING": logging.WARNING, "ERROR": logging.ERROR}


def json_line(record: Record) -> bytes:
    """One log record as a compact JSON line (fields a log pipeline can index)."""
    entry: dict[str, Any] = {
        "time": record["time"].astimezone(UTC).isoformat(timespec="milliseconds"),
        "level": record["level"].name,
        "logger": record["extra"].get("logger", record["name"]),
        "message": record["message"],
    }
    entry.update((k, v) for k, v in record["extra"].items() if k != "logger")
    if record["exception"] is not None:
        entry["exception"] = _format_exception(record)
    return _encoder.encode(entry) + b"\n"


def _format_exception(record: Record) -> str:
    import traceback

    exc = record["exception"]
    assert exc is not None
    return "".join(traceback.format_exception(exc.type, exc.value, exc.traceback))


def _with_request_id(record: Record) -> None:
    """Every line logged inside a request carries its id, first among the extra fields (as
    loguru's ``contextualize`` placed it); a value bound on the line itself wins."""
    request_id = current_request_id()
    if request_id is not None and "request_id" not in record["extra"]:
        record["extra"] = {"request_id": request_id, **record["extra"]}


class _JsonSink:
    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def __call__(self, message: Message) -> None:
        self._stream.write(json_line(message.record).decode())
        self._stream.flush()


# A credential in a query string: uvicorn logs a WebSocket's path with its query, and room
# sockets carry the access token there (browsers cannot set headers on a WebSocket).
_QUERY_TOKEN = re.compile(r"([?&][^=&\s\"']*token=)[^&#\s\"']*", re.IGNORECASE)


def redact(message: str) -> str:
    """``message`` with the value of every ``...token=`` query parameter replaced."""
    if "token=" not in message.lower():
        return message
    return _QUERY_TOKEN.sub(r"\1[redacted]", message)


class InterceptHandler(logging.Handler):
    """Hands stdlib log records to loguru, keeping the original logger name; query-string
    tokens are redacted on the way (libraries log URLs as they received them)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            level: str | int = logger.level(record.levelname).name
        except ValueError:
            level = record.levelno
        logger.bind(logger=record.name).opt(exception=record.exc_info).log(
            level, redact(record.getMessage())
        )


def configure_logging(level: str = "INFO", stream: TextIO | None = None) -> None:
    """Send every log line, ours and the libraries', as JSON to ``stream`` (stdout)."""
    logger.remove()
    logger.configure(patcher=_with_request_id)
    logger.add(_JsonSink(stream or sys.stdout), level=level.upper(), enqueue=False)
    access_on = logger.level(level.upper()).no <= logger.level("INFO").no
    ACCESS_LOG.configure((stream or sys.stdout) if access_on else None)
    # The same threshold on the stdlib side: below it, a library's debug call (psycopg's pool
    # logs every borrow) is dropped before a LogRecord is built, not after a trip to loguru.
    threshold = _STDLIB_LEVELS.get(level.upper(), logging.DEBUG)
    logging.basicConfig(handlers=[InterceptHandler()], level=threshold, force=True)
    for name in _ROUTED:
        lib = logging.getLogger(name)
        lib.handlers = [InterceptHandler()]
        lib.propagate = False
        lib.setLevel(threshold)
    # psycopg's pool logs every borrow and return at INFO: noise that costs real throughput on
    # a one-query endpoint. Its failures are WARNING and still come through.
    logging.getLogger("psycopg.pool").setLevel(max(threshold, logging.WARNING))
    # uvicorn's own access log is replaced by ours (it lacks the request id and duration).
    logging.getLogger("uvicorn.access").disabled = True
