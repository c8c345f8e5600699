"""Value vouchers on the real SQLite and Postgres stores (S6): a payment by voucher
redeems it in the payment's own command, so the voucher's balance, the payment and its
allocations are recorded together or not at all."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.app import Comptoir
from application.errors import ConcurrentUpdate
from application.payments import RecordPayment
from application.vouchers import IssueVoucher
from domain.errors import (
    DomainError,
    NotFound,
    PaymentAboveDue,
    VoucherBalanceExceeded,
    VoucherCancelled,
    VoucherExpired,
    VoucherMeansMismatch,
    VoucherOfAnotherCustomer,
)
from domain.invoice import PaymentStatus
from domain.payment import PaymentMeans
from domain.voucher import VoucherStatus
from interfaces.settings import Settings
from tests.integration.company_support import establish_company
from tests.integration.test_payment_commands import TODAY, ctx, customer, invoice

D = Decimal
UNTIL = date(2026, 12, 31)


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    establish_company(app)
    yield app
    app.close()


def voucher(
    app: Comptoir, amount: str, customer_id: UUID | None, valid_until: date = UNTIL
) -> UUID:
    command = IssueVoucher(
        amount=D(amount),
        currency="EUR",
        issue_date=date(2026, 10, 1),
        valid_until=valid_until,
        customer_id=customer_id,
        reason="Gift cheque",
    )
    return app.vouchers.issue(ctx(), command).aggregate_id


def by_voucher(customer_id: UUID, voucher_id: UUID, amount: str, **kwargs: Any) -> RecordPayment:
    kwargs.setdefault("value_date", TODAY)
    return RecordPayment(
        customer_id,
        amount=D(amount),
        means=PaymentMeans.VOUCHER,
        voucher_id=voucher_id,
        **kwargs,
    )


def test_a_voucher_is_issued_under_a_code_it_is_found_by(app: Comptoir) -> None:
    customer_id = customer(app)
    issued = app.vouchers.issue(
        ctx(reason="Late delivery"),
        IssueVoucher(D("50.00"), "EUR", TODAY, UNTIL, customer_id, "Late delivery"),
    )
    code = issued.result["code"]
    found = app.vouchers.by_code(code.lower())
    assert found.id == issued.aggregate_id
    assert (found.amount, found.balance, found.customer_id) == (D(50), D(50), customer_id)
    assert issued.result["balance"] == "50.00"
    assert [e.journal.record.reason for e in app.history(found.id) if e.journal] == [
        "Late delivery"
    ]
    with pytest.raises(NotFound):
        app.vouchers.by_code("VCH-0000-0000-0000")
    with pytest.raises(NotFound):
        voucher(app, "10", uuid4())  # no such customer


def test_a_payment_by_voucher_settles_invoices_and_spends_the_voucher_in_one_command(
    app: Comptoir,
) -> None:
    customer_id = customer(app)
    invoice_id = invoice(app, customer_id, "100.00", date(2026, 10, 1))  # 120.00
    voucher_id = voucher(app, "50.00", customer_id)
    recorded = app.payments.record(ctx(), by_voucher(customer_id, voucher_id, "30.00"))
    assert recorded.result == {
        "allocations": {"INV-2026-00001": "30.00"},
        "voucher_balance": "20.00",
    }
    payment = app.payments.get(recorded.aggregate_id)
    assert (payment.means, payment.voucher_id) == (PaymentMeans.VOUCHER, voucher_id)
    spent = app.vouchers.get(voucher_id)
    assert (spent.redeemed, spent.balance) == (D(30), D(20))
    assert [(r.payment_id, r.on_day) for r in spent.redemptions] == [(payment.id, TODAY)]
    assert app.invoices.get(invoice_id).amount_due == D(90)
    # one command: the payment, the voucher and the invoice share its position in the log
    positions = {app.history(i)[-1].position for i in (payment.id, voucher_id, invoice_id)}
    assert recorded.position is not None
    assert sorted(positions) == [recorded.position - 2, recorded.position - 1, recorded.position]
    assert [e.type for e in app.history(voucher_id)] == ["Voucher.Issued", "Voucher.Redeemed"]


def test_a_refused_allocation_leaves_the_voucher_untouched(app: Comptoir) -> None:
    customer_id = customer(app)
    invoice_id = invoice(app, customer_id, "10.00", date(2026, 10, 1))  # 12.00 due
    voucher_id = voucher(app, "50.00", customer_id)
    position = app.log_position()
    with pytest.raises(PaymentAboveDue):  # the voucher could pay it, the invoice owes less
        app.payments.record(ctx(), by_voucher(customer_id, voucher_id, "30.00"))
    with pytest.raises(PaymentAboveDue):
        app.payments.record(
            ctx(), by_voucher(customer_id, voucher_id, "20", allocations={invoice_id: D(20)})
        )
    assert app.log_position() == position
    untouched = app.vouchers.get(voucher_id)
    assert (untouched.balance, untouched.redemptions, untouched.version) == (D(50), [], 1)
    assert app.invoices.get(invoice_id).amount_paid == 0


def test_a_refused_redemption_records_no_payment(app: Comptoir) -> None:
    customer_id, other = customer(app), customer(app)
    invoice_id = invoice(app, customer_id, "100.00", date(2026, 10, 1))  # 120.00
    invoice(app, other, "100.00", date(2026, 10, 1))
    small = voucher(app, "20.00", customer_id)
    expired = voucher(app, "50.00", customer_id, valid_until=TODAY - timedelta(days=1))
    position = app.log_position()
    with pytest.raises(VoucherBalanceExceeded):
        app.payments.record(ctx(), by_voucher(customer_id, small, "20.01"))
    with pytest.raises(VoucherExpired):
        app.payments.record(ctx(), by_voucher(customer_id, expired, "10.00"))
    with pytest.raises(VoucherOfAnotherCustomer):
        app.payments.record(ctx(), by_voucher(other, small, "10.00"))
    with pytest.raises(VoucherMeansMismatch):
        app.payments.record(
            ctx(), RecordPayment(customer_id, TODAY, D(10), PaymentMeans.CARD, voucher_id=small)
        )
    with pytest.raises(NotFound):
        app.payments.record(ctx(), by_voucher(customer_id, uuid4(), "10.00"))
    assert app.log_position() == position
    assert app.invoices.get(invoice_id).payment_status == PaymentStatus.UNPAID


def test_a_voucher_to_bearer_is_spent_by_any_customer_never_beyond_its_balance(
    app: Comptoir,
) -> None:
    first, second = customer(app), customer(app)
    invoice(app, first, "100.00", date(2026, 10, 1))
    invoice(app, second, "100.00", date(2026, 10, 1))
    gift = voucher(app, "50.00", None)
    app.payments.record(ctx(), by_voucher(first, gift, "35.00"))
    with pytest.raises(VoucherBalanceExceeded):
        app.payments.record(ctx(), by_voucher(second, gift, "15.01"))
    app.payments.record(ctx(), by_voucher(second, gift, "15.00"))
    spent = app.vouchers.get(gift)
    assert (spent.status, spent.balance) == (VoucherStatus.SPENT, D(0))
    assert [r.customer_id for r in spent.redemptions] == [first, second]


def test_a_cancelled_voucher_is_not_spent_and_keeps_its_history(app: Comptoir) -> None:
    customer_id = customer(app)
    invoice(app, customer_id, "100.00", date(2026, 10, 1))
    voucher_id = voucher(app, "50.00", customer_id)
    app.payments.record(ctx(), by_voucher(customer_id, voucher_id, "10.00"))
    cancelled = app.vouchers.cancel(ctx(reason="Sold by mistake"), voucher_id)
    assert cancelled.result == {"forfeited": "40.00"}
    with pytest.raises(VoucherCancelled):
        app.payments.record(ctx(), by_voucher(customer_id, voucher_id, "10.00"))
    assert app.vouchers.get(voucher_id).balance == 0
    assert app.vouchers.get(voucher_id, version=2).balance == D(40)


def test_a_retried_payment_by_voucher_spends_it_once(app: Comptoir) -> None:
    customer_id = customer(app)
    invoice(app, customer_id, "100.00", date(2026, 10, 1))
    voucher_id = voucher(app, "50.00", customer_id)
    command = by_voucher(customer_id, voucher_id, "30.00")
    first = app.payments.record(ctx(idempotency_key="gift-1"), command)
    again = app.payments.record(ctx(idempotency_key="gift-1"), command)
    assert again.replayed
    assert again.aggregate_id == first.aggregate_id
    assert app.vouchers.get(voucher_id).balance == D(20)


def test_payments_at_once_never_spend_a_voucher_beyond_its_balance(app: Comptoir) -> None:
    customer_id = customer(app)
    invoice(app, customer_id, "1000.00", date(2026, 10, 1))
    gift = voucher(app, "50.00", None)
    barrier = threading.Barrier(4)
    recorded: list[Decimal] = []
    refused: list[DomainError] = []

    def payer() -> None:
        barrier.wait()
        try:
            app.payments.record(ctx(), by_voucher(customer_id, gift, "20.00"))
            recorded.append(D(20))
        except (ConcurrentUpdate, VoucherBalanceExceeded) as error:
            refused.append(error)

    threads = [threading.Thread(target=payer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(recorded) + len(refused) == 4
    assert 1 <= len(recorded) <= 2
    spent = app.vouchers.get(gift)
    assert spent.redeemed == sum(recorded, D(0)) == sum((r.amount for r in spent.redemptions), D(0))
    assert spent.balance >= 0
