"""When a pooled Postgres connection is worth a ping before use."""

from __future__ import annotations

import time
from collections.abc import Callable
from threading import Lock
from typing import Any
from weakref import WeakKeyDictionary


class RecentUseCheck:
    """Pings a pooled connection before use unless it was handed out moments ago.

    A ping per checkout doubled the round trips of a read; a connection in steady use
    has just proved itself, and one a restart killed anyway fails its first call, which
    the recorder retries on another connection (the pool discards the broken one).
    """

    def __init__(self, window_s: float, ping: Callable[[Any], None]) -> None:
        self.window_s = window_s
        self.ping = ping
        self._handed_out: WeakKeyDictionary[Any, float] = WeakKeyDictionary()
        self._lock = Lock()

    def __call__(self, conn: Any) -> None:
        now = time.monotonic()
        with self._lock:
            last = self._handed_out.get(conn)
        if last is None or now - last > self.window_s:
            self.ping(conn)
        with self._lock:
            self._handed_out[conn] = now
