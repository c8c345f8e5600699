"""An affair's time and materials invoices and its invoiced revenue (A5, A6, issue 14), on
the real SQLite and Postgres stores."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from application.app import Comptoir
from application.journal import CommandContext
from domain.affair_invoicing import SalePrices
from domain.budget import RevenueKind
from domain.errors import (
    DateOutsideAffairPeriod,
    EntryAlreadyInvoiced,
    EntryNotBillable,
    UnknownAffairEntry,
)
from domain.invoice_credit import CreditRequest
from domain.invoice_source import InvoiceSource, SourceKind
from domain.invoice_terms import OperationCategory
from interfaces.settings import Settings
from tests.integration.billing_support import billable_customer

AT = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
D = Decimal
PRICES = SalePrices({"alice": D(95)}, {"purchases": D(10)})


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    billable_customer(app)
    yield app
    app.close()


def ctx(**kwargs: Any) -> CommandContext:
    kwargs.setdefault("actor", "anna")
    return CommandContext(at=AT, **kwargs)


def open_affair(app: Comptoir, **fields: Any) -> UUID:
    values: dict[str, Any] = {
        "name": "Line retrofit",
        "salesperson": "alice",
        "currency": "EUR",
        "expected_amount": D(20000),
        "sale_type": "study",
        "customer_id": billable_customer(app),
        "start": date(2027, 1, 1),
        "end": date(2027, 12, 31),
        **fields,
    }
    return app.affairs.open(ctx(), **values).aggregate_id


def worked_affair(app: Comptoir, **fields: Any) -> UUID:
    """Version 2: 7.5 billable hours; 3: 1 hour not billable; 4: a received purchase of
    200.00; 5: a committed subcontracting of 500.00; 6: its receipt."""
    affair_id = open_affair(app, **fields)
    day = date(2027, 2, 1)
    app.affairs.log_time(
        ctx(), affair_id, employee="alice", day=day, hours=D("7.5"), hourly_rate=D(40)
    )
    app.affairs.log_time(
        ctx(), affair_id, employee="alice", day=day, hours=D(1), hourly_rate=D(40), billable=False
    )
    app.affairs.record_cost(
        ctx(),
        affair_id,
        category="purchases",
        amount=D(200),
        document_ref="PO-1",
        document_date=day,
    )
    app.affairs.record_cost(
        ctx(),
        affair_id,
        category="subcontracting",
        amount=D(500),
        document_ref="ST-1",
        document_date=day,
        committed=True,
    )
    app.affairs.receive_committed(ctx(), affair_id, "ST-1")
    return affair_id


def test_chosen_entries_are_invoiced_to_the_affairs_customer_and_counted_once(
    app: Comptoir,
) -> None:
    affair_id = worked_affair(app)
    issued = app.affairs.invoice_entries(
        ctx(idempotency_key="tm-1"),
        affair_id,
        entry_ids=[4, 2, 6],
        prices=PRICES,
        issue_date=date(2027, 2, 28),
    )
    # 7.5 h × 95 = 712.50; 200 + 10 % = 220.00; 500 at cost: 1,432.50 net
    assert issued.result["invoice_number"] == "INV-2027-00001"
    assert (issued.result["net"], issued.result["entry_ids"]) == ("1432.50", ["2", "4", "6"])
    invoice = app.invoices.by_number("INV-2027-00001")
    assert invoice.source == InvoiceSource(SourceKind.AFFAIR, affair_id, "2,4,6")
    assert invoice.customer_id == billable_customer(app)
    assert invoice.details.operation == OperationCategory.BOTH
    assert [(ln.unit, ln.quantity, ln.unit_price) for ln in invoice.lines.values()] == [
        ("HUR", D("7.5"), D(95)),
        ("C62", D(1), D("220.00")),
        ("C62", D(1), D("500.00")),
    ]
    affair = app.affairs.get(affair_id)
    assert affair.revenue[RevenueKind.INVOICED] == D("1432.50")
    assert affair.invoiced_entries == dict.fromkeys(("2", "4", "6"), "INV-2027-00001")
    before = app.log_position()
    again = app.affairs.invoice_entries(
        ctx(idempotency_key="tm-1"),
        affair_id,
        entry_ids=[4, 2, 6],
        prices=PRICES,
        issue_date=date(2027, 2, 28),
    )
    assert again.replayed
    assert again.result == issued.result
    with pytest.raises(EntryAlreadyInvoiced, match="INV-2027-00001"):
        app.affairs.invoice_entries(
            ctx(), affair_id, entry_ids=[2], prices=PRICES, issue_date=date(2027, 3, 1)
        )
    assert app.log_position() == before
    assert app.affairs.get(affair_id).revenue[RevenueKind.INVOICED] == D("1432.50")


def test_what_is_not_an_invoiceable_entry_is_refused_and_nothing_is_issued(
    app: Comptoir,
) -> None:
    affair_id = worked_affair(app)
    before = app.log_position()
    for entry_ids, error in (
        ([3], EntryNotBillable),  # logged as not billable
        ([5], EntryNotBillable),  # committed: its receipt (6) is invoiced
        ([1], UnknownAffairEntry),  # the opening, not an entry
        ([99], UnknownAffairEntry),
    ):
        with pytest.raises(error):
            app.affairs.invoice_entries(
                ctx(), affair_id, entry_ids=entry_ids, prices=PRICES, issue_date=date(2027, 3, 1)
            )
    assert app.log_position() == before


def test_a_credit_note_takes_its_net_off_the_affairs_invoiced_revenue_once(
    app: Comptoir,
) -> None:
    affair_id = worked_affair(app)
    issued = app.affairs.invoice_entries(
        ctx(), affair_id, entry_ids=[2, 4], prices=PRICES, issue_date=date(2027, 3, 1)
    )
    invoice_id = UUID(issued.result["invoice_id"])
    request = CreditRequest(quantities={"2": D(1)})  # the purchase line: 220.00
    note = app.invoices.credit(
        ctx(idempotency_key="cn-1"), invoice_id, request=request, issue_date=date(2027, 3, 1)
    )
    assert note.result["number"] == "CN-2027-00001"
    affair = app.affairs.get(affair_id)
    assert affair.revenue[RevenueKind.INVOICED] == D("932.50") - D("220.00")
    retried = app.invoices.credit(
        ctx(idempotency_key="cn-1"), invoice_id, request=request, issue_date=date(2027, 3, 1)
    )
    assert retried.replayed
    assert app.affairs.get(affair_id).revenue[RevenueKind.INVOICED] == D("712.50")
    app.invoices.credit(ctx(), invoice_id, request=CreditRequest(), issue_date=date(2027, 3, 1))
    assert app.affairs.get(affair_id).revenue[RevenueKind.INVOICED] == D(0)


def test_a_blocking_affair_refuses_an_invoice_dated_outside_its_period(app: Comptoir) -> None:
    affair_id = worked_affair(app, end=date(2027, 2, 15), alert_policy="blocking")
    before = app.log_position()
    with pytest.raises(DateOutsideAffairPeriod):
        app.affairs.invoice_entries(
            ctx(), affair_id, entry_ids=[2], prices=PRICES, issue_date=date(2027, 3, 1)
        )
    assert app.log_position() == before


def test_attaching_a_quote_checks_its_date_against_the_affairs_period(app: Comptoir) -> None:
    blocking = open_affair(app, start=date(2027, 4, 1), alert_policy="blocking")
    informative = open_affair(app, start=date(2027, 4, 1))
    quote_id = app.quotes.draft(
        ctx(), currency="EUR", customer_id=billable_customer(app)
    ).aggregate_id  # dated 1 March 2027
    with pytest.raises(DateOutsideAffairPeriod):
        app.quotes.attach_to_affair(ctx(), quote_id, affair_id=blocking)
    assert app.quotes.get(quote_id).affair_id is None
    app.quotes.attach_to_affair(ctx(), quote_id, affair_id=informative)
    [alert] = app.affairs.get(informative).open_alerts
    assert alert.document_ref == f"quote {quote_id}"
    app.quotes.attach_to_affair(ctx(), quote_id, affair_id=informative)  # again: nothing new
    assert len(app.affairs.get(informative).alerts) == 1
