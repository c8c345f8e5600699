"""The pipeline, stage history, forecast, KPIs and forecast accuracy views (V1–V3, V9)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from typer.testing import CliRunner

from adapters.duckdb_store import DuckStore
from application.app import Comptoir
from application.journal import CommandContext
from domain.stages import DEFAULT_LADDER, RiskFactors, conversion_rates
from interfaces.cli import cli
from interfaces.settings import Settings
from projections import stages
from projections.base import DocumentView
from projections.pipeline import PipelineAffairsView, PipelineQuotesView
from projections.runner import ProjectionRunner
from tests.conftest import store_env

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    yield app
    app.close()


def ctx(at: datetime = T0, reason: str | None = None) -> CommandContext:
    return CommandContext(actor="alice", at=at, reason=reason)


def open_affair(app: Comptoir, name: str, amount: str, **fields: Any) -> UUID:
    values: dict[str, Any] = {
        "salesperson": "alice",
        "currency": "EUR",
        "sale_type": "product",
        "prospect": f"{name} SA",
        "zone": "west",
        "country": "FR",
        "risk": "medium",
        **fields,
    }
    at = values.pop("at", T0)
    return app.affairs.open(
        ctx(at), name=name, expected_amount=Decimal(amount), **values
    ).aggregate_id


def move(app: Comptoir, affair_id: UUID, stage: str, at: datetime = T0) -> None:
    app.affairs.move_to_stage(ctx(at), affair_id, stage)


def quote(app: Comptoir, title: str, prices: list[tuple[str, str]], **fields: Any) -> UUID:
    quote_id = app.quotes.draft(
        ctx(), currency="EUR", prospect="Durand", title=title, **fields
    ).aggregate_id
    for quantity, price in prices:
        app.quotes.add_line(
            ctx(),
            quote_id,
            description="Service",
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            vat_rate=Decimal("20"),
        )
    return quote_id


def project(app: Comptoir, tmp_path: Path) -> DuckStore:
    store = DuckStore(tmp_path / "v.duckdb")
    ProjectionRunner(app, store.writer()).catch_up()
    return store


def pipeline(store: DuckStore, where: str = "TRUE", params: Any = ()) -> dict[str, dict[str, Any]]:
    cursor = store.reader().execute(f"SELECT * FROM pipeline WHERE {where}", list(params))
    names = [d[0] for d in cursor.description or []]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return {row["name"]: row for row in rows}


def test_an_affair_at_maturation_with_medium_risk_weighs_three_quarters_of_half_its_amount(
    app: Comptoir, tmp_path: Path
) -> None:
    affair = open_affair(app, "Boiler", "10000.00", expected_close=date(2026, 6, 30))
    move(app, affair, "M")
    row = pipeline(project(app, tmp_path))["Boiler"]
    assert row["kind"] == "affair"
    assert row["document_id"] == str(affair)
    assert (row["stage"], row["stage_name"], row["probability"]) == ("M", "maturation", 50)
    assert row["risk"] == "medium"
    assert row["amount"] == Decimal("10000.00")
    assert row["weighted_amount"] == Decimal("3750.00")  # 10,000 × 50 % × 0.75
    assert (row["amount_base"], row["weighted_base"]) == (Decimal("10000.00"), Decimal("3750.00"))
    assert (row["salesperson"], row["sale_type"], row["zone"], row["country"]) == (
        "alice",
        "product",
        "west",
        "FR",
    )
    assert row["expected_close"] == date(2026, 6, 30)
    assert row["status"] == "open"
    assert app.affairs.weighted_amount(app.affairs.get(affair)).amount == row["weighted_amount"]


def test_amounts_in_another_currency_are_converted_with_the_affairs_zone_rate(
    app: Comptoir, tmp_path: Path
) -> None:
    dollars = open_affair(app, "Pumps", "2000.00", currency="USD", zone="emea", risk="high")
    move(app, dollars, "E")
    app.affairs.set_second_currency(ctx(), dollars, "EUR", Decimal("0.90"))
    app.affairs.set_rate(ctx(), dollars, "emea", Decimal("0.92"))
    open_affair(app, "Valves", "500.00", currency="GBP")
    row = pipeline(project(app, tmp_path))
    assert row["Pumps"]["weighted_amount"] == Decimal("300.00")  # 2,000 × 30 % × 0.5
    assert row["Pumps"]["amount_base"] == Decimal("1840.00")  # 2,000 × 0.92, the zone's rate
    assert row["Pumps"]["weighted_base"] == Decimal("276.00")  # 1,840 × 30 % × 0.5
    assert row["Valves"]["amount_base"] is None
    assert row["Valves"]["weighted_base"] is None
    assert row["Valves"]["weighted_amount"] == Decimal("37.50")  # 500 × 10 % × 0.75


def test_the_risk_factors_in_use_are_the_ones_the_view_is_given(
    app: Comptoir, tmp_path: Path
) -> None:
    affair = open_affair(app, "Boiler", "10000.00")
    move(app, affair, "M")
    store = DuckStore(tmp_path / "v.duckdb")
    factors = RiskFactors(medium=Decimal("0.6"))
    views: list[DocumentView] = [PipelineAffairsView(factors), PipelineQuotesView()]
    ProjectionRunner(app, store.writer(), views=(views, [])).catch_up()
    assert pipeline(store)["Boiler"]["weighted_amount"] == Decimal("3000.00")  # × 50 % × 0.6


def test_an_export_and_a_handed_over_rebuild_weigh_with_the_configured_risk_factors(
    settings: Settings, app: Comptoir, tmp_path: Path
) -> None:
    affair = open_affair(app, "Boiler", "10000.00")
    move(app, affair, "M")
    env = store_env(
        settings,
        COMPTOIR_DUCKDB_PATH=str(tmp_path / "views.duckdb"),
        COMPTOIR_RISK_FACTOR_MEDIUM="0.6",
    )
    runner = CliRunner()
    for args in (["export", "--to", str(tmp_path / "x")], ["rebuild", "--handoff"]):
        result = runner.invoke(cli, args, env=env)
        assert result.exit_code == 0, result.output
    exported = DuckStore(next((tmp_path / "x").glob("comptoir-*.duckdb")))
    handed = (tmp_path / "views.duckdb.next").read_text().strip()
    rebuilt = DuckStore(tmp_path / handed)
    for store in (exported, rebuilt):
        assert pipeline(store)["Boiler"]["weighted_amount"] == Decimal("3000.00")  # × 0.6
        store.close()


def test_open_quotes_outside_affairs_are_in_the_pipeline_weighted_by_their_status(
    app: Comptoir, tmp_path: Path
) -> None:
    draft = quote(app, "Draft", [("2", "19.99"), ("1", "100.00")], salesperson="bob")
    sent = quote(app, "Sent", [("3", "33.33")], valid_until=date(2026, 5, 31))
    app.quotes.send(ctx(), sent)
    declined = quote(app, "Declined", [("1", "50.00")])
    app.quotes.send(ctx(), declined)
    app.quotes.decline(ctx(reason="too dear"), declined)
    attached = quote(app, "Attached", [("1", "70.00")])
    affair = open_affair(app, "Boiler", "10000.00")
    app.quotes.attach_to_affair(ctx(), attached, affair_id=affair)
    rows = pipeline(project(app, tmp_path), "kind = 'quote'")
    assert sorted(rows) == ["Draft", "Sent"]
    assert rows["Draft"]["document_id"] == str(draft)
    assert rows["Draft"]["amount"] == Decimal("139.98")  # 2 × 19.99 + 100.00, excluding VAT
    assert rows["Draft"]["weighted_amount"] == Decimal("14.00")  # 13.998 at 10 %
    assert (rows["Draft"]["stage"], rows["Draft"]["stage_name"]) == ("quote", "quote")
    assert (rows["Draft"]["probability"], rows["Draft"]["risk"]) == (10, None)
    assert rows["Draft"]["salesperson"] == "bob"
    assert rows["Sent"]["amount"] == Decimal("99.99")
    assert rows["Sent"]["weighted_amount"] == Decimal("30.00")  # 29.997 at 30 %
    assert rows["Sent"]["weighted_base"] == Decimal("30.00")
    assert (rows["Sent"]["status"], rows["Sent"]["expected_close"]) == ("sent", date(2026, 5, 31))


def test_a_lost_affair_leaves_the_pipeline_but_stays_in_its_history_as_of_before(
    app: Comptoir, tmp_path: Path
) -> None:
    affair = open_affair(app, "Boiler", "10000.00")
    move(app, affair, "B")
    before = datetime.now(UTC)
    app.affairs.lose(ctx(T0 + DAY, reason="competitor cheaper"), affair)
    after = datetime.now(UTC)
    store = project(app, tmp_path)
    assert pipeline(store) == {}
    as_of = (
        "SELECT stage, weighted_amount FROM pipeline_history WHERE document_id = ? "
        "AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)"
    )

    def at(instant: datetime) -> list[Any]:
        naive = instant.astimezone(UTC).replace(tzinfo=None)
        return store.reader().execute(as_of, [str(affair), naive, naive]).fetchall()

    assert at(before) == [("B", Decimal("5250.00"))]  # 10,000 × 70 % × 0.75
    assert at(after) == []


def test_a_won_affair_leaves_the_pipeline_and_its_stage_history_records_each_stay(
    app: Comptoir, tmp_path: Path
) -> None:
    affair = open_affair(app, "Boiler", "10000.00")
    move(app, affair, "E", T0 + 2 * DAY)
    move(app, affair, "A", T0 + 5 * DAY)
    store = project(app, tmp_path)
    assert pipeline(store) == {}
    rows = (
        store.reader()
        .execute(
            "SELECT entry, stage, stage_name, entered_at, left_at, seconds_in_stage, next_stage, "
            "outcome, is_won_stage, amount FROM stage_history WHERE affair_id = ? ORDER BY entry",
            [str(affair)],
        )
        .fetchall()
    )
    naive = T0.replace(tzinfo=None)
    assert rows == [
        (1, "P", "prospection", naive, naive + 2 * DAY, Decimal(172800), "E", "won", False, 10000),
        (
            2,
            "E",
            "evaluation",
            naive + 2 * DAY,
            naive + 5 * DAY,
            Decimal(259200),
            "A",
            "won",
            False,
            10000,
        ),
        (3, "A", "purchase", naive + 5 * DAY, None, None, None, "won", True, 10000),
    ]


def test_the_forecast_sums_weighted_amounts_per_month_salesperson_and_zone(
    app: Comptoir, tmp_path: Path
) -> None:
    first = open_affair(app, "Boiler", "10000.00", expected_close=date(2026, 6, 3))
    move(app, first, "M")  # 3,750.00
    open_affair(app, "Pumps", "4000.00", expected_close=date(2026, 6, 30), risk="low")  # 400.00
    open_affair(app, "Valves", "1000.00", expected_close=date(2026, 7, 1), salesperson="bob")
    open_affair(app, "Later", "1000.00", expected_close=date(2026, 9, 1))
    quote(app, "Draft", [("1", "200.00")], valid_until=date(2026, 7, 15), salesperson="bob")
    cursor = project(app, tmp_path).reader()
    rows = stages.forecast(cursor, date(2026, 6, 1), date(2026, 7, 1))
    found = [
        (r["month"], r["salesperson"], r["zone"], r["documents"], r["weighted_base"]) for r in rows
    ]
    assert found == [
        (date(2026, 6, 1), "alice", "west", 2, Decimal("4150.00")),
        (date(2026, 7, 1), "bob", None, 1, Decimal("20.00")),  # the quote: 200 × 10 %
        (date(2026, 7, 1), "bob", "west", 1, Decimal("75.00")),  # 1,000 × 10 % × 0.75
    ]
    only_bob = stages.forecast(cursor, date(2026, 6, 1), date(2026, 7, 1), "bob", "west")
    assert [r["weighted_base"] for r in only_bob] == [Decimal("75.00")]


def test_kpis_give_win_rate_conversion_time_in_stage_and_deal_size_from_stage_history(
    app: Comptoir, tmp_path: Path
) -> None:
    won = open_affair(app, "Won", "10000.00")
    move(app, won, "E", T0 + 2 * DAY)
    move(app, won, "M", T0 + 5 * DAY)
    move(app, won, "A", T0 + 10 * DAY)
    lost = open_affair(app, "Lost", "5000.00")
    move(app, lost, "E", T0 + 4 * DAY)
    app.affairs.lose(ctx(T0 + 6 * DAY, reason="no budget"), lost)
    skipped = open_affair(app, "Skipped", "3000.00")
    move(app, skipped, "M", T0 + DAY)
    waiting = open_affair(app, "Waiting", "1000.00")
    cursor = project(app, tmp_path).reader()
    kpis = stages.kpis(cursor)
    assert (kpis["won"], kpis["lost"], kpis["win_rate"]) == (1, 1, Decimal("50.00"))
    assert kpis["average_deal_size"] == Decimal("10000.00")
    rates = {c["stage"]: c["rate"] for c in kpis["conversion"]}
    assert rates == {
        "P": Decimal("75.00"),  # 3 of 4 reached E or later
        "E": Decimal("66.67"),  # 2 of 3 reached M or later (one skipped E)
        "M": Decimal("50.00"),
        "B": Decimal("100.00"),  # the won affair skipped B: reaching A reaches B
    }
    histories = [app.affairs.get(a).stage_history for a in (won, lost, skipped, waiting)]
    assert rates == conversion_rates(histories, DEFAULT_LADDER)
    days = {t["stage"]: t["average_days"] for t in kpis["time_in_stage"]}
    assert days == {"P": Decimal("2.33"), "E": Decimal("2.50"), "M": Decimal("5.00")}
    # Only affairs closed from T0 + 7 days: the won one.
    later = stages.kpis(cursor, since=T0 + 7 * DAY)
    assert (later["won"], later["lost"], later["win_rate"]) == (1, 0, Decimal("100.00"))
    assert stages.kpis(cursor, until=T0)["win_rate"] is None


def test_forecast_accuracy_compares_the_pipeline_then_with_what_was_won_in_the_period(
    app: Comptoir, tmp_path: Path
) -> None:
    big = open_affair(app, "Big", "20000.00", expected_close=date(2026, 12, 15), risk="low")
    move(app, big, "B")  # 20,000 × 70 % × 1 = 14,000.00
    small = open_affair(
        app, "Small", "8000.00", expected_close=date(2026, 12, 20), salesperson="bob"
    )
    move(app, small, "M")  # 8,000 × 50 % × 0.75 = 3,000.00
    open_affair(app, "January", "9000.00", expected_close=date(2027, 1, 10))
    then = datetime.now(UTC)
    move(app, big, "A", datetime(2026, 12, 10, tzinfo=UTC))
    app.affairs.lose(ctx(datetime(2026, 12, 11, tzinfo=UTC), reason="lost"), small)
    cursor = project(app, tmp_path).reader()
    result = stages.forecast_accuracy(cursor, then, date(2026, 12, 1), date(2027, 1, 1))
    assert (result["forecast"], result["won"]) == (Decimal("17000.00"), Decimal("20000.00"))
    assert result["ratio"] == Decimal("1.1765")  # 20,000 ÷ 17,000
    assert result["salespeople"] == [
        {
            "salesperson": "alice",
            "forecast": Decimal("14000.00"),
            "won": Decimal("20000.00"),
            "ratio": Decimal("1.4286"),
        },
        {
            "salesperson": "bob",
            "forecast": Decimal("3000.00"),
            "won": Decimal("0.00"),
            "ratio": Decimal("0.0000"),
        },
    ]
    now = stages.forecast_accuracy(cursor, datetime.now(UTC), date(2026, 12, 1), date(2027, 1, 1))
    assert (now["forecast"], now["won"], now["ratio"]) == (
        Decimal("0.00"),
        Decimal("20000.00"),
        None,
    )
