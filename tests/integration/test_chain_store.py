"""The chain stores on Postgres and SQLite: a second sealer's overlap is refused as
`ChainMoved` (the sealer then reads the head again), and processes that start at once
all find the chain's table made."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.eventstore.chain import chain_store_for
from application.app import Comptoir
from application.journal import CommandContext
from application.sealing import GENESIS, ChainLink, ChainMoved, ChainStore, Sealer, chain_links
from interfaces.settings import Settings
from tests.conftest import record_quotes, settings_for

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
ALICE = CommandContext(actor="alice", at=AT)


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    yield app
    app.close()


def test_links_for_events_already_sealed_are_refused_as_the_chain_moved(app: Comptoir) -> None:
    record_quotes(app, 2)
    store = chain_store_for(app)
    assert Sealer(app, store).seal() == 4
    stale = chain_links(GENESIS, list(app.recorder.select_notifications(start=1, limit=10)))
    with pytest.raises(ChainMoved):
        store.append(stale)
    assert store.head() is not None
    assert len(store.links(0, 100)) == 4  # the refused batch left nothing behind


class StaleOnce(ChainStore):
    """A store whose first head is read before another sealer's batch: nothing sealed."""

    def __init__(self, store: ChainStore) -> None:
        self.store = store
        self.stale = True

    def head(self) -> ChainLink | None:
        if self.stale:
            self.stale = False
            return None
        return self.store.head()

    def append(self, links: Sequence[ChainLink]) -> None:
        self.store.append(links)

    def links(self, after: int, limit: int, stop: int | None = None) -> Sequence[ChainLink]:
        return self.store.links(after, limit, stop)

    def sealed_at(self, content_digest: bytes) -> int | None:
        return self.store.sealed_at(content_digest)


def test_a_sealer_behind_another_reads_the_head_again_and_seals_the_rest(app: Comptoir) -> None:
    record_quotes(app, 1)
    first = chain_store_for(app)
    assert Sealer(app, first).seal() == 2
    record_quotes(app, 1)
    behind = Sealer(app, StaleOnce(chain_store_for(app)))
    assert behind.seal_batch() == 2  # its batch from the start refused, the rest sealed
    assert [k.notification_id for k in first.links(0, 100)] == [1, 2, 3, 4]


def test_processes_starting_at_once_all_find_the_chain_table(
    pg_schema: str, tmp_path: Path
) -> None:
    env = settings_for("postgres", tmp_path, pg_schema).eventstore_env()
    Comptoir(env).close()  # the events' tables exist; the chain's does not yet
    together = threading.Barrier(8)
    errors: list[str] = []

    def start() -> None:
        app = Comptoir(env)
        try:
            together.wait()
            chain_store_for(app)
        except Exception as error:  # every failure is the finding
            errors.append(repr(error))
        finally:
            app.close()

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
