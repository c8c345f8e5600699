"""Limits on what a request may send, whatever the route.

A command body is a few kilobytes; the largest legitimate one (a bulk action on 500
quotes, an order with 500 lines) stays well under 1 MiB. A larger body is refused with a
`413` problem before it is parsed: at once when its `Content-Length` says so, else as
soon as the bytes streamed in (chunked) pass the limit.

Headers are capped too: every legitimate request sends well under 16 KiB of them (a key
is 47 characters), so a request whose headers pass `MAX_HEADER_BYTES` is refused with a
`431` problem before any route, authentication or cache sees it. uvicorn's default
parser (httptools) sets no limit of its own.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interfaces.http.problems import problem

MAX_BODY_BYTES = 1024 * 1024
"""The largest request body the API reads, in bytes (1 MiB)."""

MAX_HEADER_BYTES = 16 * 1024
"""The most header bytes (names and values) a request may send (16 KiB)."""

_DETAIL = f"the request body is larger than {MAX_BODY_BYTES} bytes"


class BodyTooLarge(HTTPException):
    """Raised while a streamed body is read; the app's handlers answer it as a 413 problem."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail=_DETAIL)


class BodySizeLimit:
    """ASGI middleware refusing request bodies over `MAX_BODY_BYTES` with a 413 problem."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "").strip()
        if declared.isdigit() and int(declared) > self.max_bytes:
            await problem(413, "request-too-large", _DETAIL)(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge()
            return message

        await self.app(scope, limited, send)


class HeaderSizeLimit:
    """ASGI middleware refusing requests whose headers pass `max_bytes` with a 431 problem."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_HEADER_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            size = sum(len(name) + len(value) for name, value in scope["headers"])
            if size > self.max_bytes:
                detail = (
                    f"the request headers take {size} bytes, more than the {self.max_bytes}"
                    " this API reads"
                )
                await problem(431, "request-headers-too-large", detail)(scope, receive, send)
                return
        await self.app(scope, receive, send)
