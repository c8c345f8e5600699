"""One structured line per request on stdout: method, path, status, duration, actor and
request id, as a JSON object the operator's log tools read as they come.

The middleware sits inside `problems.RequestIds`, so the id is the one the answer
carries in `X-Request-ID`; the actor is the user whose key the request presented (set by
the authentication dependency), absent for anonymous requests.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("comptoir.requests")


def configure_request_log() -> None:
    """Write the request lines to stdout, once per process, as they are."""
    if not any(getattr(h, "comptoir_requests", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.comptoir_requests = True  # type: ignore[attr-defined]
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


class RequestLog:
    """ASGI middleware logging each HTTP request once its answer has started."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            log.info(orjson.dumps(line(scope, status, started)).decode())


def line(scope: Scope, status: int, started: float) -> dict[str, Any]:
    state = scope.get("state", {})
    entry: dict[str, Any] = {
        "method": scope["method"],
        "path": scope["path"],
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        "request_id": state.get("request_id"),
    }
    if state.get("actor") is not None:
        entry["actor"] = state["actor"]
    return entry
