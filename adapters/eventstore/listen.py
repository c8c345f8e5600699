"""Wake-ups when another process records events: Postgres LISTEN on the events channel.

The library's recorder sends NOTIFY in every insert transaction; a follower listening
on a dedicated connection is woken as soon as any process commits, instead of waiting
for its next poll. It only wakes: the follower still reads the ordered log itself.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import psycopg
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Identifier

log = logging.getLogger(__name__)


class EventListener:
    """A thread that calls `wake()` on every NOTIFY of the event store's channel."""

    def __init__(self, recorder: Any, wake: Callable[[], None]) -> None:
        self.recorder = recorder
        self.wake = wake
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @staticmethod
    def supported(recorder: Any) -> bool:
        return isinstance(recorder, PostgresApplicationRecorder)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        pool = self.recorder.datastore.pool
        while not self._stop.is_set():
            try:
                with psycopg.connect(pool.conninfo, autocommit=True, **pool.kwargs) as conn:
                    conn.execute(SQL("LISTEN {}").format(Identifier(self.recorder.channel_name)))
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=0.5, stop_after=1):
                            self.wake()
            except psycopg.Error as error:  # the database went away: poll meanwhile, retry
                log.warning("event listener lost its connection: %s", error)
                self._stop.wait(1.0)
