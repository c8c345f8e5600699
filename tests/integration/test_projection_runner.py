"""The projector on real event stores and real DuckDB files."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from adapters.duckdb_store import DuckStore
from application.app import Comptoir
from application.journal import CommandContext
from interfaces.settings import Settings
from projections.base import LoggedEvent
from projections.registry import default_views
from projections.runner import ProjectionRunner

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    yield app
    app.close()


def ctx(actor: str = "alice", reason: str | None = None) -> CommandContext:
    return CommandContext(actor=actor, at=AT, reason=reason)


def sell(app: Comptoir, prospect: str, prices: Sequence[str], *, send: bool = True) -> Any:
    drafted = app.quotes.draft(ctx(), currency="EUR", prospect=prospect)
    for price in prices:
        app.quotes.add_line(
            ctx(),
            drafted.aggregate_id,
            description="Service",
            quantity=Decimal(2),
            unit_price=Decimal(price),
            vat_rate=Decimal("20"),
        )
    if send:
        app.quotes.send(ctx("bob", "customer asked"), drafted.aggregate_id)
    return drafted.aggregate_id


def rows(store: DuckStore, sql: str) -> list[tuple[Any, ...]]:
    return store.reader().execute(sql).fetchall()


def test_the_quotes_view_says_what_the_events_say(app: Comptoir, tmp_path: Path) -> None:
    first = sell(app, "Martin", ["19.99", "5.00"])
    second = sell(app, "Dupont", ["100.00"], send=False)
    store = DuckStore(tmp_path / "views.duckdb")
    runner = ProjectionRunner(app, store.writer(), page_size=3)
    assert runner.catch_up() == app.log_position()
    view = {
        r[0]: r[1:]
        for r in rows(
            store, "SELECT quote_id, status, total_net, total_vat, total_gross FROM quotes"
        )
    }
    # 2 × 19.99 + 2 × 5.00 = 49.98 net; VAT 20 % = 10.00 (9.996 rounded half-up)
    assert view[str(first)] == ("sent", Decimal("49.98"), Decimal("10.00"), Decimal("59.98"))
    assert view[str(second)] == ("draft", Decimal("200.00"), Decimal("40.00"), Decimal("240.00"))
    audit = rows(store, "SELECT event_type, actor, reason FROM audit_log ORDER BY position")
    assert len(audit) == app.log_position()
    assert ("Quote.Sent", "bob", "customer asked") in audit
    store.close()


def test_a_restarted_runner_resumes_where_it_stopped_without_double_counting(
    app: Comptoir, tmp_path: Path
) -> None:
    sell(app, "Martin", ["10.00"])
    path = tmp_path / "views.duckdb"
    store = DuckStore(path)
    ProjectionRunner(app, store.writer()).catch_up()
    store.close()

    sell(app, "Dupont", ["20.00"])
    store = DuckStore(path)
    runner = ProjectionRunner(app, store.writer())
    assert runner.position == 3
    assert runner.catch_up() == 3
    assert rows(store, "SELECT count(*), count(DISTINCT position) FROM audit_log") == [(6, 6)]
    assert rows(store, "SELECT count(*) FROM quotes") == [(2,)]
    store.close()


class Crash(BaseException):
    """A crash mid-batch (an `Exception` raised by a view quarantines its document instead)."""


class CrashingAuditView:
    """The audit view, failing on the batch that holds a given position."""

    def __init__(self, at_position: int) -> None:
        self.inner = default_views()[1][0]
        self.table = self.inner.table
        self.at_position = at_position

    def rows(self, events: Sequence[LoggedEvent]) -> list[dict[str, Any]]:
        if any(e.position == self.at_position for e in events):
            raise Crash
        return self.inner.rows(events)


def snapshot(store: DuckStore) -> dict[str, list[tuple[Any, ...]]]:
    return {
        "quotes": rows(store, "SELECT * EXCLUDE (position) FROM quotes ORDER BY quote_id"),
        "audit": rows(store, "SELECT * FROM audit_log ORDER BY position"),
    }


def test_a_batch_that_fails_midway_leaves_no_trace_and_the_retry_equals_a_rebuild(
    app: Comptoir, tmp_path: Path
) -> None:
    for name in ("Martin", "Dupont", "Leroy"):
        sell(app, name, ["12.50", "7.25"])
    store = DuckStore(tmp_path / "crashing.duckdb")
    documents, _ = default_views()
    crashing = ProjectionRunner(
        app, store.writer(), page_size=4, views=(documents, [CrashingAuditView(6)])
    )
    with pytest.raises(Crash):
        crashing.catch_up()
    assert crashing.position == 4
    assert rows(store, "SELECT position FROM projection_tracking") == [(4,)]
    assert rows(store, "SELECT max(position) FROM audit_log") == [(4,)]

    resumed = ProjectionRunner(app, store.writer(), page_size=4)
    resumed.catch_up()
    rebuilt_store = DuckStore(tmp_path / "rebuilt.duckdb")
    ProjectionRunner(app, rebuilt_store.writer(), page_size=1000).catch_up()
    assert snapshot(store) == snapshot(rebuilt_store)
    store.close()
    rebuilt_store.close()


def test_projecting_the_same_events_twice_gives_the_same_rows(
    app: Comptoir, tmp_path: Path
) -> None:
    for name in ("Martin", "Dupont"):
        sell(app, name, ["3.33", "1.01"])
    first, second = DuckStore(tmp_path / "a.duckdb"), DuckStore(tmp_path / "b.duckdb")
    ProjectionRunner(app, first.writer(), page_size=1).catch_up()
    ProjectionRunner(app, second.writer(), page_size=500).catch_up()
    assert snapshot(first) == snapshot(second)
    first.close()
    second.close()


def test_the_following_thread_picks_up_new_commands_and_wait_for_returns(
    app: Comptoir, tmp_path: Path
) -> None:
    store = DuckStore(tmp_path / "views.duckdb")
    runner = ProjectionRunner(app, store.writer())
    runner.start(poll_s=0.05)
    try:
        quote_id = sell(app, "Martin", ["10.00"])
        assert runner.wait_for(app.log_position(), timeout=10)
        assert rows(store, f"SELECT status FROM quotes WHERE quote_id = '{quote_id}'") == [
            ("sent",)
        ]
    finally:
        runner.stop()
        store.close()


def test_the_history_keeps_every_state_with_its_validity_interval(
    app: Comptoir, tmp_path: Path
) -> None:
    quote_id = sell(app, "Martin", ["10.00"])
    stamps = [h.recorded_at for h in app.history(quote_id)]
    one_by_one, all_at_once = DuckStore(tmp_path / "a.duckdb"), DuckStore(tmp_path / "b.duckdb")
    ProjectionRunner(app, one_by_one.writer(), page_size=1).catch_up()
    ProjectionRunner(app, all_at_once.writer(), page_size=100).catch_up()
    query = (
        "SELECT status, line_count, valid_from, valid_to FROM quotes_history ORDER BY valid_from"
    )
    states = rows(one_by_one, query)
    assert states == rows(all_at_once, query)
    naive = [s.astimezone(UTC).replace(tzinfo=None) for s in stamps]
    assert states == [
        ("draft", 0, naive[0], naive[1]),
        ("draft", 1, naive[1], naive[2]),
        ("sent", 1, naive[2], None),
    ]
    as_of = (
        "SELECT line_count FROM quotes_history WHERE valid_from <= ? "
        "AND (valid_to IS NULL OR valid_to > ?)"
    )
    assert rows_with(one_by_one, as_of, [naive[1], naive[1]]) == [(1,)]
    one_by_one.close()
    all_at_once.close()


def rows_with(store: DuckStore, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    return store.reader().execute(sql, params).fetchall()
