"""Factur-X XML of credit notes (381, naming the invoice they correct) and of invoices
issued before invoices recorded their seller."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from eventsourcing.domain import CanMutateAggregate
from eventsourcing.persistence import Mapper
from lxml import etree

from adapters.documents.cii import invoice_cii
from adapters.documents.cii_parts import NSMAP
from adapters.documents.cii_rules import cii_violations
from adapters.transcoding import domain_transcoder
from domain.errors import SellerNotEstablished
from domain.invoice import Invoice
from domain.invoice_credit import CreditRequest
from domain.invoice_lines import VatCategory
from tests.unit.sellers import SELLER
from tests.unit.test_cii import (
    FRENCH_BUYER,
    SETTLEMENT,
    breakdowns,
    issued,
    line,
    text,
    totals,
    valid_xml,
)

D = Decimal
V = VatCategory
LATER = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)


def credited(invoice: Invoice, request: CreditRequest) -> Invoice:
    note, _ = Invoice.credit_note(at=LATER, source=invoice.creditable(), request=request)
    note.issue(
        at=LATER,
        number="CN-2026-00001",
        issue_date=LATER.date(),
        not_before=None,
        buyer=invoice.buyer or FRENCH_BUYER,
        seller=SELLER,
    )
    return note


def test_a_credit_note_names_the_invoice_it_corrects_with_positive_amounts() -> None:
    invoice = issued(line("100.00", "2"), line("12.50", "3"))
    root = valid_xml(credited(invoice, CreditRequest(quantities={"1": D(1)})))
    assert text(root, "//rsm:ExchangedDocument/ram:TypeCode") == "381"
    assert text(root, "//rsm:ExchangedDocument/ram:ID") == "CN-2026-00001"
    referenced = f"{SETTLEMENT}/ram:InvoiceReferencedDocument"
    assert text(root, f"{referenced}/ram:IssuerAssignedID") == "INV-2026-00001"
    assert text(root, f"{referenced}/ram:FormattedIssueDateTime/qdt:DateTimeString") == "20260310"
    assert root.xpath("//ram:SpecifiedTradeSettlementPaymentMeans", namespaces=NSMAP) == []
    assert breakdowns(root) == {"S 20": ("100.00", "20.00")}
    assert totals(root)["GrandTotalAmount"] == "120.00"
    assert totals(root)["DuePayableAmount"] == "120.00"


def test_a_credit_note_of_an_amount_over_several_breakdowns_is_valid() -> None:
    exempt = line("100.00", category=V.EXEMPT, rate="0", reason="Art. 261")
    invoice = issued(line("100.00"), exempt)
    root = valid_xml(credited(invoice, CreditRequest(amount=D("110.00"))))
    basis_e, vat_e = breakdowns(root)["E 0"]
    basis_s, vat_s = breakdowns(root)["S 20"]
    assert D(basis_e) + D(basis_s) + D(vat_s) == D("110.00")
    assert vat_e == "0.00"
    assert totals(root)["GrandTotalAmount"] == "110.00"


def an_invoice_issued_before_invoices_stated_their_seller() -> Invoice:
    """The invoice replayed from its events, its `Issued` event stored without a seller."""
    invoice = issued(line("100.00"))
    mapper: Mapper[Any] = Mapper(transcoder=domain_transcoder())
    stored = [mapper.to_stored_event(e) for e in invoice.collect_events()]
    state = mapper.transcoder.decode(stored[-1].state)
    del state["seller"]
    old = replace(stored[-1], state=mapper.transcoder.encode(state))
    replayed: Any = None
    for event in [mapper.to_domain_event(s) for s in [*stored[:-1], old]]:
        assert isinstance(event, CanMutateAggregate)
        replayed = event.mutate(replayed)
    assert isinstance(replayed, Invoice)
    return replayed


def test_an_invoice_issued_before_it_stated_its_seller_takes_the_seller_given() -> None:
    old = an_invoice_issued_before_invoices_stated_their_seller()
    with pytest.raises(SellerNotEstablished):
        invoice_cii(old)
    xml = invoice_cii(old, seller=SELLER.details)
    assert cii_violations(xml) == []
    assert text(etree.fromstring(xml), "//ram:SellerTradeParty/ram:Name") == "Comptoir Lyonnais SAS"
