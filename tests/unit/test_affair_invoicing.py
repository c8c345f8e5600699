"""An affair's time and materials invoices and its money (A5, A6, issue 14)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from domain.affair import Affair, AlertKind, AlertPolicy
from domain.affair_invoicing import AffairEntry, EntryKind, InvoicedDocument, SalePrices
from domain.budget import BudgetCategory, RevenueKind
from domain.errors import (
    AffairHasNoCustomer,
    DateOutsideAffairPeriod,
    EntryAlreadyInvoiced,
    EntryNotBillable,
    InvalidInput,
    MissingSaleRate,
    RevenueBelowZero,
    UnknownAffairEntry,
)
from domain.invoice_lines import VatCategory
from tests.unit.replay import replay, state_of

T0 = datetime(2027, 1, 4, 9, tzinfo=UTC)
DAY = date(2027, 1, 5)
D = Decimal
PRICES = SalePrices({"alice": D(95), "bob": D(80)}, {"purchases": D(10)})


def at(days: float = 0) -> datetime:
    return T0 + timedelta(days=days)


def open_affair(**overrides: Any) -> Affair:
    fields: dict[str, Any] = {
        "name": "Line retrofit",
        "customer_id": uuid4(),
        "prospect": None,
        "salesperson": "alice",
        "currency": "EUR",
        "expected_amount": D(50000),
        "expected_close": None,
        "zone": "north",
        "country": "FR",
        "sale_type": "study",
        "risk": "low",
        "competitors": [],
        "start": date(2027, 1, 1),
        "end": date(2027, 6, 30),
        **overrides,
    }
    return Affair.open(T0, **fields)


def time(entry_id: int, employee: str = "alice", billable: bool = True) -> AffairEntry:
    return AffairEntry(
        entry_id, EntryKind.TIME, DAY, D(300), billable, employee=employee, hours=D("7.5")
    )


def cost(entry_id: int, kind: EntryKind = EntryKind.COST) -> AffairEntry:
    return AffairEntry(
        entry_id,
        kind,
        date(2027, 1, 6),
        D("200.00"),
        category=BudgetCategory.PURCHASES,
        document_ref="PO-12",
    )


def worked(affair: Affair) -> Affair:
    """Versions 2 to 4: two time entries and a received purchase."""
    affair.log_time(at(1), "alice", DAY, D("7.5"), D(40))
    affair.log_time(at(1), "bob", DAY, D(2), D(35))
    affair.record_cost(at(1), "purchases", D(200), "PO-12", date(2027, 1, 6))
    return affair


def document(
    number: str = "INV-2027-00001", net: str = "1075.00", day: date = DAY
) -> InvoicedDocument:
    return InvoicedDocument(uuid4(), number, day, D(net))


def test_time_is_priced_at_each_employees_sale_rate_and_costs_with_their_markup() -> None:
    affair = worked(open_affair())
    lines = affair.to_invoice([time(2), time(3, "bob"), cost(4)], PRICES, DAY)
    assert [(ln.description, ln.quantity, ln.unit, ln.unit_price) for ln in lines] == [
        ("alice — 05/01/2027", D("7.5"), "HUR", D(95)),
        ("bob — 05/01/2027", D("7.5"), "HUR", D(80)),
        ("Achats — PO-12 du 06/01/2027", D(1), "C62", D("220.00")),
    ]
    assert {(ln.vat_category, ln.vat_rate) for ln in lines} == {(VatCategory.STANDARD, D(20))}
    at_zero = affair.to_invoice([time(2)], SalePrices({"alice": D(95)}, vat_rate=D(0)), DAY)
    assert at_zero[0].vat_category == VatCategory.ZERO_RATED


def test_invoicing_records_the_entries_taken_and_the_net_as_invoiced_revenue() -> None:
    affair = worked(open_affair())
    affair.collect_events()
    affair.invoice_entries(at(2), [time(2), cost(4)], document(net="932.50"))
    assert affair.invoiced_entries == {"2": "INV-2027-00001", "4": "INV-2027-00001"}
    assert affair.revenue[RevenueKind.INVOICED] == D("932.50")
    events = affair.collect_events()
    assert [type(e).__name__ for e in events] == ["EntriesInvoiced", "RevenueRecorded"]
    assert events[0].entry_ids == [2, 4]  # type: ignore[attr-defined]


def test_an_entry_is_invoiced_at_most_once() -> None:
    affair = worked(open_affair())
    affair.invoice_entries(at(2), [time(2)], document())
    affair.collect_events()
    with pytest.raises(EntryAlreadyInvoiced, match="INV-2027-00001"):
        affair.to_invoice([time(3, "bob"), time(2)], PRICES, DAY)
    with pytest.raises(EntryAlreadyInvoiced):
        affair.invoice_entries(at(3), [time(2)], document("INV-2027-00002"))
    assert affair.collect_events() == []


@pytest.mark.parametrize(
    ("entries", "error"),
    [
        ([], InvalidInput),
        ([time(2), time(2)], InvalidInput),
        ([time(9)], UnknownAffairEntry),
        ([time(2, billable=False)], EntryNotBillable),
        ([cost(4, EntryKind.COMMITTED_COST)], EntryNotBillable),
        ([time(2, employee="carol")], MissingSaleRate),
    ],
)
def test_what_cannot_be_invoiced_is_refused_by_name(
    entries: list[AffairEntry], error: type[Exception]
) -> None:
    affair = worked(open_affair())
    with pytest.raises(error):
        affair.to_invoice(entries, PRICES, DAY)


def test_an_affair_without_a_customer_cannot_be_invoiced() -> None:
    affair = worked(open_affair(customer_id=None, prospect="Acme"))
    with pytest.raises(AffairHasNoCustomer):
        affair.to_invoice([time(2)], PRICES, DAY)


def test_an_invoice_outside_the_period_is_refused_when_blocking_and_an_alert_otherwise() -> None:
    late = date(2027, 7, 1)
    blocking = worked(open_affair(alert_policy=AlertPolicy.BLOCKING))
    with pytest.raises(DateOutsideAffairPeriod):
        blocking.to_invoice([time(2)], PRICES, late)
    informative = worked(open_affair())
    informative.to_invoice([time(2)], PRICES, late)
    informative.invoice_entries(at(2), [time(2)], document(day=late))
    [alert] = informative.open_alerts
    assert (alert.kind, alert.document_ref) == (AlertKind.DATE, "INV-2027-00001")


def test_revenue_takes_corrections_never_below_zero_and_never_refused_for_their_date() -> None:
    affair = open_affair(alert_policy=AlertPolicy.BLOCKING)
    affair.record_revenue(at(1), "invoiced", D(1000), "INV-1", DAY)
    affair.record_revenue(at(2), "invoiced", D("-250.004"), "CN-1", DAY)
    assert affair.revenue[RevenueKind.INVOICED] == D("750.00")
    with pytest.raises(RevenueBelowZero):
        affair.record_revenue(at(3), "invoiced", D("-750.01"), "CN-2", DAY)
    with pytest.raises(DateOutsideAffairPeriod):
        affair.record_revenue(at(3), "invoiced", D(10), "INV-2", date(2027, 8, 1))
    affair.record_revenue(at(3), "invoiced", D(-750), "CN-3", date(2027, 8, 1))
    assert affair.revenue[RevenueKind.INVOICED] == D(0)
    assert [a.document_ref for a in affair.open_alerts] == ["CN-3"]
    assert affair.revenue[RevenueKind.ORDERED] == D(0)


def test_a_linked_documents_date_is_checked_against_the_period() -> None:
    blocking = open_affair(alert_policy=AlertPolicy.BLOCKING)
    blocking.collect_events()
    blocking.check_document_date(at(1), date(2027, 3, 1), "quote Q-1")
    assert blocking.collect_events() == []
    with pytest.raises(DateOutsideAffairPeriod):
        blocking.check_document_date(at(1), date(2026, 12, 31), "quote Q-1")
    informative = open_affair()
    informative.check_document_date(at(1), date(2026, 12, 31), "quote Q-1")
    assert [a.document_ref for a in informative.open_alerts] == ["quote Q-1"]


def test_replaying_an_affair_with_invoiced_entries_gives_the_same_state() -> None:
    affair = worked(open_affair())
    affair.invoice_entries(at(2), [time(2), cost(4)], document())
    affair.record_revenue(at(3), "invoiced", D(-100), "CN-2027-00001", DAY)
    assert state_of(replay(affair.collect_events(), Affair)) == state_of(affair)
