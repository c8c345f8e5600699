"""Snapshots: a long document loads from its latest snapshot plus later events, and the
result equals a full replay of its events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate

from application.app import Comptoir
from application.journal import CommandContext
from domain.affair import Affair
from domain.quote import Quote
from interfaces.settings import Settings
from tests.unit.replay import state_of

AT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    yield app
    app.close()


def full_replay(app: Comptoir, aggregate_id: UUID) -> Any:
    """The document rebuilt from every one of its events, ignoring snapshots."""
    aggregate: Any = None
    for event in app.events.get(aggregate_id):
        aggregate = event.mutate(aggregate)
    return aggregate


def snapshot_versions(app: Comptoir, aggregate_id: UUID) -> list[int]:
    assert app.snapshots is not None
    return [s.originator_version for s in app.snapshots.get(aggregate_id)]


def comparable(aggregate: Aggregate) -> dict[str, Any]:
    return state_of(aggregate)


def test_an_affair_with_a_thousand_time_entries_loads_from_a_snapshot_equal_to_a_replay(
    app: Comptoir,
) -> None:
    ctx = CommandContext(actor="alice", at=AT)
    opened = app.affairs.open(
        ctx,
        name="Bakery chain roll-out",
        salesperson="alice",
        currency="EUR",
        expected_amount=Decimal("120000"),
        sale_type="product",
        prospect="Boulangeries Martin",
    )
    affair_id = opened.aggregate_id
    for n in range(1000):
        app.affairs.log_time(
            CommandContext(actor="alice", at=AT + timedelta(minutes=n)),
            affair_id,
            employee=f"tech-{n % 7}",
            day=date(2026, 3, 2) + timedelta(days=n % 90),
            hours=Decimal("1.5"),
            hourly_rate=Decimal("62.40"),
        )
    interval = Comptoir.snapshotting_intervals[Affair]
    assert snapshot_versions(app, affair_id)[-1] == (1001 // interval) * interval
    loaded = app.affairs.get(affair_id)
    assert loaded.version == 1001
    assert comparable(loaded) == comparable(full_replay(app, affair_id))
    # and an earlier version, between two snapshots, equals the replay cut there
    earlier = app.repository.get(affair_id, version=555)
    cut: Any = None
    for event in app.events.get(affair_id, lte=555):
        cut = event.mutate(cut)
    assert comparable(earlier) == comparable(cut)


def test_a_reopened_application_loads_the_same_quote_from_its_snapshot(
    app: Comptoir, settings: Settings
) -> None:
    ctx = CommandContext(actor="alice", at=AT)
    quote_id = app.quotes.draft(ctx, currency="EUR", prospect="Martin").aggregate_id
    for n in range(120):
        app.quotes.add_line(
            ctx,
            quote_id,
            description=f"Line {n}",
            quantity=Decimal(n + 1),
            unit_price=Decimal("9.99"),
            vat_rate=Decimal("5.5") if n % 2 else Decimal(20),
        )
    assert snapshot_versions(app, quote_id)
    again = Comptoir(settings.eventstore_env())
    try:
        quote = again.quotes.get(quote_id)
        assert isinstance(quote, Quote)
        assert comparable(quote) == comparable(full_replay(app, quote_id))
        assert quote.totals() == full_replay(app, quote_id).totals()
    finally:
        again.close()
