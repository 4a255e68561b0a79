"""Schemathesis hooks for the fuzz run (loaded by name from schemathesis.toml).

Two checks of our own on top of the built-in ones.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from schemathesis import CheckContext, Response
from schemathesis.generation.case import Case

PROBLEM = "application/problem+json"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def _header(response: Response, name: str) -> str | None:
    for key, value in response.headers.items():
        if key.lower() == name:
            return value[0] if isinstance(value, list) else str(value)
    return None


@schemathesis.check
def problem_details_for_errors(
    ctx: CheckContext, response: Response, case: Case[Any]
) -> bool | None:
    """Every 4xx/5xx is an RFC 9457 body whose status is the response's own."""
    if response.status_code < 400:
        return None
    content_type = (_header(response, "content-type") or "").split(";")[0].strip()
    if content_type != PROBLEM:
        raise AssertionError(f"{response.status_code} answered as {content_type!r}, not {PROBLEM}")
    body = json.loads(response.content)
    if not (isinstance(body, dict) and body.get("status") == response.status_code):
        raise AssertionError(f"problem body does not state status {response.status_code}")
    if not (isinstance(body.get("title"), str) and isinstance(body.get("type"), str)):
        raise AssertionError("problem body lacks type or title")
    if "Traceback" in response.content.decode(errors="replace"):
        raise AssertionError("a stack trace reached the client")
    return True


@schemathesis.check
def security_headers(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """The headers web/middleware.py promises, and a request id, on every response."""
    for name, value in SECURITY_HEADERS.items():
        if _header(response, name) != value:
            raise AssertionError(f"{name} is {_header(response, name)!r}, expected {value!r}")
    if not _header(response, "x-request-id"):
        raise AssertionError("no X-Request-ID")
    return True
