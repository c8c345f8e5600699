"""The real server for browser tests: uvicorn on a free port in a thread, SQLite and a
temporary data directory, a clock the story moves by hand."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import uvicorn

from application.journal import CommandContext
from interfaces.http.app import create_app
from tests.conftest import FrozenClock, settings_for

START = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


@dataclass
class Running:
    """A server answering at `url`, and how to issue keys on it."""

    url: str
    app: Any
    clock: FrozenClock

    def issue_key(self, user: str, *roles: str) -> str:
        services = self.app.state.services
        secret, _ = services.app.access.issue(
            CommandContext(actor="test", at=services.clock()), user=user, roles=list(roles)
        )
        return str(secret)

    def advance(self, days: int) -> date:
        self.clock.now += timedelta(days=days)
        return self.clock.now.date()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(
    data: Path, start: datetime = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
) -> Iterator[Running]:
    """Comptoir on SQLite in `data`, served by uvicorn until the block ends."""
    clock = FrozenClock(start)
    app = create_app(settings_for("sqlite", data), clock)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, name="console-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield Running(f"http://127.0.0.1:{port}", app, clock)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
