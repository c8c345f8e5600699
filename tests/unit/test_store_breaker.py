"""The event store's circuit breaker and socket deadline, without a server."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import psycopg
import psycopg.errors
import pytest
from eventsourcing.persistence import IntegrityError, OperationalError
from psycopg_pool import PoolTimeout

from adapters.eventstore.breaker import (
    CircuitBreaker,
    Failure,
    StoreUnavailable,
    failure_of,
    retry_once,
)
from adapters.eventstore.deadline import SocketDeadline


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def translated(error: Exception) -> OperationalError:
    """As the library raises it: its own error, caused by psycopg's."""
    try:
        raise OperationalError(str(error)) from error
    except OperationalError as raised:
        return raised


def test_a_closed_breaker_lets_every_call_through() -> None:
    breaker = CircuitBreaker(1.0, clock=Clock())
    for _ in range(5):
        assert breaker.admit() is False
        breaker.record(probe=False, failure=None)
    assert (breaker.is_open, breaker.refused) == (False, 0)


def test_once_the_store_is_down_calls_are_refused_without_trying_until_the_retry() -> None:
    clock = Clock()
    breaker = CircuitBreaker(1.0, clock=clock)
    breaker.admit()
    breaker.record(probe=False, failure=Failure.DOWN)
    for _ in range(16):
        with pytest.raises(StoreUnavailable):
            breaker.admit()
    assert breaker.refused == 16
    assert breaker.opened == 1
    clock.now += 1.0
    assert breaker.admit() is True  # the probe
    with pytest.raises(StoreUnavailable):  # one probe at a time
        breaker.admit()
    breaker.record(probe=True, failure=None)
    assert not breaker.is_open
    assert breaker.admit() is False


def test_a_failed_probe_keeps_the_breaker_open_for_another_period() -> None:
    clock = Clock()
    breaker = CircuitBreaker(1.0, clock=clock)
    breaker.record(probe=False, failure=Failure.DOWN)
    clock.now += 1.5
    assert breaker.admit() is True
    breaker.record(probe=True, failure=Failure.BROKEN)
    clock.now += 0.5
    with pytest.raises(StoreUnavailable):
        breaker.admit()
    clock.now += 0.6
    assert breaker.admit() is True


def test_one_broken_connection_is_forgiven_two_in_a_row_open_the_breaker() -> None:
    breaker = CircuitBreaker(1.0, clock=Clock())
    breaker.record(probe=False, failure=Failure.BROKEN)
    breaker.record(probe=False, failure=None)
    breaker.record(probe=False, failure=Failure.BROKEN)
    assert not breaker.is_open
    breaker.record(probe=False, failure=Failure.BROKEN)
    assert breaker.is_open


def test_errors_are_read_as_down_broken_or_answered() -> None:
    assert failure_of(translated(PoolTimeout("no connection"))) is Failure.DOWN
    assert failure_of(translated(psycopg.OperationalError("server closed"))) is Failure.BROKEN
    shutdown = psycopg.errors.AdminShutdown("terminating connection")
    assert failure_of(translated(shutdown)) is Failure.BROKEN
    cancelled = psycopg.errors.QueryCanceled("canceling statement due to statement timeout")
    assert failure_of(translated(cancelled)) is None
    assert failure_of(IntegrityError("duplicate key")) is None
    assert failure_of(ValueError("a bug")) is None
    assert failure_of(ValueError("the socket was shut"), hung=True) is Failure.DOWN


def test_a_failed_call_is_retried_once_but_never_when_the_breaker_refused_it() -> None:
    calls: list[str] = []

    @retry_once
    def flaky() -> str:
        calls.append("flaky")
        if len(calls) == 1:
            raise OperationalError("broken connection")
        return "ok"

    @retry_once
    def refused() -> None:
        calls.append("refused")
        raise StoreUnavailable("known down")

    assert flaky() == "ok"
    with pytest.raises(StoreUnavailable):
        refused()
    assert calls == ["flaky", "flaky", "refused"]


@dataclass
class PgConn:
    socket: int


@dataclass
class FakeConnection:
    """Only what the deadline reads of a psycopg connection: its socket."""

    pgconn: PgConn


def test_a_call_outliving_its_deadline_has_its_socket_shut_and_wakes_up() -> None:
    ours, server = socket.socketpair()
    deadline = SocketDeadline(0.2)
    received: list[bytes] = []
    with ours, server:
        conn = FakeConnection(PgConn(ours.fileno()))

        def hung_call() -> None:
            with deadline.watch(conn) as watch:
                received.append(ours.recv(10))  # the server never answers
            assert watch.fired

        caller = threading.Thread(target=hung_call)
        caller.start()
        caller.join(timeout=30)
        assert not caller.is_alive(), "the deadline never woke the hung call"
    assert received == [b""]
    assert deadline.fired == 1


def test_a_call_that_ends_in_time_is_never_shut() -> None:
    ours, server = socket.socketpair()
    deadline = SocketDeadline(0.1)
    with ours, server:
        conn = FakeConnection(PgConn(ours.fileno()))
        with deadline.watch(conn) as watch:
            server.sendall(b"answer")
            assert ours.recv(10) == b"answer"
        time.sleep(0.3)  # well past the deadline: the connection is back in the pool
        server.sendall(b"later")
        assert ours.recv(10) == b"later"
    assert not watch.fired
    assert deadline.fired == 0
