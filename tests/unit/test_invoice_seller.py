"""The seller on an issued invoice (issue 14): copied from the company's details of the
issue date, required to issue, and absent (not an error) from invoices issued before."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.domain import CanMutateAggregate
from eventsourcing.persistence import Mapper

from adapters.transcoding import domain_transcoder
from domain.errors import SellerNotEstablished
from domain.invoice import Invoice, InvoiceStatus
from domain.invoice_lines import InvoiceLine, VatCategory
from domain.invoice_terms import Buyer, InvoiceDetails, OperationCategory
from tests.unit.replay import replay, state_of
from tests.unit.sellers import SELLER

AT = datetime(2026, 3, 10, 9, tzinfo=UTC)
BUYER = Buyer("Martin SA", "FR40303265045")


def a_draft() -> Invoice:
    details = InvoiceDetails(operation=OperationCategory.SERVICES)
    invoice = Invoice.draft(at=AT, customer_id=uuid4(), currency="EUR", details=details)
    line = InvoiceLine(
        "", "Work", Decimal(2), "hour", Decimal(100), VatCategory.STANDARD, Decimal(20)
    )
    invoice.add_line(at=AT, line=line)
    return invoice


def test_the_issued_invoice_states_the_seller_of_its_issue_date_and_replays_it() -> None:
    invoice = a_draft()
    invoice.issue(
        at=AT,
        number="INV-2026-00001",
        issue_date=AT.date(),
        not_before=None,
        buyer=BUYER,
        seller=SELLER,
    )
    assert invoice.seller == SELLER
    assert state_of(replay(invoice.collect_events(), Invoice)) == state_of(invoice)


def test_an_invoice_is_not_issued_without_the_sellers_details() -> None:
    invoice = a_draft()
    with pytest.raises(SellerNotEstablished):
        invoice.issue(
            at=AT,
            number="INV-2026-00001",
            issue_date=date(2026, 3, 9),
            not_before=None,
            buyer=BUYER,
            seller=None,
        )
    assert invoice.status == InvoiceStatus.DRAFT
    assert len(invoice.pending_events) == 2  # drafted, line added: nothing more


def test_an_issued_event_stored_before_the_seller_was_stated_still_replays() -> None:
    invoice = a_draft()
    invoice.issue(
        at=AT,
        number="INV-2026-00001",
        issue_date=AT.date(),
        not_before=None,
        buyer=BUYER,
        seller=SELLER,
    )
    mapper: Mapper[Any] = Mapper(transcoder=domain_transcoder())
    transcoder = domain_transcoder()
    stored = [mapper.to_stored_event(e) for e in invoice.collect_events()]
    issued = stored[-1]
    assert issued.topic.endswith("Invoice.Issued")
    state = transcoder.decode(issued.state)
    del state["seller"]  # as the event was written before this field existed
    old = type(issued)(
        issued.originator_id, issued.originator_version, issued.topic, transcoder.encode(state)
    )
    events = [mapper.to_domain_event(s) for s in [*stored[:-1], old]]
    replayed: Any = None
    for event in events:
        assert isinstance(event, CanMutateAggregate)
        replayed = event.mutate(replayed)
    assert isinstance(replayed, Invoice)
    assert replayed.status == InvoiceStatus.ISSUED
    assert replayed.number == "INV-2026-00001"
    assert replayed.seller is None
    assert replayed.totals() == invoice.totals()
