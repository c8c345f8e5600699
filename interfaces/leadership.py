"""One process at a time runs the sealer and the scheduler, however many nodes there are.

Command nodes are identical and any number run against one event store, but the hash
chain's sealer and the scheduled jobs need only one runner each (both are safe when two
overlap for a moment: a sealer that loses a race reads the head again, and every job is
idempotent; one runner avoids the duplicate work). Each is a `Singleton` behind a named
lock that the operating system or the database releases when its holder dies:

- Postgres: a session advisory lock (`pg_try_advisory_lock`) on a connection of its own,
  keyed by the database, the schema and the job's name. A node that dies, or loses its
  connection, loses the lock; another node takes it at its next try.
- SQLite: an exclusive `flock` on a file beside the database (one machine).
- memory: always held (one process).

A node that does not hold a lock tries again every `retry_s`; one that holds it checks
its connection as often, and stops its job if another node took the lock meanwhile.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import math
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Protocol

import psycopg

from interfaces.settings import Settings

log = logging.getLogger(__name__)

RETRY_S = 2.0


class Lock(Protocol):
    """A named lock a process holds until it releases it or dies."""

    def acquire(self) -> bool:
        """Take the lock if it is free (or already ours); never waits."""

    def held(self) -> bool:
        """Whether the lock is still ours (False once its connection is lost)."""

    def release(self) -> None:
        """Give the lock up (nothing if not held)."""


class AdvisoryLock:
    """A Postgres session advisory lock on a connection of its own."""

    def __init__(self, settings: Settings, name: str) -> None:
        self.settings = settings
        scope = f"comptoir:{settings.pg_dbname}:{settings.pg_schema}:{name}"
        self.key = int.from_bytes(hashlib.sha256(scope.encode()).digest()[:8], signed=True)
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None

    def _connect(self) -> psycopg.Connection[tuple[object, ...]]:
        s = self.settings
        return psycopg.connect(
            host=s.pg_host,
            port=s.pg_port,
            user=s.pg_user,
            password=s.pg_password or None,
            dbname=s.pg_dbname,
            autocommit=True,
            connect_timeout=max(2, math.ceil(s.pg_connect_timeout_s)),
            application_name="comptoir-leadership",
        )

    def acquire(self) -> bool:
        try:
            if self._conn is None or self._conn.closed:
                self._conn = self._connect()
            row = self._conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
            return bool(row and row[0])
        except psycopg.Error as error:
            log.warning("could not try the advisory lock: %s", error)
            self._drop()
            return False

    def held(self) -> bool:
        if self._conn is None or self._conn.closed:
            return False
        try:
            self._conn.execute("SELECT 1")  # the session lives: its lock is still ours
            return True
        except psycopg.Error:
            self._drop()
            return False

    def release(self) -> None:
        self._drop()  # closing the session releases its advisory locks

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):
                self._conn.close()
        self._conn = None


class FileLock:
    """An exclusive `flock` on a file: released by the kernel when the process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    def acquire(self) -> bool:
        if self._file is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        file = open(self.path, "a+b")  # noqa: SIM115  # held open as long as the lock
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            file.close()
            return False
        file.truncate(0)
        file.write(str(os.getpid()).encode())
        file.flush()
        self._file = file
        return True

    def held(self) -> bool:
        return self._file is not None

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing drops the flock
            self._file = None


class HeldLock:
    """The in-memory store lives in one process: its lock is always held."""

    def acquire(self) -> bool:
        return True

    def held(self) -> bool:
        return True

    def release(self) -> None:
        return None


def lock_for(settings: Settings, name: str) -> Lock:
    """The lock named `name` on the event store these settings point to."""
    if settings.event_store == "postgres":
        return AdvisoryLock(settings, name)
    if settings.event_store == "sqlite":
        base = settings.sqlite_path
        return FileLock(base.with_name(f"{base.name}.{name}.lock"))
    return HeldLock()


class Singleton:
    """Runs a job (`begin`/`end`) only while this process holds its lock."""

    def __init__(
        self,
        name: str,
        lock: Lock,
        begin: Callable[[], None],
        end: Callable[[], None],
        retry_s: float = RETRY_S,
    ) -> None:
        self.name = name
        self.lock = lock
        self._begin = begin
        self._end = end
        self.retry_s = retry_s
        self.leading = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Try once now (a lone process starts its job at once), then keep trying."""
        self._tick()
        self._thread = threading.Thread(target=self._loop, name=f"lead-{self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self.leading:
            self._depose()
        self.lock.release()

    def _loop(self) -> None:
        while not self._stop.wait(self.retry_s):
            try:
                self._tick()
            except Exception:  # keep trying: the next tick may find the store back
                log.exception("leadership of %s failed", self.name)

    def _tick(self) -> None:
        if self.leading:
            if self.lock.held() or self.lock.acquire():
                return
            log.warning("%s: lost the lock; another process runs it now", self.name)
            self._depose()
        elif self.lock.acquire():
            log.info("%s: this process runs it", self.name)
            self.leading = True
            self._begin()

    def _depose(self) -> None:
        self.leading = False
        self._end()
