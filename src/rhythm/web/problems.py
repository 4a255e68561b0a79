"""RFC 9457 problem details for every error the API can answer, and no stack trace ever."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Annotated, Literal

import msgspec
from litestar import Response
from litestar.exceptions import HTTPException
from litestar.openapi import ResponseSpec
from litestar.types import ExceptionHandlersMap
from loguru import logger
from msgspec import UNSET, UnsetType

from rhythm.service.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    InvalidCredentialsError,
    InvalidTokenError,
    NotAuthenticatedError,
    NotFoundError,
    RateLimitedError,
    RuleViolationError,
)
from rhythm.store.errors import (
    CheckViolationError,
    DatabaseUnavailableError,
    ForeignKeyViolationError,
    SerializationError,
    StoreError,
    UniqueViolationError,
)
from rhythm.web.params import AnyRequest

PROBLEM_MEDIA_TYPE = "application/problem+json"
_RETRY_AFTER_S = "1"


ProblemSource = Literal["body", "query", "path", "header", "cookie"]
_SOURCES: frozenset[str] = frozenset(("body", "query", "path", "header", "cookie"))

# Field types with their documentation; optional fields are UNSET (absent), never null.
_Key = Annotated[str, msgspec.Meta(description="Dotted path of the field", examples=["password"])]
_Type = Annotated[str, msgspec.Meta(description="about:blank: status and title say it all")]
_Title = Annotated[str, msgspec.Meta(description="HTTP reason phrase", examples=["Conflict"])]
_Status = Annotated[int, msgspec.Meta(ge=400, le=599, examples=[409])]
_Detail = Annotated[
    str,
    msgspec.Meta(
        description="For people, not for parsing",
        examples=["an account with this email already exists"],
    ),
]
_Instance = Annotated[str, msgspec.Meta(description="Path of the request")]
_RequestId = Annotated[str, msgspec.Meta(description="X-Request-ID; quote it in bug reports")]


class FieldError(msgspec.Struct, omit_defaults=True):
    """One reason a request failed validation, for showing next to the field it names."""

    message: Annotated[str, msgspec.Meta(examples=["Expected `str` of length >= 8"])]
    key: _Key | UnsetType = UNSET
    source: ProblemSource | UnsetType = UNSET


_Errors = Annotated[list[FieldError], msgspec.Meta(description="Per-field reasons (400 only)")]


class Problem(msgspec.Struct, omit_defaults=True):
    """An RFC 9457 problem details body (``application/problem+json``)."""

    type: _Type
    title: _Title
    status: _Status
    detail: _Detail
    instance: _Instance | UnsetType = UNSET
    request_id: _RequestId | UnsetType = UNSET
    errors: _Errors | UnsetType = UNSET


# Litestar's text for a required body that is absent: the repr of a KeyError on its name.
_ABSENT_BODY = "'data'"
_BODY_REQUIRED = "a JSON body is required"


def field_errors(extra: object) -> list[FieldError] | UnsetType:
    """Litestar's validation ``extra`` as typed items; anything else is left out, not guessed."""
    if not isinstance(extra, list):
        return UNSET
    found = []
    for item in extra:
        if isinstance(item, dict) and isinstance(item.get("message"), str):
            key, source = item.get("key"), item.get("source")
            absent = item["message"] == _ABSENT_BODY and key == "data"
            found.append(
                FieldError(
                    message=_BODY_REQUIRED if absent else item["message"],
                    key=key if isinstance(key, str) else UNSET,
                    source=source if source in _SOURCES else UNSET,
                )
            )
    return found or UNSET


# What a problem says when its error gave nothing beyond the status's reason phrase: every
# problem has a detail, so a client can always show one.
_DETAILS = {
    404: "nothing is at this path",
    405: "this path does not take this method; the Allow header lists those it takes",
    413: "the request body is larger than the server accepts",
}


def generic_detail(status: int) -> str:
    return _DETAILS.get(status) or HTTPStatus(status).phrase


