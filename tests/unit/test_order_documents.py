"""An order's invoices issued as documents (issue 14, O5): what the order records of them,
the deposits a final invoice deducts, credit notes followed up on the order, and orders
recorded before (invoices inside them) replaying as they were."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from domain.errors import InvoiceIsADocument, OverCrediting, OverInvoicing, UnknownInvoice
from domain.invoicing import Amounts, InvoiceKind
from domain.order import Order, OrderStatus
from domain.order_documents import DocumentRef, by_rate, deposit_deductions, deposits_left
from tests.unit.replay import replay, state_of
from tests.unit.test_order import AT, confirmed, names, refused

D = Decimal
DAY = date(2026, 3, 2)


def document(*order_lines: str) -> DocumentRef:
    """A document billing the order lines in that order as its lines "1", "2" …"""
    return DocumentRef(uuid4(), DAY, {str(n): i for n, i in enumerate(order_lines, start=1)})


def test_deposits_left_take_what_invoices_deducted_from_the_oldest_first() -> None:
    deposits = [("INV-1", D("30.00")), ("INV-2", D("20.00"))]
    # 50.00 of deposits, 40.00 left: the 10.00 deducted came out of the first
    assert deposits_left(deposits, D("40.00")) == {"INV-1": D("20.00"), "INV-2": D("20.00")}
    assert deposits_left(deposits, D("0")) == {"INV-1": D("0.00"), "INV-2": D("0.00")}
    left = {"INV-1": D("20.00"), "INV-2": D("20.00")}
    assert deposit_deductions(left, D("25.00")) == [("INV-1", D("20.00")), ("INV-2", D("5.00"))]
    assert deposit_deductions(left, D("0")) == []


def test_amounts_per_vat_breakdown_add_up_per_rate_as_the_order_keeps_them() -> None:
    amounts = Amounts(
        {"S:20": D("100.00"), "Z:0": D("10.00"), "E:0": D("5.00")},
        {"S:20": D("20.00"), "Z:0": D("0"), "E:0": D("0")},
    )
    assert by_rate(amounts) == Amounts(
        {"20": D("100.00"), "0": D("15.00")}, {"20": D("20.00"), "0": D("0")}
    )


def test_an_invoice_document_records_its_quantities_number_and_id_on_the_order() -> None:
    order = confirmed()
    order.collect_events()
    ref = document("L1")
    invoice = order.record_invoice_document(AT, "INV-2026-00001", ref, quantities={"L1": D(4)})
    assert names(order) == ["Order.InvoiceDocumentRecorded"]
    assert (invoice.kind, invoice.amounts.gross) == (InvoiceKind.INVOICE, D("60.00"))
    assert order.documents == {"INV-2026-00001": ref}
    assert (order.net_invoiced("L1"), order.invoiceable("L1")) == (D(4), D(6))
    assert order.status == OrderStatus.PARTIALLY_INVOICED
    refused(
        order,
        OverInvoicing,
        lambda: order.record_invoice_document(AT, "INV-2", document("L1"), quantities={"L1": D(7)}),
    )


def test_an_invoice_document_is_credited_and_paid_as_a_document_not_on_the_order() -> None:
    order = confirmed()
    order.record_invoice_document(AT, "INV-1", document("L1"), quantities={"L1": D(4)})
    refused(order, InvoiceIsADocument, lambda: order.credit_note(AT, "CN-1", "INV-1", amount=D(1)))
    refused(order, InvoiceIsADocument, lambda: order.record_payment(AT, "INV-1", D(1)))


def test_a_credit_note_on_the_document_reopens_the_order_lines_it_credits() -> None:
    order = confirmed()
    order.record_invoice_document(AT, "INV-1", document("L1"), quantities={"L1": D(4)})
    credited = Amounts({"S:20": D("12.50")}, {"S:20": D("2.50")})
    order.follow_credit_note(AT, "CN-1", "INV-1", {"1": D(1)}, credited)
    assert (order.net_invoiced("L1"), order.invoiceable("L1")) == (D(3), D(7))
    assert order.credited_amounts("INV-1") == Amounts({"20": D("12.50")}, {"20": D("2.50")})
    assert order.to_pay("INV-1") == D("45.00")
    refused(
        order,
        UnknownInvoice,
        lambda: order.follow_credit_note(AT, "CN-2", "INV-9", {}, credited),
    )


def test_a_final_invoice_deducts_the_deposits_left_and_names_them() -> None:
    order = confirmed()  # 361.00 incl. tax
    deposit = document()
    order.record_invoice_document(AT, "INV-1", deposit, percent=D(20))  # 72.20
    planned = order.invoice_of(AT, "planned", {"L1": D(2)})  # 30.00 incl. tax
    assert planned.deposit_deducted == D("30.00")
    [deduction] = order.deposit_deductions(planned.deposit_deducted)
    assert (deduction.number, deduction.amount) == ("INV-1", D("30.00"))
    assert deduction.invoice_id == deposit.invoice_id
    order.record_invoice_document(AT, "INV-2", document("L1"), quantities={"L1": D(2)})
    assert order.deposit_balance() == D("42.20")
    [rest] = order.deposit_deductions(D("50.00"))  # what the deposit has left, no more
    assert (rest.number, rest.amount) == ("INV-1", D("42.20"))
    # a deposit is credited only for what invoices have not deducted of it
    refused(
        order,
        OverCrediting,
        lambda: order.follow_credit_note(
            AT, "CN-1", "INV-1", {}, Amounts({"S:20": D("40.00")}, {"S:20": D("8.00")})
        ),
    )


def test_replaying_an_order_with_invoice_documents_gives_the_same_order() -> None:
    order = confirmed()
    events = order.collect_events()
    order.record_invoice_document(AT, "INV-1", document(), amount=D("24.00"))
    order.record_invoice_document(AT, "INV-2", document("L1"), quantities={"L1": D(4)})
    order.follow_credit_note(
        AT, "CN-1", "INV-2", {"1": D(1)}, Amounts({"S:20": D("12.50")}, {"S:20": D("2.50")})
    )
    events += order.collect_events()
    assert state_of(replay(events, Order)) == state_of(order)


def test_an_order_with_invoices_inside_it_still_replays_and_reads_the_same() -> None:
    order = confirmed()
    order.deposit_invoice(AT, "INV-1", percent=D(10))
    order.invoice(AT, "INV-2", {"L1": D(4)})
    order.credit_note(AT, "CN-1", "INV-2", quantities={"L1": D(1)})
    order.record_payment(AT, "INV-2", D("5.00"))
    events = order.collect_events()
    again = replay(events, Order)
    assert state_of(again) == state_of(order)
    assert again.documents == {}
    assert (again.to_pay("INV-2"), again.paid("INV-2")) == (order.to_pay("INV-2"), D("5.00"))
    assert isinstance(again.id, UUID)
