"""Errors as `application/problem+json` (RFC 9457), mapped once, in one place."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from application.errors import ConcurrentUpdate, NotAssigned, StaleVersion
from domain.errors import DomainError, InvalidInput, NotFound

PROBLEM = "application/problem+json"


class ViewNotReady(Exception):
    """A view has not reached the requested log position in time (503, retry)."""


class Unauthenticated(Exception):
    """No key, or a key that is unknown or revoked (401)."""


class Forbidden(Exception):
    """The key's roles do not allow this route (403)."""


class Problem(BaseModel):
    """An error response: a stable `type` per error, a title, and what went wrong."""

    type: str
    title: str
    status: int
    detail: str
    current_version: int | None = None
    errors: list[dict[str, Any]] | None = None


def problem(status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    body = Problem(
        type=f"/problems/{code}",
        title=code.replace("-", " ").capitalize(),
        status=status,
        detail=detail,
        **extra,
    )
    return JSONResponse(
        jsonable_encoder(body, exclude_none=True), status_code=status, media_type=PROBLEM
    )


def status_of(error: DomainError) -> int:
    """404 for unknown documents, 422 for invalid values, 409 for refusals in this state."""
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, InvalidInput):
        return 422
    if error.code == "idempotency-key-reused":
        return 422
    if isinstance(error, NotAssigned):
        return 403
    return 409


def install(app: FastAPI) -> None:
    """Register the handlers that turn every client mistake into a problem document."""

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, error: DomainError) -> JSONResponse:
        extra: dict[str, Any] = {}
        if isinstance(error, StaleVersion | ConcurrentUpdate):
            extra["current_version"] = error.current
        return problem(status_of(error), error.code, str(error), **extra)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
            for e in error.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(422, "invalid-request", detail, errors=errors)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, error: HTTPException) -> JSONResponse:
        code = {
            400: "malformed-request",
            404: "not-found",
            405: "method-not-allowed",
            413: "request-too-large",
            415: "unsupported-media-type",
        }.get(error.status_code, "http-error")
        return problem(error.status_code, code, str(error.detail))

    @app.exception_handler(Unauthenticated)
    async def unauthenticated(_: Request, error: Unauthenticated) -> JSONResponse:
        response = problem(401, "unauthenticated", str(error))
        response.headers["WWW-Authenticate"] = 'Bearer realm="comptoir"'
        return response

    @app.exception_handler(Forbidden)
    async def forbidden(_: Request, error: Forbidden) -> JSONResponse:
        return problem(403, "forbidden", str(error))

    @app.exception_handler(ViewNotReady)
    async def view_not_ready(_: Request, error: ViewNotReady) -> JSONResponse:
        response = problem(503, "view-not-ready", str(error))
        response.headers["Retry-After"] = "1"
        return response

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def store_unavailable(_: Request, error: Exception) -> JSONResponse:
        response = problem(503, "event-store-unavailable", "the event store is unreachable")
        response.headers["Retry-After"] = "2"
        return response


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "Unreadable body", "content": {PROBLEM: {}}},
    401: {"model": Problem, "description": "No valid API key", "content": {PROBLEM: {}}},
    403: {"model": Problem, "description": "Role not allowed", "content": {PROBLEM: {}}},
    404: {"model": Problem, "description": "No such document", "content": {PROBLEM: {}}},
    409: {"model": Problem, "description": "Refused in this state", "content": {PROBLEM: {}}},
    413: {"model": Problem, "description": "Body too large", "content": {PROBLEM: {}}},
    422: {"model": Problem, "description": "Invalid input", "content": {PROBLEM: {}}},
    503: {
        "model": Problem,
        "description": "Event store unreachable or view not yet at min_position; retry",
        "content": {PROBLEM: {}},
    },
}
