"""The guarded Postgres datastore on a real server: a use of a connection that outlived
its deadline opens the breaker even when the block itself ended quietly.

psycopg ignores an error in a read-only transaction's rollback. When a SELECT was
answered and its ROLLBACK then hung (the server stopped in between), the socket deadline
shuts the socket, the rollback's error is ignored, and the block ends as if the store had
answered. Counted as an answer, it closed a breaker another call had just opened, and a
command's retry waited out a second deadline (a first 503 after 5.2 s instead of 2.7).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.eventstore.breaker import StoreUnavailable
from adapters.eventstore.guarded import GuardedDatastore
from application.app import Comptoir
from tests.conftest import settings_for


@pytest.fixture
def datastore(pg_schema: str, tmp_path: Path) -> Iterator[GuardedDatastore]:
    settings = settings_for("postgres", tmp_path, pg_schema).model_copy(
        update={"pg_statement_timeout_s": 0.3, "pg_breaker_retry_s": 60}
    )
    app = Comptoir(settings.eventstore_env())
    datastore = app.factory.datastore  # type: ignore[attr-defined]
    assert isinstance(datastore, GuardedDatastore)
    try:
        yield datastore
    finally:
        app.close()


def test_a_quiet_block_whose_socket_the_deadline_shut_opens_the_breaker(
    datastore: GuardedDatastore,
) -> None:
    assert datastore.deadline.seconds == pytest.approx(0.8)
    with datastore.transaction(commit=False) as curs:
        curs.execute("SELECT 1 AS one")
        assert curs.fetchone() == {"one": 1}
        # past the deadline with the transaction still open, as when the ROLLBACK hangs
        time.sleep(datastore.deadline.seconds + 0.4)
    assert datastore.deadline.fired == 1
    assert datastore.breaker.is_open
    with pytest.raises(StoreUnavailable), datastore.transaction(commit=False) as curs:
        curs.execute("SELECT 1")


def test_a_block_within_its_deadline_leaves_the_breaker_closed(
    datastore: GuardedDatastore,
) -> None:
    with datastore.transaction(commit=False) as curs:
        curs.execute("SELECT 1 AS one")
        assert curs.fetchone() == {"one": 1}
    assert datastore.deadline.fired == 0
    assert not datastore.breaker.is_open
