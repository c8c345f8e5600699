"""A pooled connection is pinged before use unless it was handed out moments ago."""

from __future__ import annotations

import time

from adapters.eventstore.pool_check import RecentUseCheck


class Connection:
    """Stands in for a pooled connection: only its identity matters to the check."""


def test_a_connection_in_steady_use_is_not_pinged_again() -> None:
    pinged: list[Connection] = []
    check = RecentUseCheck(60.0, pinged.append)
    first, second = Connection(), Connection()
    for _ in range(3):
        check(first)
    check(second)
    assert pinged == [first, second]


def test_a_connection_idle_longer_than_the_window_is_pinged() -> None:
    pinged: list[Connection] = []
    check = RecentUseCheck(0.01, pinged.append)
    conn = Connection()
    check(conn)
    time.sleep(0.02)
    check(conn)
    assert pinged == [conn, conn]


def test_a_connection_that_failed_its_ping_is_pinged_again_next_time() -> None:
    def refuse(_conn: Connection) -> None:
        raise ConnectionError("server closed the connection")

    check = RecentUseCheck(60.0, refuse)
    conn = Connection()
    for _ in range(2):
        try:
            check(conn)
        except ConnectionError:
            continue
        raise AssertionError("a failed ping must reach the pool")
