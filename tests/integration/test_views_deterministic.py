"""Every view is a pure fold: the same events give the same rows, however they are paged,
and a live follower ends equal to a rebuild (H4) — on a realistic mixed dataset."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.bulk.generator import DatasetGenerator
from adapters.bulk.importer import import_events
from adapters.duckdb_store import DuckStore
from application.app import Comptoir
from interfaces.settings import Settings
from projections.live import LiveViews
from projections.rebuild import compare, rebuild, tables_of
from projections.runner import ProjectionRunner
from tests.conftest import settings_for

EVENTS = 1500


@pytest.fixture
def app(pg_schema: str, tmp_path: Path) -> Iterator[Comptoir]:
    settings: Settings = settings_for("postgres", tmp_path, pg_schema)
    app = Comptoir(settings.eventstore_env())
    generator = DatasetGenerator(seed=11, mapper=app.mapper)
    import_events(
        app, list(generator.events(EVENTS)), batch_size=1000, sequences=generator.sequences
    )
    yield app
    app.close()


def test_every_view_gives_the_same_rows_whatever_the_page_size(
    app: Comptoir, tmp_path: Path
) -> None:
    one = rebuild(app, tmp_path / "pages-of-7.duckdb", page_size=7)
    many = rebuild(app, tmp_path / "pages-of-997.duckdb", page_size=997)
    assert one.position == many.position == EVENTS
    store = DuckStore(one.path)
    try:
        tables = tables_of(store.writer())
        populated = [
            t
            for t in tables
            if store.writer().execute(f"SELECT count(*) FROM {t}").fetchone() != (0,)
        ]
        assert {"quotes", "pipeline", "budget_vs_actual", "stage_history", "audit_log"} <= set(
            populated
        )
        assert compare(store.writer(), many.path) == []
    finally:
        store.close()


def test_a_follower_fed_in_small_batches_ends_equal_to_a_rebuild(
    app: Comptoir, tmp_path: Path
) -> None:
    views = LiveViews(app, tmp_path / "live.duckdb", page_size=13)
    views.runner.catch_up()
    built, differences = views.verify()
    views.close()
    assert built.position == EVENTS
    assert differences == []


def test_a_follower_that_keeps_few_documents_in_memory_ends_equal_to_a_rebuild(
    app: Comptoir, tmp_path: Path
) -> None:
    # Each batch replaces rows from the lowest position the touched documents' rows
    # carry: documents dropped from memory bring theirs back from the stored states.
    store = DuckStore(tmp_path / "few.duckdb")
    runner = ProjectionRunner(app, store.writer(), page_size=17, keep_documents=3)
    runner.catch_up()
    built = rebuild(app, tmp_path / "rebuilt.duckdb")
    assert compare(store.writer(), built.path) == []
    store.close()


def test_projecting_twice_over_the_same_events_changes_nothing(
    app: Comptoir, tmp_path: Path
) -> None:
    store = DuckStore(tmp_path / "twice.duckdb")
    runner = ProjectionRunner(app, store.writer(), page_size=500)
    runner.catch_up()
    assert runner.catch_up() == 0
    built = rebuild(app, tmp_path / "again.duckdb")
    assert compare(store.writer(), built.path) == []
    store.close()