def problem_response(
    request: AnyRequest,
    status: int,
    detail: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    errors: list[FieldError] | UnsetType = UNSET,
) -> Response[Problem]:
    request_id = request.scope.get("state", {}).get("request_id")
    body = Problem(
        type="about:blank",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=generic_detail(status) if detail is None else detail,
        instance=request.url.path,
        request_id=request_id if isinstance(request_id, str) else UNSET,
        errors=errors,
    )
    return Response(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _http_error(request: AnyRequest, exc: HTTPException) -> Response[Problem]:
    detail = exc.detail if exc.detail != HTTPStatus(exc.status_code).phrase else None
    headers = dict(exc.headers or {})
    if exc.status_code == 401:
        # RFC 9110: a 401 names its scheme; said here once for every 401.
        headers.setdefault("WWW-Authenticate", "Bearer")
    return problem_response(
        request, exc.status_code, detail, headers=headers, errors=field_errors(exc.extra)
    )


def _store_error(request: AnyRequest, exc: StoreError) -> Response[Problem]:
    # Services map expected violations to domain errors; what reaches here is a safety net.
    if isinstance(exc, DatabaseUnavailableError | SerializationError):
        return problem_response(
            request,
            503,
            "the database is unavailable; retry shortly",
            headers={"Retry-After": _RETRY_AFTER_S},
        )
    if isinstance(exc, UniqueViolationError):
        return problem_response(request, 409, "the resource already exists")
    if isinstance(exc, ForeignKeyViolationError | CheckViolationError):
        return problem_response(request, 409, "the change conflicts with existing data")
    return _unexpected(request, exc)


_DOMAIN_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (NotFoundError, 404),
    (ConflictError, 409),
    (InvalidCredentialsError, 401),
    (InvalidTokenError, 401),
    (NotAuthenticatedError, 401),
    (ForbiddenError, 403),
    (RuleViolationError, 422),
    (RateLimitedError, 429),
)


def domain_status(exc: DomainError) -> int:
    return next((status for kind, status in _DOMAIN_STATUS if isinstance(exc, kind)), 400)


def _domain_error(request: AnyRequest, exc: DomainError) -> Response[Problem]:
    status = domain_status(exc)
    headers = None
    if isinstance(exc, RateLimitedError):
        headers = {"Retry-After": str(exc.retry_after_s)}
    elif status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    return problem_response(request, status, exc.message, headers=headers)


PROBLEM_DESCRIPTIONS = {
    400: "Malformed request: bad JSON, wrong types, unknown fields, or broken constraints",
    401: "Missing, invalid or expired credentials",
    403: "Authenticated, but not allowed",
    404: "No such resource",
    409: "Conflicts with the current state",
    413: "Request body too large",
    415: "A body on an operation that takes none, or a body not sent as application/json",
    422: "Well-formed, but breaks a business rule",
    431: "The request target and headers together are too large",
    429: "Too many attempts; see Retry-After",
    500: "Unexpected error; it was logged under the response's request_id",
    503: "Database unavailable; retry after Retry-After seconds",
}


def responses(*statuses: int, notes: Mapping[int, str] | None = None) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problem-details answers an operation can give; ``notes`` says
    what a status means for this operation where the general wording is not enough."""
    notes = notes or {}
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=notes.get(status)
            or PROBLEM_DESCRIPTIONS.get(status, HTTPStatus(status).phrase),
            media_type=PROBLEM_MEDIA_TYPE,
            generate_examples=False,
        )
        for status in (*statuses, 503)
    }


def _not_utf8(request: AnyRequest, _: UnicodeDecodeError) -> Response[Problem]:
    # msgspec raises this (not a DecodeError) for invalid UTF-8 inside a JSON string.
    return problem_response(request, 400, "the request body is not valid UTF-8")


def _unexpected(request: AnyRequest, exc: Exception) -> Response[Problem]:
    logger.opt(exception=exc).error("unhandled error on {} {}", request.method, request.url.path)
    return problem_response(request, 500, "an internal error occurred; it has been logged")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    HTTPException: _http_error,
    DomainError: _domain_error,
    StoreError: _store_error,
    UnicodeDecodeError: _not_utf8,
    Exception: _unexpected,
}

__all__ = [
    "EXCEPTION_HANDLERS",
    "PROBLEM_DESCRIPTIONS",
    "PROBLEM_MEDIA_TYPE",
    "FieldError",
    "Problem",
    "problem_response",
]
