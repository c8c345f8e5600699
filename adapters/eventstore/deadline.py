"""A client-side deadline on each use of a Postgres connection.

A hung server (stopped, or its disk or VM frozen) still has a kernel that acknowledges
TCP, so neither keepalives nor `tcp_user_timeout` notice it, and its `statement_timeout`
never fires: psycopg waits on the socket for as long as the hang lasts. A watchdog
thread shuts the socket of a connection whose use outlives its deadline; the waiting
call then fails at once like any broken connection, and the pool discards it.

The deadline is a little longer than the server's `statement_timeout`, so a slow but
live statement is cancelled by the server first, with its own error.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

TICK_S = 0.05
IDLE_EXIT_S = 5.0


class Watch:
    """One use of a connection, and whether its deadline shut it down."""

    def __init__(self, conn: Any, deadline: float) -> None:
        self.conn = conn
        self.deadline = deadline
        self.fired = False

    def fire(self) -> None:
        self.fired = True
        with contextlib.suppress(Exception):  # already closed: nothing left to wake
            fd = self.conn.pgconn.socket
            # shutdown() acts on the socket, not the descriptor: the duplicate's is enough
            with socket.socket(fileno=os.dup(fd)) as sock:
                sock.shutdown(socket.SHUT_RDWR)


class SocketDeadline:
    """Shuts down the socket of any watched connection used for more than `seconds`."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.fired = 0
        """Connections shut down since this watchdog was made."""
        self._watched: dict[int, Watch] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @contextlib.contextmanager
    def watch(self, conn: Any) -> Iterator[Watch]:
        """Watch `conn` for the duration of the block (not at all when `seconds` is 0)."""
        watch = Watch(conn, time.monotonic() + self.seconds)
        if self.seconds <= 0:
            yield watch
            return
        with self._lock:
            self._watched[id(watch)] = watch
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="pg-socket-deadline", daemon=True
                )
                self._thread.start()
        try:
            yield watch
        finally:
            # Under the lock: once the block is left, the connection (soon back in the
            # pool, maybe handed to another thread) can no longer be shut down.
            with self._lock:
                del self._watched[id(watch)]

    def _run(self) -> None:
        idle_since = time.monotonic()
        while True:
            time.sleep(TICK_S)
            now = time.monotonic()
            with self._lock:
                if not self._watched:
                    if now - idle_since > IDLE_EXIT_S:
                        self._thread = None
                        return
                    continue
                idle_since = now
                for watch in self._watched.values():
                    if not watch.fired and watch.deadline <= now:
                        watch.fire()
                        self.fired += 1
