"""The Postgres datastore with bounded waits: every failure to reach the store is quick.

Each use of a connection passes the circuit breaker and is watched by the socket
deadline; the connections themselves carry a connect timeout, a statement timeout and
TCP keepalives, and the pool hands one out within its own timeout or gives up:

- stopped server: no connection within `POSTGRES_POOL_TIMEOUT`, the breaker opens;
- hung server: the call outlives `POSTGRES_STATEMENT_TIMEOUT` plus a margin, its socket
  is shut down, the breaker opens;
- vanished host: keepalives and `tcp_user_timeout` break the connection.

While the breaker is open every call fails at once (`StoreUnavailable`, a 503).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.utils import Environment
from psycopg import Connection
from psycopg.rows import DictRow

from adapters.eventstore.breaker import CircuitBreaker, Failure, failure_of
from adapters.eventstore.deadline import SocketDeadline, Watch

STATEMENT_TIMEOUT = "POSTGRES_STATEMENT_TIMEOUT"
LIBPQ_CONNECT_TIMEOUT = "POSTGRES_LIBPQ_CONNECT_TIMEOUT"
POOL_TIMEOUT = "POSTGRES_POOL_TIMEOUT"
BREAKER_RETRY = "POSTGRES_BREAKER_RETRY"
# The server cancels a slow statement at its timeout; the socket is shut only if no
# answer came this long after it.
DEADLINE_MARGIN_S = 0.5


class GuardedDatastore(PostgresDatastore):
    """A datastore whose connections pass a circuit breaker and a socket deadline."""

    breaker: CircuitBreaker
    deadline: SocketDeadline

    @contextmanager
    def get_connection(self) -> Iterator[Connection[DictRow]]:
        probe = self.breaker.admit()
        failure: Failure | None = None
        watch: Watch | None = None
        try:
            with super().get_connection() as conn, self.deadline.watch(conn) as watch:
                yield conn
        except BaseException as error:
            failure = failure_of(error, hung=watch is not None and watch.fired)
            raise
        finally:
            if failure is None and watch is not None and watch.fired:
                # the block ended quietly, yet its deadline shut the socket: psycopg ignores
                # an error in a read-only transaction's rollback, so an answered SELECT
                # whose ROLLBACK then hung would otherwise count as the store answering
                failure = Failure.DOWN
            self.breaker.record(probe=probe, failure=failure)


def _seconds(env: Environment, key: str, default: float) -> float:
    text = env.get(key)
    return float(text) if text else default


def guard(datastore: PostgresDatastore, env: Environment) -> GuardedDatastore:
    """Turn the library's datastore (built inside its factory) into a guarded one."""
    statement_s = _seconds(env, STATEMENT_TIMEOUT, 0.0)
    connect_s = _seconds(env, LIBPQ_CONNECT_TIMEOUT, 0.0)
    pool_s = _seconds(env, POOL_TIMEOUT, 0.0)
    # The library builds its datastore in the factory's constructor and has no hook
    # for its class: the instance is given the subclass, whose state is set just below.
    datastore.__class__ = GuardedDatastore
    assert isinstance(datastore, GuardedDatastore)
    datastore.breaker = CircuitBreaker(_seconds(env, BREAKER_RETRY, 1.0))
    deadline_s = statement_s + DEADLINE_MARGIN_S if statement_s > 0 else 0.0
    datastore.deadline = SocketDeadline(deadline_s)
    pool: Any = datastore.pool
    kwargs: dict[str, Any] = pool.kwargs
    # a lost peer is noticed within ~11 s even when nothing is being sent
    kwargs.update(keepalives=1, keepalives_idle=5, keepalives_interval=2, keepalives_count=3)
    if connect_s > 0:  # libpq counts whole seconds, and waits at least 2
        kwargs["connect_timeout"] = max(2, math.ceil(connect_s))
    if statement_s > 0:
        kwargs["options"] = f"-c statement_timeout={int(statement_s * 1000)}"
        kwargs["tcp_user_timeout"] = int(deadline_s * 1000)
    if pool_s > 0:
        pool.timeout = pool_s
    if pool._check is not None:  # the pre-use ping is watched too (psycopg_pool has no setter)
        pool._check = _watched(pool._check, datastore.deadline)
    return datastore


def _watched(check: Callable[[Any], None], deadline: SocketDeadline) -> Callable[[Any], None]:
    def watched_check(conn: Any) -> None:
        with deadline.watch(conn):
            check(conn)

    return watched_check
