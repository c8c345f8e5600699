"""Snapshots: a long document loads from its latest snapshot plus later events, and the
result equals a full replay of its events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate, Snapshot

from application.app import Comptoir
from application.journal import CommandContext
from domain.affair import Affair
from domain.quote import Quote
from interfaces.settings import Settings
from tests.unit.replay import state_of
from tests.unit.test_affair_snapshot import version_1_state

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


def test_an_affair_loads_from_a_snapshot_of_the_first_shape_holding_every_entry(
    app: Comptoir,
) -> None:
    ctx = CommandContext(actor="alice", at=AT)
    affair_id = app.affairs.open(
        ctx,
        name="Depot extension",
        salesperson="alice",
        currency="EUR",
        expected_amount=Decimal("80000"),
        sale_type="study",
        prospect="Transports Morel",
    ).aggregate_id
    for n in range(130):
        app.affairs.log_time(
            ctx,
            affair_id,
            employee=f"tech-{n % 3}",
            day=date(2026, 3, 2),
            hours=Decimal("2"),
            hourly_rate=Decimal("55"),
            billable=n % 5 != 0,
        )
    day = date(2026, 3, 2)
    app.affairs.record_cost(
        ctx,
        affair_id,
        category="purchases",
        amount=Decimal("900"),
        document_ref="PO-1",
        document_date=day,
        committed=True,
    )
    app.affairs.receive_committed(ctx, affair_id, "PO-1")
    app.affairs.record_revenue(
        ctx,
        affair_id,
        kind="invoiced",
        amount=Decimal("5000"),
        document_ref="FA-1",
        document_date=day,
    )
    replayed = full_replay(app, affair_id)
    events = list(app.events.get(affair_id))
    assert app.snapshots is not None
    app.snapshots.put(
        [
            Snapshot(
                originator_id=affair_id,
                originator_version=replayed.version,
                timestamp=AT,
                topic="domain.affair:Affair",
                state=version_1_state(replayed, events),
            )
        ]
    )
    assert snapshot_versions(app, affair_id)[-1] == replayed.version
    loaded = app.affairs.get(affair_id)
    assert comparable(loaded) == comparable(replayed)
    assert loaded.time_entry_count == 130
    assert loaded.cost_count == loaded.revenue_entry_count == 1
