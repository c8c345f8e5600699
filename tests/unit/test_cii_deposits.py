"""Deposits in Factur-X: a deposit invoice is a prepayment invoice (386); a final invoice
states the deposit invoices it deducts, each as a preceding invoice (BT-25), their sum as
the prepaid amount (BT-113), less due (BT-115), and is "after deposits" in BT-23."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

from lxml import etree

from adapters.documents.cii_parts import NSMAP
from adapters.documents.cii_rules import violated_rules
from domain.invoice import Invoice
from domain.invoice_deposits import DepositDeduction
from domain.invoice_source import InvoiceSource, SourceKind
from domain.invoice_terms import InvoiceDetails, OperationCategory, PaymentTerms, TermsKind
from tests.unit.sellers import SELLER
from tests.unit.test_cii import (
    AT,
    FRENCH_BUYER,
    SETTLEMENT,
    breakdowns,
    line,
    texts,
    totals,
    valid_xml,
)

D = Decimal
PROCESS = "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID"


def a_final_invoice(*deposits: DepositDeduction, source: InvoiceSource | None = None) -> Invoice:
    details = InvoiceDetails(
        operation=OperationCategory.GOODS,
        payment_terms=PaymentTerms(TermsKind.END_OF_MONTH, 45),
        deposits=list(deposits),
    )
    invoice = Invoice.draft(at=AT, customer_id=uuid4(), currency="EUR", details=details)
    if source is not None:
        invoice.state_source(at=AT, source=source)
    invoice.add_line(at=AT, line=line("250.00", "4", unit="H87"))
    invoice.issue(
        at=AT,
        number="INV-2026-00009",
        issue_date=AT.date(),
        not_before=None,
        buyer=FRENCH_BUYER,
        seller=SELLER,
    )
    return invoice


def test_the_deposits_deducted_are_prepaid_and_named_as_preceding_invoices() -> None:
    root = valid_xml(
        a_final_invoice(
            DepositDeduction("INV-2026-00003", D("300.00"), uuid4()),
            DepositDeduction("INV-2026-00005", D("120.00")),
        )
    )
    assert texts(root, "//rsm:ExchangedDocument/ram:TypeCode") == ["380"]
    assert texts(root, PROCESS) == ["B4"]  # goods, final invoice after deposits
    referenced = f"{SETTLEMENT}/ram:InvoiceReferencedDocument/ram:IssuerAssignedID"
    assert texts(root, referenced) == ["INV-2026-00003", "INV-2026-00005"]
    # 4 × 250.00 = 1000.00 + 20 % = 1200.00; 300.00 + 120.00 paid by deposits: 780.00 due.
    assert breakdowns(root) == {"S 20": ("1000.00", "200.00")}
    assert totals(root)["GrandTotalAmount"] == "1200.00"
    assert totals(root)["TotalPrepaidAmount"] == "420.00"
    assert totals(root)["DuePayableAmount"] == "780.00"
    # 45 days end of month from 10 March 2026: 24 April, then 30 April.
    assert texts(root, "//ram:DueDateDateTime/udt:DateTimeString") == ["20260430"]


def test_an_invoice_without_deposits_has_nothing_prepaid() -> None:
    root = valid_xml(a_final_invoice())
    assert texts(root, PROCESS) == ["B1"]
    assert texts(root, f"{SETTLEMENT}/ram:InvoiceReferencedDocument") == []
    assert totals(root)["TotalPrepaidAmount"] == "0.00"
    assert totals(root)["DuePayableAmount"] == "1200.00"


def test_a_deposit_the_amount_due_forgets_breaks_br_co_16() -> None:
    invoice = a_final_invoice(DepositDeduction("INV-2026-00003", D("300.00")))
    root = valid_xml(invoice)
    root.xpath("//ram:DuePayableAmount", namespaces=NSMAP)[0].text = "1200.00"
    assert [v.split(":")[0] for v in violated_rules(etree.tostring(root))] == ["BR-CO-16"]


def test_a_deposit_invoice_is_a_prepayment_invoice() -> None:
    root = valid_xml(a_final_invoice(source=InvoiceSource(SourceKind.DEPOSIT, uuid4())))
    assert texts(root, "//rsm:ExchangedDocument/ram:TypeCode") == ["386"]
    assert texts(root, PROCESS) == ["B1"]
    assert totals(root)["DuePayableAmount"] == "1200.00"


def test_an_order_invoice_is_a_plain_invoice() -> None:
    root = valid_xml(a_final_invoice(source=InvoiceSource(SourceKind.ORDER, uuid4())))
    assert texts(root, "//rsm:ExchangedDocument/ram:TypeCode") == ["380"]
