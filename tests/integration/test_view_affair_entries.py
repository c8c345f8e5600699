"""The `affair_entries` view on real event stores and DuckDB: every entry once, whatever
the paging, adding up to the affair's own totals (A5)."""

from __future__ import annotations

from collections.abc import Iterator
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
from projections.affair_entries import AffairEntriesView
from projections.audit import AuditView
from projections.runner import ProjectionRunner

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = date(2026, 3, 2)


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    yield app
    app.close()


def ctx(minutes: int = 0) -> CommandContext:
    return CommandContext(actor="alice", at=AT + timedelta(minutes=minutes))


def long_affair(app: Comptoir, time_entries: int) -> UUID:
    affairs = app.affairs
    affair_id = affairs.open(
        ctx(),
        name="Network roll-out",
        prospect="Mairie de Lens",
        salesperson="alice",
        currency="EUR",
        expected_amount=Decimal("90000"),
        sale_type="study",
    ).aggregate_id
    for n in range(time_entries):
        affairs.log_time(
            ctx(n),
            affair_id,
            employee=f"tech-{n % 4}",
            day=DAY + timedelta(days=n % 30),
            hours=Decimal("1.25"),
            hourly_rate=Decimal("57.30"),
            billable=n % 6 != 0,
        )
    for ref, committed in (("INV-1", False), ("PO-1", True), ("PO-2", True)):
        affairs.record_cost(
            ctx(),
            affair_id,
            category="purchases",
            amount=Decimal("410.10"),
            document_ref=ref,
            document_date=DAY,
            committed=committed,
        )
    affairs.receive_committed(ctx(), affair_id, "PO-1")
    affairs.record_revenue(
        ctx(),
        affair_id,
        kind="ordered",
        amount=Decimal("90000"),
        document_ref="SO-1",
        document_date=DAY,
    )
    return affair_id


def project(app: Comptoir, path: Path, page_size: int) -> list[tuple[Any, ...]]:
    store = DuckStore(path)
    try:
        runner = ProjectionRunner(
            app, store.writer(), page_size=page_size, views=([], [AffairEntriesView(), AuditView()])
        )
        runner.catch_up()
        return store.reader().execute("SELECT * FROM affair_entries ORDER BY position").fetchall()
    finally:
        store.close()


def test_each_entry_is_one_row_whatever_the_page_size_and_the_rows_add_up(
    app: Comptoir, tmp_path: Path
) -> None:
    affair_id = long_affair(app, 250)
    small = project(app, tmp_path / "small.duckdb", page_size=7)
    large = project(app, tmp_path / "large.duckdb", page_size=5000)
    assert small == large
    affair = app.affairs.get(affair_id)
    store = DuckStore(tmp_path / "large.duckdb")
    try:
        totals = (
            store.reader()
            .execute(
                "SELECT kind, count(*), sum(amount), sum(hours) FROM affair_entries "
                "WHERE affair_id = ? GROUP BY kind ORDER BY kind",
                [str(affair_id)],
            )
            .fetchall()
        )
        labour = (
            store.reader()
            .execute(
                "SELECT employee, count(*), sum(hours), sum(amount) FROM affair_entries "
                "WHERE kind = 'time' GROUP BY employee ORDER BY employee"
            )
            .fetchall()
        )
    finally:
        store.close()
    counts = {kind: (count, amount, hours) for kind, count, amount, hours in totals}
    assert counts["time"] == (250, affair.actual["labour"], affair.hours)
    assert counts["cost"][0] + counts["committed_cost_received"][0] == affair.cost_count
    assert counts["committed_cost"][0] == 2
    assert counts["revenue"][:2] == (1, Decimal("90000"))
    assert labour == [
        (employee, s.entries, s.hours, s.cost) for employee, s in sorted(affair.labour.items())
    ]


def test_a_runner_started_again_appends_only_the_new_entries(app: Comptoir, tmp_path: Path) -> None:
    affair_id = long_affair(app, 20)
    path = tmp_path / "views.duckdb"
    assert len(project(app, path, page_size=100)) == 25
    app.affairs.log_time(
        ctx(), affair_id, employee="tech-9", day=DAY, hours=Decimal("2"), hourly_rate=Decimal(50)
    )
    rows = project(app, path, page_size=100)
    assert len(rows) == 26
    assert len({row[1] for row in rows}) == 26  # one row per position
