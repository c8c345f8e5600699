"""The quote dashboard by validity bucket (V4): buckets of the day asked, from stored dates."""

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
from domain.quote_policy import validity_bucket
from interfaces.settings import Settings
from projections.quote_validity import BUCKETS, query_validity, query_validity_list
from projections.runner import ProjectionRunner

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
TODAY = date(2026, 11, 2)
D = Decimal


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    yield app
    app.close()


def ctx(at: datetime = AT, reason: str | None = None) -> CommandContext:
    return CommandContext(actor="alice", at=at, reason=reason)


def quote(
    app: Comptoir,
    price: str,
    valid_until: date | None = None,
    *,
    currency: str = "EUR",
    at: datetime = AT,
    send: bool = True,
) -> UUID:
    quote_id = app.quotes.draft(
        ctx(at), currency=currency, prospect="Martin", valid_until=valid_until
    ).aggregate_id
    app.quotes.add_line(
        ctx(at), quote_id, description="Oven", quantity=D(1), unit_price=D(price), vat_rate=D(20)
    )
    if send:
        app.quotes.send(ctx(at), quote_id)
    return quote_id


@pytest.fixture
def dashboard(app: Comptoir, tmp_path: Path) -> Iterator[tuple[DuckStore, dict[str, UUID]]]:
    ids = {
        "signed": quote(app, "200.00", date(2026, 12, 31)),  # 240.00 incl. tax
        "signed_usd": quote(app, "100.00", currency="USD"),  # 120.00 USD
        "draft": quote(app, "50.00", send=False),  # 60.00
        "in_5_days": quote(app, "10.00", date(2026, 11, 7)),  # 12.00
        "in_9_days": quote(app, "20.00", date(2026, 11, 11)),  # 24.00
        "in_10_days": quote(app, "30.00", date(2026, 11, 12)),  # 36.00
        "no_date": quote(app, "5.00"),  # 6.00
        "expired_by_job": quote(app, "40.00", date(2026, 11, 5)),  # 48.00
        "past_its_date": quote(
            app, "1.00", date(2026, 10, 31), at=datetime(2026, 10, 1, tzinfo=UTC)
        ),  # 1.20, sent in October and not yet expired by the job
        "declined": quote(app, "999.00"),
    }
    app.quotes.accept(ctx(), ids["signed"])
    app.quotes.accept(ctx(), ids["signed_usd"])
    app.quotes.expire(ctx(datetime(2026, 11, 6, tzinfo=UTC)), ids["expired_by_job"])
    app.quotes.decline(ctx(reason="too dear"), ids["declined"])
    store = DuckStore(tmp_path / "v.duckdb")
    ProjectionRunner(app, store.writer()).catch_up()
    yield store, ids
    store.close()


def summary(buckets: list[dict[str, Any]]) -> dict[str, tuple[int, dict[str, Decimal]]]:
    return {b["bucket"]: (b["count"], b["total_gross"]) for b in buckets}


def test_counts_and_totals_per_bucket_as_of_a_given_day(
    dashboard: tuple[DuckStore, dict[str, UUID]],
) -> None:
    store, _ = dashboard
    assert summary(query_validity(store.reader(), TODAY, 10)) == {
        "signed": (2, {"EUR": D("240.00"), "USD": D("120.00")}),
        "pending": (1, {"EUR": D("60.00")}),
        "expires_soon": (2, {"EUR": D("36.00")}),  # 12.00 + 24.00: 5 and 9 days left
        "expires_later": (2, {"EUR": D("42.00")}),  # 36.00 (10 days left) + 6.00 (no date)
        "expired": (2, {"EUR": D("49.20")}),  # 48.00 expired by the job + 1.20 past its date
    }


def test_the_same_quotes_fall_in_other_buckets_a_week_later(
    dashboard: tuple[DuckStore, dict[str, UUID]],
) -> None:
    store, _ = dashboard
    buckets = summary(query_validity(store.reader(), date(2026, 11, 8), 10))
    assert buckets["expires_soon"] == (2, {"EUR": D("60.00")})  # 24.00 + 36.00
    assert buckets["expires_later"] == (1, {"EUR": D("6.00")})
    assert buckets["expired"] == (3, {"EUR": D("61.20")})  # 48.00 + 1.20 + 12.00


def test_the_soon_threshold_is_a_parameter(dashboard: tuple[DuckStore, dict[str, UUID]]) -> None:
    store, _ = dashboard
    buckets = summary(query_validity(store.reader(), TODAY, 6))
    assert buckets["expires_soon"] == (1, {"EUR": D("12.00")})
    assert buckets["expires_later"] == (3, {"EUR": D("66.00")})


def test_the_list_behind_a_bucket_is_paginated_soonest_first(
    dashboard: tuple[DuckStore, dict[str, UUID]],
) -> None:
    store, ids = dashboard
    total, rows = query_validity_list(store.reader(), TODAY, 10, "expires_soon")
    assert total == 2
    assert [r["quote_id"] for r in rows] == [str(ids["in_5_days"]), str(ids["in_9_days"])]
    assert [r["days_left"] for r in rows] == [5, 9]
    total, rows = query_validity_list(store.reader(), TODAY, 10, "expired", limit=1, offset=1)
    assert total == 2
    assert [r["quote_id"] for r in rows] == [str(ids["expired_by_job"])]  # 31 Oct, then 5 Nov


def test_the_sql_buckets_are_the_domains_on_every_day_around_the_dates(
    dashboard: tuple[DuckStore, dict[str, UUID]],
) -> None:
    store, ids = dashboard
    statuses = dict(store.reader().execute("SELECT quote_id, status FROM quotes").fetchall())
    dates = dict(store.reader().execute("SELECT quote_id, valid_until FROM quotes").fetchall())
    day = date(2026, 10, 20)
    while day <= date(2027, 1, 10):
        for soon in (0, 1, 10):
            found: dict[str, str] = {}
            for bucket in BUCKETS:
                _, rows = query_validity_list(store.reader(), day, soon, bucket, limit=100)
                found.update({r["quote_id"]: bucket for r in rows})
            for quote_id in map(str, ids.values()):
                expected = validity_bucket(statuses[quote_id], dates[quote_id], day, soon)
                assert found.get(quote_id) == (None if expected is None else str(expected))
        day += timedelta(days=3)
