"""Payments on invoices (issue 14): allocation rules, what is due, status and overdue."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import (
    AllocationsAbovePayment,
    InvalidAmount,
    InvalidInput,
    InvalidTransition,
    NotPayable,
    PaymentAboveDue,
    PaymentDateInFuture,
)
from domain.invoice import Invoice, PaymentStatus
from domain.invoice_credit import CreditRequest
from domain.invoice_lines import InvoiceLine, VatCategory
from domain.invoice_payments import is_overdue
from domain.invoice_terms import Buyer, InvoiceDetails, OperationCategory, PaymentTerms, TermsKind
from domain.payment import Payment, PaymentMeans, Receivable, allocate
from tests.unit.replay import replay, state_of
from tests.unit.sellers import SELLER

AT = datetime(2026, 3, 10, 9, tzinfo=UTC)
TODAY = AT.date()
D = Decimal
CUSTOMER = uuid4()
BUYER = Buyer("Martin SA", "FR40303265045")


def an_invoice(
    price: str = "100.00",
    on: date = TODAY,
    terms: PaymentTerms | None = None,
    number: str = "INV-2026-00001",
) -> Invoice:
    """An issued invoice of 2 × `price` + 20 % VAT."""
    details = InvoiceDetails(
        operation=OperationCategory.SERVICES, payment_terms=terms or PaymentTerms(TermsKind.NET, 30)
    )
    invoice = Invoice.draft(at=AT, customer_id=CUSTOMER, currency="EUR", details=details)
    line = InvoiceLine("", "Work", D(2), "hour", D(price), VatCategory.STANDARD, D(20))
    invoice.add_line(at=AT, line=line)
    invoice.issue(at=AT, number=number, issue_date=on, not_before=None, buyer=BUYER, seller=SELLER)
    return invoice


def receivable(due: str, due_date: date, number: str = "INV-1") -> Receivable:
    return Receivable(uuid4(), number, CUSTOMER, "EUR", due_date, due_date, D(due))


def pay(amount: str, *receivables: Receivable, **asked: str) -> Payment:
    by_number = {r.number: r.invoice_id for r in receivables}
    allocations = {by_number[n.replace("_", "-")]: D(a) for n, a in asked.items()} or None
    return Payment.record(
        at=AT,
        customer_id=CUSTOMER,
        currency="EUR",
        value_date=TODAY,
        amount=D(amount),
        means=PaymentMeans.TRANSFER,
        reference="VIR 42",
        receivables=receivables,
        asked=allocations,
    )


# -- allocation ---------------------------------------------------------------------------------


def test_without_allocations_the_oldest_due_is_settled_first() -> None:
    later = receivable("500.00", date(2026, 3, 31), "INV-2")
    older = receivable("300.00", date(2026, 2, 28), "INV-1")
    payment = pay("400.00", later, older)
    assert [(a.number, a.amount) for a in payment.allocations] == [
        ("INV-1", D("300.00")),
        ("INV-2", D("100.00")),
    ]


def test_explicit_allocations_are_kept_as_given() -> None:
    one, two = receivable("300.00", date(2026, 2, 28), "INV-1"), receivable("500", TODAY, "INV-2")
    payment = pay("350.00", one, two, INV_1="50.00", INV_2="300.00")
    assert {a.number: a.amount for a in payment.allocations} == {
        "INV-1": D("50.00"),
        "INV-2": D("300.00"),
    }
    assert payment.allocated == D("350.00")


def test_an_allocation_above_what_is_due_is_refused() -> None:
    one = receivable("300.00", TODAY, "INV-1")
    with pytest.raises(PaymentAboveDue):
        pay("300.01", one, INV_1="300.01")


def test_allocations_above_the_payment_are_refused() -> None:
    one, two = receivable("300.00", TODAY, "INV-1"), receivable("300.00", TODAY, "INV-2")
    with pytest.raises(AllocationsAbovePayment):
        pay("400.00", one, two, INV_1="300.00", INV_2="200.00")


def test_a_payment_above_all_that_is_due_is_an_overpayment() -> None:
    with pytest.raises(PaymentAboveDue):
        pay("600.00", receivable("300.00", TODAY, "INV-1"), receivable("200", TODAY, "INV-2"))
    with pytest.raises(PaymentAboveDue):  # explicit allocations leaving part of it over
        pay("400.00", receivable("300.00", TODAY, "INV-1"), INV_1="300.00")


def test_another_customers_or_currencys_invoice_is_not_paid_by_this_payment() -> None:
    theirs = Receivable(uuid4(), "INV-9", uuid4(), "EUR", TODAY, TODAY, D(100))
    dollars = Receivable(uuid4(), "INV-8", CUSTOMER, "USD", TODAY, TODAY, D(100))
    for other in (theirs, dollars):
        with pytest.raises(NotPayable):
            pay("100", other, **{other.number.replace("-", "_"): "100"})


def test_a_payment_is_dated_the_day_it_was_received_never_later_than_today() -> None:
    one = receivable("300.00", TODAY, "INV-1")
    with pytest.raises(PaymentDateInFuture):
        Payment.record(
            at=AT,
            customer_id=CUSTOMER,
            currency="EUR",
            value_date=TODAY + timedelta(days=1),
            amount=D(100),
            means=PaymentMeans.CARD,
            reference=None,
            receivables=[one],
        )


@pytest.mark.parametrize(
    ("amount", "means", "error"),
    [
        ("0", "transfer", InvalidAmount),
        ("-5", "transfer", InvalidAmount),
        ("1000000000000.01", "transfer", InvalidAmount),
        ("0.0000001", "transfer", InvalidAmount),
        ("10", "bitcoin", InvalidInput),
    ],
)
def test_amounts_are_bounded_and_means_known(amount: str, means: str, error: type) -> None:
    with pytest.raises(error):
        Payment.record(
            at=AT,
            customer_id=CUSTOMER,
            currency="EUR",
            value_date=TODAY,
            amount=D(amount),
            means=means,  # type: ignore[arg-type]
            reference=None,
            receivables=[receivable("300.00", TODAY)],
        )


def test_a_recorded_payment_replays_to_the_same_state() -> None:
    payment = pay("400.00", receivable("300", TODAY, "INV-1"), receivable("500", TODAY, "INV-2"))
    assert state_of(replay(payment.collect_events(), Payment)) == state_of(payment)


@given(
    amount=st.decimals(min_value=D("0.01"), max_value=D(5000), places=2),
    dues=st.lists(st.decimals(min_value=0, max_value=D(2000), places=2), max_size=6),
    days=st.lists(st.integers(min_value=0, max_value=90), min_size=6, max_size=6),
)
def test_allocations_never_exceed_what_is_due_nor_the_payment(
    amount: Decimal, dues: list[Decimal], days: list[int]
) -> None:
    receivables = [
        receivable(str(due), date(2026, 1, 1) + timedelta(days=day), f"INV-{i}")
        for i, (due, day) in enumerate(zip(dues, days, strict=False))
    ]
    allocations = allocate(amount, receivables)
    due_of: dict[UUID, Decimal] = {r.invoice_id: r.due for r in receivables}
    assert all(0 < a.amount <= due_of[a.invoice_id] for a in allocations)
    total_due = sum(dues, D(0))
    assert sum((a.amount for a in allocations), D(0)) == min(amount, total_due)
    # the oldest are settled in full before a later one gets anything
    settled = {a.invoice_id: a.amount for a in allocations}
    ordered = sorted(receivables, key=lambda r: (r.due_date, r.issue_date, r.number))
    partly = [r for r in ordered if r.due > 0 and settled.get(r.invoice_id, 0) < r.due]
    if partly:
        first_short = ordered.index(partly[0])
        assert all(r.invoice_id not in settled for r in ordered[first_short + 1 :])


# -- on the invoice -----------------------------------------------------------------------------


def test_an_invoice_goes_from_unpaid_to_partly_paid_to_paid() -> None:
    invoice = an_invoice()  # 240.00 incl. tax
    assert invoice.payment_status == PaymentStatus.UNPAID
    invoice.record_payment(at=AT, payment_id=uuid4(), amount=D("100.00"), value_date=TODAY)
    assert (invoice.payment_status, invoice.amount_paid) == (PaymentStatus.PARTLY_PAID, D(100))
    assert invoice.amount_due == D("140.00")
    invoice.record_payment(at=AT, payment_id=uuid4(), amount=D("140.00"), value_date=TODAY)
    assert (invoice.payment_status, invoice.amount_due) == (PaymentStatus.PAID, D(0))
    with pytest.raises(PaymentAboveDue):
        invoice.record_payment(at=AT, payment_id=uuid4(), amount=D("0.01"), value_date=TODAY)
    assert state_of(replay(invoice.collect_events(), Invoice)) == state_of(invoice)


def test_credit_notes_reduce_what_a_payment_may_settle() -> None:
    invoice = an_invoice()
    note, credit = Invoice.credit_note(
        at=AT, source=invoice.creditable(), request=CreditRequest(amount=D("120.00"))
    )
    note.issue(
        at=AT,
        number="CN-2026-00001",
        issue_date=TODAY,
        not_before=None,
        buyer=BUYER,
        seller=SELLER,
    )
    invoice.record_credit(at=AT, credit_note_id=note.id, number="CN-2026-00001", credit=credit)
    assert invoice.amount_due == D("120.00")
    with pytest.raises(PaymentAboveDue):
        invoice.record_payment(at=AT, payment_id=uuid4(), amount=D("120.01"), value_date=TODAY)
    invoice.record_payment(at=AT, payment_id=uuid4(), amount=D("120.00"), value_date=TODAY)
    assert invoice.payment_status == PaymentStatus.PAID


def test_drafts_and_credit_notes_are_not_paid() -> None:
    draft = Invoice.draft(
        at=AT,
        customer_id=CUSTOMER,
        currency="EUR",
        details=InvoiceDetails(operation=OperationCategory.GOODS),
    )
    with pytest.raises(InvalidTransition):
        draft.record_payment(at=AT, payment_id=uuid4(), amount=D(1), value_date=TODAY)
    assert draft.payment_status is None
    invoice = an_invoice()
    note, _ = Invoice.credit_note(at=AT, source=invoice.creditable(), request=CreditRequest())
    note.issue(
        at=AT,
        number="CN-2026-00001",
        issue_date=TODAY,
        not_before=None,
        buyer=BUYER,
        seller=SELLER,
    )
    with pytest.raises(NotPayable):
        note.record_payment(at=AT, payment_id=uuid4(), amount=D(1), value_date=TODAY)
    assert not is_overdue(note, TODAY + timedelta(days=400))


# -- overdue ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issued", "due"),
    [
        (date(2026, 1, 15), date(2026, 2, 28)),  # 30 days: 14 February, then its month's end
        (date(2024, 1, 30), date(2024, 2, 29)),  # a leap year's February
        (date(2026, 1, 31), date(2026, 3, 31)),  # 30 days: 2 March, then its month's end
    ],
)
def test_an_invoice_is_overdue_the_day_after_its_month_end_due_date(
    issued: date, due: date
) -> None:
    invoice = an_invoice(on=issued, terms=PaymentTerms(TermsKind.END_OF_MONTH, 30))
    assert invoice.due_date == due
    assert not is_overdue(invoice, due)
    assert is_overdue(invoice, due + timedelta(days=1))


def test_a_paid_invoice_is_never_overdue() -> None:
    invoice = an_invoice(on=date(2026, 1, 2))
    assert invoice.due_date is not None
    late = invoice.due_date + timedelta(days=10)
    assert is_overdue(invoice, late)
    invoice.record_payment(at=AT, payment_id=uuid4(), amount=D("200.00"), value_date=TODAY)
    assert is_overdue(invoice, late)  # partly paid: still overdue
    invoice.record_payment(at=AT, payment_id=uuid4(), amount=D("40.00"), value_date=TODAY)
    assert not is_overdue(invoice, late)
