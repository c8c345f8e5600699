"""A circuit breaker in front of the event store: once it is known down, fail at once.

Without it, every request that touched a stopped Postgres waited for the pool (twice,
with the retry), and requests for one document queued behind each other's waits: 16
commands with one key were answered 10 s apart. Now the first failure that shows the
store is unreachable (no pooled connection within the pool timeout, a call that outlived
its socket deadline, or two broken connections in a row) opens the breaker: every call
is refused at once with `StoreUnavailable`, which the HTTP layer answers as a 503 with
`Retry-After`. After `retry_s`, one call at a time goes through as a probe; the first
that reaches the store closes the breaker again.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError
from psycopg_pool import PoolTimeout

F = TypeVar("F", bound=Callable[..., Any])

# Server answers that mean the server itself is going away or not there yet.
_GOING_AWAY = {"57P01", "57P02", "57P03"}  # admin/crash shutdown, cannot connect now


class StoreUnavailable(OperationalError):
    """The event store is known to be unreachable: the call was refused without trying."""


class Failure(Enum):
    """What a failed call says about the store."""

    DOWN = "down"  # no connection, or a call hung: open the breaker now
    BROKEN = "broken"  # one connection broke: open if the next call breaks too


def failure_of(error: BaseException, *, hung: bool = False) -> Failure | None:
    """How an error that ended a call bears on the store being up (None: it answered)."""
    if hung:
        return Failure.DOWN
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, PoolTimeout):
            return Failure.DOWN
        if isinstance(seen, psycopg.OperationalError | psycopg.InterfaceError):
            state = seen.sqlstate
            if state is None or state.startswith("08") or state in _GOING_AWAY:
                return Failure.BROKEN
            return None  # the server answered, e.g. a statement or lock timeout
        seen = seen.__cause__
    return None


class CircuitBreaker:
    """Closed, open for `retry_s` after the store was found down, then one probe at a time."""

    def __init__(
        self,
        retry_s: float = 1.0,
        *,
        broken_in_a_row: int = 2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.retry_s = retry_s
        self.broken_in_a_row = broken_in_a_row
        self.clock = clock
        self.refused = 0
        """Calls refused without trying since this breaker was made."""
        self.opened = 0
        """Times the breaker opened."""
        self._lock = threading.Lock()
        self._open_until: float | None = None
        self._probe_since: float | None = None
        self._broken = 0

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._open_until is not None

    def admit(self) -> bool:
        """Let a call through (True when it is the probe) or raise `StoreUnavailable`."""
        with self._lock:
            if self._open_until is None:
                return False
            now = self.clock()
            # a probe older than a few retry periods was lost (its thread died): replace it
            probing = self._probe_since is not None and now - self._probe_since < 30 * max(
                self.retry_s, 0.1
            )
            if now < self._open_until or probing:
                self.refused += 1
                raise StoreUnavailable(
                    "the event store is unreachable; retrying it shortly"
                    f" (one probe every {self.retry_s:g} s)"
                )
            self._probe_since = now
            return True

    def record(self, *, probe: bool, failure: Failure | None) -> None:
        """What a call that was let through found."""
        with self._lock:
            if probe:
                self._probe_since = None
            if failure is None:
                self._open_until = None
                self._broken = 0
                return
            if failure is Failure.BROKEN:
                self._broken += 1
                if self._broken < self.broken_in_a_row and not probe:
                    return
            if self._open_until is None:
                self.opened += 1
            self._open_until = self.clock() + self.retry_s


def retry_once(func: F) -> F:
    """Retry a failed store call once, 0.2 s later, so a lone broken connection stays
    invisible; never when the breaker refused the call (the store is known down)."""

    @functools.wraps(func)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except StoreUnavailable:
            raise
        except (InterfaceError, OperationalError):
            time.sleep(0.2)
            return func(*args, **kwargs)

    return call  # type: ignore[return-value]
