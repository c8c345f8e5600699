"""The projector's live documents and history on real stores: exactly-once across a crash,
a kill or evictions, and no history row for a state that shows nothing new."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from adapters.duckdb_store import DuckStore
from application.app import Comptoir
from application.journal import CommandContext
from interfaces.settings import Settings
from projections.base import LoggedEvent
from projections.rebuild import compare, rebuild
from projections.registry import default_views
from projections.runner import ProjectionRunner

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    yield app
    app.close()


def ctx(at: datetime, reason: str | None = None) -> CommandContext:
    return CommandContext(actor="alice", at=at, reason=reason)


def open_affair(app: Comptoir, name: str, at: datetime = T0) -> UUID:
    return app.affairs.open(
        ctx(at),
        name=name,
        expected_amount=Decimal("10000.00"),
        salesperson="alice",
        currency="EUR",
        sale_type="product",
        prospect=f"{name} SA",
        zone="west",
        country="FR",
        risk="medium",
    ).aggregate_id


def log_time(app: Comptoir, affair: UUID, at: datetime) -> None:
    app.affairs.log_time(
        ctx(at),
        affair,
        employee="carol",
        day=date(2026, 3, 3),
        hours=Decimal("2"),
        hourly_rate=Decimal("60"),
    )


def busy_log(app: Comptoir) -> list[UUID]:
    """Three affairs whose events interleave, so every page touches several documents."""
    affairs = [open_affair(app, name) for name in ("Boiler", "Pumps", "Valves")]
    for step in range(4):
        for affair in affairs:
            log_time(app, affair, T0 + (step + 1) * HOUR)
    app.affairs.lose(ctx(T0 + 9 * HOUR, "no budget"), affairs[0])
    return affairs


def history_rows(store: DuckStore, table: str, key: str, document: UUID) -> int:
    found = store.reader().execute(f"SELECT count(*) FROM {table} WHERE {key} = ?", [str(document)])
    return int(found.fetchall()[0][0])


class Crash(BaseException):
    """A crash mid-batch (an `Exception` raised by a view quarantines its document instead)."""


class CrashingOnceAuditView:
    """The audit view, failing the first time it sees a given position."""

    def __init__(self, at_position: int) -> None:
        self.inner = default_views()[1][0]
        self.table = self.inner.table
        self.at_position: int | None = at_position

    def rows(self, events: Sequence[LoggedEvent]) -> list[dict[str, Any]]:
        if any(e.position == self.at_position for e in events):
            self.at_position = None
            raise Crash
        return self.inner.rows(events)


def test_a_runner_that_retries_after_a_failed_batch_does_not_reuse_its_uncommitted_documents(
    app: Comptoir, tmp_path: Path
) -> None:
    busy_log(app)
    store = DuckStore(tmp_path / "retried.duckdb")
    documents, _ = default_views()
    runner = ProjectionRunner(
        app,
        store.writer(),
        page_size=2,
        commit_every=3,
        views=(documents, [CrashingOnceAuditView(9)]),
    )
    with pytest.raises(Crash):
        runner.catch_up()
    assert runner.position == 6  # the three pages before the failing one
    runner.catch_up()
    built = rebuild(app, tmp_path / "rebuilt.duckdb")
    assert runner.position == built.position == app.log_position()
    assert compare(store.writer(), built.path) == []
    store.close()


def test_a_killed_projector_resumes_from_what_it_committed_not_from_what_it_held(
    app: Comptoir, tmp_path: Path
) -> None:
    busy_log(app)
    path = tmp_path / "killed.duckdb"
    store = DuckStore(path)
    runner = ProjectionRunner(app, store.writer(), page_size=2, commit_every=4)
    for _ in range(6):  # four pages committed, two held in the open transaction
        runner.run_batch()
    assert runner.position == 8
    store.close()  # the process dies: the open transaction is lost

    store = DuckStore(path)
    resumed = ProjectionRunner(app, store.writer(), page_size=2, commit_every=4)
    assert resumed.position == 8
    resumed.catch_up()
    built = rebuild(app, tmp_path / "rebuilt.duckdb")
    assert compare(store.writer(), built.path) == []
    store.close()


def test_documents_dropped_from_memory_are_folded_again_from_their_stored_state(
    app: Comptoir, tmp_path: Path
) -> None:
    busy_log(app)
    store = DuckStore(tmp_path / "forgetful.duckdb")
    ProjectionRunner(app, store.writer(), page_size=2, keep_documents=1).catch_up()
    built = rebuild(app, tmp_path / "rebuilt.duckdb")
    assert compare(store.writer(), built.path) == []
    store.close()


def test_events_that_leave_a_view_without_rows_add_no_history_and_change_no_answer(
    app: Comptoir, tmp_path: Path
) -> None:
    affair = open_affair(app, "Boiler")
    app.affairs.lose(ctx(T0 + HOUR, "no budget"), affair)
    store = DuckStore(tmp_path / "views.duckdb")
    runner = ProjectionRunner(app, store.writer(), page_size=1)
    runner.catch_up()
    pipeline_rows = history_rows(store, "pipeline_history", "document_id", affair)
    budget_rows = history_rows(store, "budget_figures_history", "affair_id", affair)

    for hours in (2, 3, 4):
        log_time(app, affair, T0 + hours * HOUR)
    runner.catch_up()

    assert history_rows(store, "pipeline_history", "document_id", affair) == pipeline_rows
    # The budget's rows did change with the time logged: each state is kept there.
    assert history_rows(store, "budget_figures_history", "affair_id", affair) > budget_rows
    as_of = (
        "SELECT count(*) FROM pipeline_history WHERE document_id = ? "
        "AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)"
    )
    for event in app.history(affair):
        instant = event.recorded_at.astimezone(UTC).replace(tzinfo=None)
        count = store.reader().execute(as_of, [str(affair), instant, instant]).fetchall()
        assert count == [(1 if event.version == 1 else 0,)]
    built = rebuild(app, tmp_path / "rebuilt.duckdb")
    assert compare(store.writer(), built.path) == []
    store.close()
