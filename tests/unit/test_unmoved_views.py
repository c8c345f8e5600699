"""A view that skips an event type (`unmoved_by`) would have computed the same rows.

Every state of a generated company's affairs, and of one affair taken through every
event type a view skips, is folded; each view's rows after a skipped event must equal
its rows before, but for the `position` the skipped state would have carried.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

from eventsourcing.domain import Aggregate, CanMutateAggregate
from eventsourcing.persistence import Mapper

from adapters.bulk.generator import generate
from adapters.transcoding import domain_transcoder
from domain.affair import Affair
from domain.affair_invoicing import AffairEntry, EntryKind, InvoicedDocument
from projections.base import DocumentView, Folded
from projections.registry import default_views
from projections.unmoved import skipped_by_some, unmoved_by

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _without_position(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k != "position"} for row in rows]


class Checker:
    """Folds states one by one and compares each skipping view's rows with the last ones."""

    def __init__(self) -> None:
        views, _ = default_views()
        self.views: list[DocumentView] = [v for v in views if unmoved_by(v)]
        self.last: dict[tuple[int, Any], list[dict[str, Any]]] = {}
        self.checked: set[type] = set()

    def state(self, document: Aggregate, event: object, position: int) -> None:
        for index, view in enumerate(self.views):
            if not isinstance(document, view.document):
                continue
            rows = _without_position(view.rows(Folded(document, position, AT)))
            key = (index, document.id)
            if type(event) in unmoved_by(view) and key in self.last:
                assert rows == self.last[key], f"{type(view).__name__} moved by {event}"
                self.checked.add(type(event))
            self.last[key] = rows


def test_the_generated_company_s_skipped_states_leave_the_rows_as_they_were() -> None:
    mapper: Mapper[Any] = Mapper(transcoder=domain_transcoder())
    checker = Checker()
    documents: dict[Any, Any] = {}
    for position, stored in enumerate(generate(20_000, seed=3), start=1):
        event = mapper.to_domain_event(stored)
        assert isinstance(event, CanMutateAggregate)
        document = event.mutate(documents.get(stored.originator_id))
        assert document is not None
        documents[stored.originator_id] = document
        checker.state(document, event, position)
    generated = {Affair.TimeLogged, Affair.CostRecorded, Affair.RevenueRecorded}
    named = ("BudgetLineSet", "BudgetBaselined", "AlertRaised", "ProgressReported")
    generated |= {getattr(Affair, name) for name in named}  # classes made by @event
    assert generated <= checker.checked


def test_an_affair_through_every_skipped_event_type_keeps_the_skipping_views_rows() -> None:
    checker = Checker()
    affair = Affair.open(
        AT,
        name="Caisse Dupont",
        customer_id=uuid4(),
        prospect=None,
        salesperson="alice",
        currency="EUR",
        expected_amount=Decimal(12000),
        expected_close=date(2026, 6, 30),
        zone="north",
        country="FR",
        sale_type="product",
        risk="low",
        competitors=[],
        start=date(2026, 3, 1),
        end=date(2026, 6, 30),
    )
    steps: list[Callable[[Affair], object]] = [
        lambda a: a.set_budget(AT, "labour", Decimal(3000)),
        lambda a: a.baseline(AT, "signed"),
        lambda a: a.set_employee_rate(AT, "gina", Decimal(60), date(2026, 3, 1)),
        lambda a: a.log_time(AT, "gina", date(2026, 3, 2), Decimal("1.5")),
        lambda a: a.log_time(AT, "gina", date(2026, 8, 3), Decimal(2)),  # raises an alert
        lambda a: a.close_alert(AT, next(iter(a.alerts.values())).alert_id, "agreed"),
        lambda a: a.record_cost(AT, "purchases", Decimal(80), "PO-1", date(2026, 3, 3), True),
        lambda a: a.receive_committed(AT, "PO-1"),
        lambda a: a.record_action(AT, "task", "Call back", None, "alice", "about the delivery"),
        lambda a: a.complete_action(AT, next(iter(a.actions.values())).action_id),
        lambda a: a.report_progress(AT, Decimal(40)),
        lambda a: a.invoice_entries(
            AT,
            [AffairEntry(4, EntryKind.TIME, date(2026, 3, 2), Decimal(90), employee="gina")],
            InvoicedDocument(uuid4(), "INV-1", date(2026, 3, 20), Decimal(90)),
        ),
    ]
    position = 1
    checker.state(affair, affair.collect_events()[0], position)
    for step in steps:
        step(affair)
        for event in affair.collect_events():
            position += 1
            checker.state(affair, event, position)
    assert checker.checked == skipped_by_some(checker.views)
