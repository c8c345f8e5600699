"""The console's way to the data: the app's own JSON endpoints, called in-process.

Every page asks the same routes an API client would (`/views/…`, `/quotes/{id}/history`,
the exports, the PDFs) with the signed-in user's key, through the whole ASGI app: the
same roles, filters, validation, problem documents and snapshots answer, so the console
holds no second copy of a query or of an access rule. No socket is opened: the request
is handed to the app as an ASGI call on the running event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import orjson
from starlette.types import ASGIApp, Message

Params = Mapping[str, str | int | Sequence[str] | None]


@dataclass(frozen=True)
class Reply:
    """A whole answer of the app: status, headers (lower-case names) and body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def detail(self) -> str:
        """The problem document's detail, else the body as text."""
        try:
            found = self.json()
        except orjson.JSONDecodeError:
            return self.body.decode(errors="replace")[:500]
        if isinstance(found, dict) and "detail" in found:
            return str(found["detail"])
        return str(found)[:500]


@dataclass(frozen=True)
class Streamed:
    """An answer whose body is read as it is produced (exports, PDFs)."""

    status: int
    headers: dict[str, str]
    chunks: AsyncIterator[bytes]


class InternalClient:
    """GET requests to the app itself, authenticated with one user's API key."""

    def __init__(self, app: ASGIApp, key: str) -> None:
        self.app = app
        self.key = key

    def scope(self, path: str, params: Params | None) -> dict[str, Any]:
        query = urlencode(
            [(k, v) for k, v in (params or {}).items() if v is not None and v != ""],
            doseq=True,
        )
        raw = quote(path, safe="/-_.~")
        return {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": raw.encode(),
            "root_path": "",
            "query_string": query.encode(),
            "headers": [
                (b"host", b"console.internal"),
                (b"accept", b"application/json"),
                (b"x-api-key", self.key.encode()),
            ],
            "client": ("127.0.0.1", 0),
            "server": ("console.internal", 80),
            "state": {},
        }

    async def get(self, path: str, params: Params | None = None) -> Reply:
        """The app's whole answer to `GET path?params`."""
        streamed = await self.stream(path, params)
        body = b"".join([chunk async for chunk in streamed.chunks])
        return Reply(streamed.status, streamed.headers, body)

    async def json(self, path: str, params: Params | None = None) -> Any:
        """The JSON body of a successful answer; `Refused` for any other."""
        reply = await self.get(path, params)
        if not reply.ok:
            raise Refused(reply.status, reply.detail())
        return reply.json()

    async def stream(self, path: str, params: Params | None = None) -> Streamed:
        """The app's answer with its body as it comes (a bounded queue holds the app back
        when the reader is slower, so an export is never held whole in memory)."""
        queue: asyncio.Queue[Message] = asyncio.Queue(maxsize=16)
        done = asyncio.Event()
        sent = False

        async def receive() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await done.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            await queue.put(message)

        async def call() -> None:
            try:
                await self.app(self.scope(path, params), receive, send)
            finally:
                await queue.put({"type": "console.finished"})

        task = asyncio.create_task(call())
        start = await queue.get()
        if start["type"] != "http.response.start":
            done.set()
            await task  # raises what the app raised
            raise RuntimeError("the app finished without answering")
        headers = {k.decode().lower(): v.decode() for k, v in start.get("headers", [])}

        async def chunks() -> AsyncIterator[bytes]:
            complete = False
            try:
                while True:
                    message = await queue.get()
                    if message["type"] != "http.response.body":
                        break
                    if message.get("body"):
                        yield message["body"]
                    if not message.get("more_body", False):
                        break
                complete = True
            finally:
                done.set()
                if not complete:  # the reader went away: stop the app's work
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            while not queue.empty():  # let the app finish (its queue may be full)
                queue.get_nowait()
            await task

        return Streamed(int(start["status"]), headers, chunks())


class Refused(Exception):
    """The app answered a console request with an error (a problem document)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
