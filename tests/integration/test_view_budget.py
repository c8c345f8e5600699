"""The budget versus actual view (V5), to the cent, with baselines and as-of queries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from adapters.duckdb_store import DuckStore
from application.app import Comptoir
from application.journal import CommandContext
from domain.budget import BudgetCategory
from interfaces.export import export_views
from interfaces.settings import Settings
from projections.budget import budget_source
from projections.runner import ProjectionRunner

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
JUNE = date(2026, 6, 15)


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    yield app
    app.close()


def ctx(reason: str | None = None) -> CommandContext:
    return CommandContext(actor="alice", at=AT, reason=reason)


def budgeted_affair(app: Comptoir) -> UUID:
    """Labour 1,500, purchases 800 then revised to 1,000, sales 5,000; baselines 1 and 2."""
    affair = app.affairs.open(
        ctx(),
        name="Boiler room",
        prospect="Durand SA",
        salesperson="alice",
        currency="EUR",
        expected_amount=Decimal("5000.00"),
        sale_type="study",
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
    ).aggregate_id
    app.affairs.set_budget(ctx(), affair, "labour", Decimal("1500"))
    app.affairs.set_budget(ctx(), affair, "purchases", Decimal("800"))
    app.affairs.set_budget(ctx(), affair, "sales", Decimal("5000"))
    app.affairs.baseline(ctx("signed"), affair)
    app.affairs.set_budget(ctx(), affair, "purchases", Decimal("1000"))
    app.affairs.baseline(ctx("scope grew"), affair)
    return affair


def spend(app: Comptoir, affair: UUID) -> None:
    costs = app.affairs
    costs.record_cost(
        ctx(),
        affair,
        category="purchases",
        amount=Decimal("400"),
        document_ref="PO-1",
        document_date=JUNE,
    )
    costs.record_cost(
        ctx(),
        affair,
        category="purchases",
        amount=Decimal("250"),
        document_ref="PO-2",
        document_date=JUNE,
    )
    # Committed, and dated after the affair's period: an informative alert.
    costs.record_cost(
        ctx(),
        affair,
        category="expenses",
        amount=Decimal("120"),
        document_ref="EX-1",
        document_date=date(2027, 2, 1),
        committed=True,
    )
    costs.log_time(
        ctx(), affair, employee="eve", day=JUNE, hours=Decimal(8), hourly_rate=Decimal("58.50")
    )
    costs.record_revenue(
        ctx(),
        affair,
        kind="ordered",
        amount=Decimal("4000"),
        document_ref="SO-1",
        document_date=JUNE,
    )
    costs.record_revenue(
        ctx(),
        affair,
        kind="invoiced",
        amount=Decimal("1500"),
        document_ref="IN-1",
        document_date=JUNE,
    )
    costs.report_progress(ctx(), affair, Decimal(40))


def project(app: Comptoir, tmp_path: Path) -> DuckStore:
    store = DuckStore(tmp_path / "v.duckdb")
    ProjectionRunner(app, store.writer()).catch_up()
    return store


def by_category(
    store: DuckStore, table: str = "budget_vs_actual", where: str = "TRUE", params: Any = ()
) -> dict[str, dict[str, Any]]:
    cursor = store.reader().execute(
        f"SELECT * FROM {table} WHERE {where} ORDER BY line", list(params)
    )
    names = [d[0] for d in cursor.description or []]
    return {r[names.index("category")]: dict(zip(names, r, strict=True)) for r in cursor.fetchall()}


def test_budget_versus_actual_gives_each_category_to_the_cent(
    app: Comptoir, tmp_path: Path
) -> None:
    affair = budgeted_affair(app)
    spend(app, affair)
    rows = by_category(project(app, tmp_path))
    assert list(rows) == ["labour", "purchases", "subcontracting", "expenses", "sales"]
    purchases = rows["purchases"]
    assert purchases["budget"] == Decimal("1000.00")
    assert purchases["actual"] == Decimal("650.00")  # 400 + 250
    assert purchases["variance"] == Decimal("350.00")
    assert purchases["forecast"] == Decimal("1625.00")  # 650 ÷ 40 %
    labour = rows["labour"]
    assert labour["actual"] == Decimal("468.00")  # 8 h × 58.50
    assert labour["variance"] == Decimal("1032.00")
    assert labour["forecast"] == Decimal("1170.00")  # 468 ÷ 40 %
    expenses = rows["expenses"]
    assert (expenses["budget"], expenses["actual"], expenses["committed"]) == (0, 0, 120)
    assert expenses["forecast"] == Decimal("0.00")
    sales = rows["sales"]
    assert (sales["budget"], sales["actual"], sales["committed"]) == (5000, 1500, 4000)
    assert (sales["variance"], sales["forecast"]) == (Decimal("3500.00"), Decimal("5000.00"))
    for row in rows.values():
        assert row["progress"] == Decimal(40)
        assert (row["revenue_ordered"], row["revenue_invoiced"]) == (4000, 1500)
        assert row["forecast_cost"] == Decimal("2795.00")  # 1,170 + 1,625 + 0 + 0
        assert row["forecast_revenue"] == Decimal("5000.00")
        assert row["forecast_margin"] == Decimal("2205.00")  # 5,000 − 2,795
        assert row["open_alerts"] == 1
        assert row["currency"] == "EUR"


def test_the_view_says_exactly_what_the_domains_report_says(app: Comptoir, tmp_path: Path) -> None:
    affair = budgeted_affair(app)
    spend(app, affair)
    report = app.affairs.get(affair).budget_report()
    rows = by_category(project(app, tmp_path))
    for expected in report.rows:
        row = rows[str(expected.category)]
        assert (row["budget"], row["actual"], row["committed"]) == (
            expected.budget,
            expected.actual,
            expected.committed,
        )
        assert (row["variance"], row["forecast"]) == (expected.variance, expected.forecast)
        assert row["forecast_margin"] == report.forecast_margin


def test_a_budget_revision_keeps_every_earlier_baseline(app: Comptoir, tmp_path: Path) -> None:
    affair = budgeted_affair(app)
    rows = by_category(project(app, tmp_path))
    assert json.loads(rows["purchases"]["baselines"]) == {"1": "800.00", "2": "1000.00"}
    assert rows["purchases"]["last_baseline"] == Decimal("1000.00")
    assert json.loads(rows["labour"]["baselines"]) == {"1": "1500.00", "2": "1500.00"}
    assert json.loads(rows["subcontracting"]["baselines"]) == {"1": "0.00", "2": "0.00"}
    assert all(row["baseline_count"] == 2 for row in rows.values())
    assert app.affairs.get_baseline(affair, 1).amounts["purchases"] == Decimal("800.00")


def test_before_any_baseline_there_is_no_last_baseline(app: Comptoir, tmp_path: Path) -> None:
    affair = app.affairs.open(
        ctx(),
        name="Small",
        prospect="Martin",
        salesperson="bob",
        currency="JPY",
        expected_amount=Decimal("100000"),
        sale_type="training",
    ).aggregate_id
    app.affairs.set_budget(ctx(), affair, "expenses", Decimal("1234.5"))
    rows = by_category(project(app, tmp_path))
    assert rows["expenses"]["budget"] == Decimal("1235")  # yen have no minor unit
    assert rows["expenses"]["last_baseline"] is None
    assert rows["expenses"]["baselines"] == "{}"


def test_the_history_answers_as_the_budget_stood_before_the_revision(
    app: Comptoir, tmp_path: Path
) -> None:
    affair = app.affairs.open(
        ctx(),
        name="Boiler room",
        prospect="Durand SA",
        salesperson="alice",
        currency="EUR",
        expected_amount=Decimal("5000.00"),
        sale_type="study",
    ).aggregate_id
    app.affairs.set_budget(ctx(), affair, "purchases", Decimal("800"))
    app.affairs.baseline(ctx("signed"), affair)
    before = datetime.now(UTC).replace(tzinfo=None)
    app.affairs.set_budget(ctx(), affair, "purchases", Decimal("1000"))
    store = project(app, tmp_path)
    then = by_category(store, budget_source(before), "affair_id = ?", [str(affair)])
    assert then["purchases"]["budget"] == Decimal("800.00")
    assert then["purchases"]["variance"] == Decimal("800.00")
    assert by_category(store)["purchases"]["budget"] == Decimal("1000.00")
    assert by_category(store)["purchases"]["last_baseline"] == Decimal("800.00")


def test_the_budget_is_stored_once_a_state_and_served_and_exported_by_category(
    app: Comptoir, tmp_path: Path
) -> None:
    affair = budgeted_affair(app)
    spend(app, affair)
    store = project(app, tmp_path)
    reader = store.reader()
    states = reader.execute(
        "SELECT count(*) FROM budget_figures_history WHERE affair_id = ?", [str(affair)]
    ).fetchone()
    assert states == (len(list(app.history(affair))),)  # one row a state, not five
    served = reader.execute("SELECT * FROM budget_vs_actual ORDER BY line").fetchall()
    assert [r[5] for r in served] == [str(c) for c in BudgetCategory]
    written = export_views(app, tmp_path / "export")
    exported = reader.execute(
        f"SELECT * FROM '{written.parquet['budget_vs_actual']}' ORDER BY line"
    ).fetchall()
    assert exported == served
