"""Errors as `application/problem+json` (RFC 9457), mapped once, in one place."""

from __future__ import annotations

import logging
import re
from typing import Any
from uuid import uuid4

import orjson
from eventsourcing.persistence import InterfaceError, OperationalError
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from application.errors import ConcurrentUpdate, NotAssigned, StaleVersion
from domain.errors import DomainError, InvalidInput, NotFound

PROBLEM = "application/problem+json"
REQUEST_ID = "X-Request-ID"
# What an incoming request id may look like to be kept (a proxy's or a client's own id).
WELL_FORMED_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

log = logging.getLogger("comptoir.http")


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
    request_id: str | None = None


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
    if error.code == "key-revoked":
        return 401
    return 409


def allowed_methods(request: Request) -> str:
    """The `Allow` header of a 405 (RFC 9110 §15.5.6): the methods of every route at this
    path. The router names only the first route's, and `GET /affairs/{id}` and `PATCH`
    there are two routes."""
    methods: set[str] = set()
    for context in iter_route_contexts(request.app.router.routes):
        if compile_path(str(context.path))[0].fullmatch(request.url.path):
            methods |= set(context.methods or ())
    return ", ".join(sorted(methods))


def install(app: FastAPI) -> None:
    """Register the handlers that turn every client mistake into a problem document."""

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, error: DomainError) -> JSONResponse:
        extra: dict[str, Any] = {}
        if isinstance(error, StaleVersion | ConcurrentUpdate):
            extra["current_version"] = error.current
        rows = getattr(error, "problems", None)
        if isinstance(rows, list):
            extra["errors"] = rows  # e.g. a catalogue file's rows in error
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
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        code = {
            400: "malformed-request",
            404: "not-found",
            405: "method-not-allowed",
            413: "request-too-large",
            415: "unsupported-media-type",
        }.get(error.status_code, "http-error")
        response = problem(error.status_code, code, str(error.detail))
        response.headers.update(error.headers or {})
        if error.status_code == 405:
            response.headers["Allow"] = allowed_methods(request)
        return response

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


class RequestIds:
    """ASGI middleware: an id for every request, in `X-Request-ID` on every response, and
    the last resort for an unhandled error.

    A well-formed incoming `X-Request-ID` is kept, so a proxy's id follows the request.
    An error no handler knows is logged with its traceback and the request id and
    answered as a 500 problem carrying that id, here, without re-raising: raised further,
    the server would close the connection and reset a keep-alive client's next request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get(REQUEST_ID, "")
        request_id = incoming if WELL_FORMED_ID.fullmatch(incoming) else uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = False
        held: list[Message] = []  # a problem's start and body, until it carries the id

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message)[REQUEST_ID] = request_id
                if MutableHeaders(scope=message).get("content-type", "").startswith(PROBLEM):
                    held.append(message)
                    return
            elif held and message["type"] == "http.response.body":
                held.append(message)
                if message.get("more_body", False):
                    return
                for part in with_request_id(held, request_id):
                    await send(part)
                held.clear()
                return
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception(
                "unhandled error on %s %s, request %s", scope["method"], scope["path"], request_id
            )
            if started:  # part of the answer is sent: nothing else can be said on it
                raise
            detail = "an unexpected error occurred; the operator finds it by its request id"
            answer = problem(500, "internal-error", detail, request_id=request_id)
            await answer(scope, receive, send_with_id)


def with_request_id(messages: list[Message], request_id: str) -> list[Message]:
    """A problem answer (its start, then its body parts) whose body names the request
    id, so a client reporting an error gives the operator the line to look for."""
    start, body = messages[0], b"".join(m.get("body", b"") for m in messages[1:])
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return messages
    if not isinstance(document, dict) or "request_id" in document:
        return messages
    document["request_id"] = request_id
    body = orjson.dumps(document)
    MutableHeaders(scope=start)["content-length"] = str(len(body))
    return [start, {"type": "http.response.body", "body": body, "more_body": False}]


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
    500: {
        "model": Problem,
        "description": "Unexpected error, logged with the `request_id` the body carries",
        "content": {PROBLEM: {}},
    },
}
