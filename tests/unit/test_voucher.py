"""Value vouchers (S6): issued for an amount and a validity, redeemed never beyond the
balance nor outside the validity, cancelled; and a payment by voucher names its voucher."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic
from hypothesis import given
from hypothesis import strategies as st

from adapters.transcoding import domain_transcoder
from domain.errors import (
    InvalidAmount,
    InvalidInput,
    InvalidTransition,
    InvalidVoucherCode,
    IssueDateInFuture,
    UnknownCurrency,
    VoucherBalanceExceeded,
    VoucherCancelled,
    VoucherCurrencyMismatch,
    VoucherExpired,
    VoucherMeansMismatch,
    VoucherNotYetValid,
    VoucherOfAnotherCustomer,
    VoucherValidityBeforeIssue,
)
from domain.payment import Payment, PaymentMeans, Receivable
from domain.voucher import Voucher, VoucherStatus, checked_code, voucher_id
from tests.unit.replay import replay, state_of

AT = datetime(2026, 3, 10, 9, tzinfo=UTC)
TODAY = AT.date()
UNTIL = date(2026, 12, 31)
D = Decimal
CUSTOMER = uuid4()
CODE = "VCH-7K2M-QX9P-4TRB"


def a_voucher(
    amount: str = "50.00",
    customer_id: UUID | None = CUSTOMER,
    issue_date: date = TODAY,
    valid_until: date = UNTIL,
    **kwargs: Any,
) -> Voucher:
    kwargs.setdefault("code", CODE)
    kwargs.setdefault("currency", "EUR")
    return Voucher.issue(
        at=AT,
        customer_id=customer_id,
        amount=D(amount),
        issue_date=issue_date,
        valid_until=valid_until,
        reason="Commercial gesture",
        **kwargs,
    )


def redeem(voucher: Voucher, amount: str, **kwargs: Any) -> UUID:
    payment_id = uuid4()
    kwargs.setdefault("on_day", TODAY)
    kwargs.setdefault("customer_id", CUSTOMER)
    kwargs.setdefault("currency", "EUR")
    voucher.redeem(at=AT, amount=D(amount), payment_id=payment_id, **kwargs)
    return payment_id


# -- issuing ------------------------------------------------------------------------------------


def test_a_voucher_is_issued_for_an_amount_a_validity_and_a_customer() -> None:
    voucher = a_voucher()
    assert (voucher.amount, voucher.currency, voucher.balance) == (D(50), "EUR", D(50))
    assert (voucher.issue_date, voucher.valid_until) == (TODAY, UNTIL)
    assert (voucher.customer_id, voucher.to_bearer) == (CUSTOMER, False)
    assert voucher.reason == "Commercial gesture"
    assert voucher.status == VoucherStatus.ACTIVE
    assert voucher.id == voucher_id(CODE)


def test_a_voucher_without_a_customer_is_to_bearer() -> None:
    voucher = a_voucher(customer_id=None)
    assert voucher.to_bearer
    redeem(voucher, "20.00", customer_id=uuid4())
    redeem(voucher, "30.00", customer_id=uuid4())
    assert voucher.balance == D(0)


def test_the_code_is_read_in_any_case_and_its_id_is_derived_from_it() -> None:
    assert checked_code(" vch-7k2m-qx9p-4trb ") == CODE
    assert a_voucher(code="vch-7k2m-qx9p-4trb").code == CODE
    assert voucher_id(CODE.lower()) == voucher_id(CODE) != voucher_id("VCH-7K2M-QX9P-4TRC")


@pytest.mark.parametrize(
    "code", ["", "VCH-7K2M-QX9P", "VCH-7K2M-QX9P-4TRBX", "VCH-7K2M-QX9P-4TRI", "INV-7K2M-QX9P-4TRB"]
)
def test_text_that_is_no_voucher_code_is_refused(code: str) -> None:
    with pytest.raises(InvalidVoucherCode):
        a_voucher(code=code)
    with pytest.raises(InvalidVoucherCode):
        voucher_id(code)


@pytest.mark.parametrize("amount", ["0", "-5.00", "1e13"])
def test_a_voucher_is_worth_more_than_zero_within_the_bounds(amount: str) -> None:
    with pytest.raises(InvalidAmount):
        a_voucher(amount)


def test_a_voucher_is_not_issued_in_the_future() -> None:
    with pytest.raises(IssueDateInFuture):
        a_voucher(issue_date=TODAY + timedelta(days=1))
    assert a_voucher(issue_date=TODAY - timedelta(days=10)).issue_date < TODAY


def test_a_voucher_is_valid_at_least_on_the_day_it_is_issued() -> None:
    with pytest.raises(VoucherValidityBeforeIssue):
        a_voucher(valid_until=TODAY - timedelta(days=1))
    assert a_voucher(valid_until=TODAY).valid_on(TODAY)


def test_dates_currency_and_reason_are_checked() -> None:
    with pytest.raises(UnknownCurrency):
        a_voucher(currency="XXY")
    with pytest.raises(InvalidInput):
        a_voucher(valid_until=datetime(2026, 12, 31, tzinfo=UTC))
    with pytest.raises(InvalidInput):
        Voucher.issue(
            at=AT,
            code=CODE,
            customer_id=None,
            amount=D(1),
            currency="EUR",
            issue_date=TODAY,
            valid_until=UNTIL,
            reason="x" * 501,
        )


# -- redeeming ----------------------------------------------------------------------------------


def test_redemptions_lower_the_balance_until_it_is_spent() -> None:
    voucher = a_voucher("50.00")
    first = redeem(voucher, "20.00")
    second = redeem(voucher, "30.00", on_day=UNTIL)
    assert (voucher.redeemed, voucher.balance) == (D(50), D(0))
    assert voucher.status == VoucherStatus.SPENT
    assert [(r.payment_id, r.amount) for r in voucher.redemptions] == [
        (first, D(20)),
        (second, D(30)),
    ]


def test_a_redemption_beyond_the_balance_is_refused() -> None:
    voucher = a_voucher("50.00")
    redeem(voucher, "40.00")
    with pytest.raises(VoucherBalanceExceeded):
        redeem(voucher, "10.01")
    redeem(voucher, "10.00")
    with pytest.raises(VoucherBalanceExceeded):  # nothing left on a spent voucher
        redeem(voucher, "0.01")


def test_a_voucher_is_not_redeemed_after_its_last_valid_day() -> None:
    voucher = a_voucher(valid_until=UNTIL)
    with pytest.raises(VoucherExpired):
        redeem(voucher, "1.00", on_day=UNTIL + timedelta(days=1))
    redeem(voucher, "1.00", on_day=UNTIL)


def test_a_voucher_is_not_redeemed_before_the_day_it_was_issued() -> None:
    voucher = a_voucher()
    with pytest.raises(VoucherNotYetValid):
        redeem(voucher, "1.00", on_day=TODAY - timedelta(days=1))


def test_a_voucher_is_redeemed_in_its_own_currency_only() -> None:
    with pytest.raises(VoucherCurrencyMismatch):
        redeem(a_voucher(), "1.00", currency="USD")


def test_a_customers_voucher_is_not_redeemed_by_another_customer() -> None:
    with pytest.raises(VoucherOfAnotherCustomer):
        redeem(a_voucher(), "1.00", customer_id=uuid4())


@pytest.mark.parametrize("amount", ["0", "-1.00"])
def test_a_redemption_is_above_zero(amount: str) -> None:
    with pytest.raises(InvalidAmount):
        redeem(a_voucher(), amount)


def test_a_redemption_names_its_payment_and_customer() -> None:
    voucher = a_voucher()
    with pytest.raises(InvalidInput):
        voucher.redeem(
            at=AT,
            amount=D(1),
            on_day=TODAY,
            payment_id=None,  # type: ignore[arg-type]
            customer_id=CUSTOMER,
            currency="EUR",
        )
    with pytest.raises(InvalidInput):
        redeem(voucher, "1.00", customer_id=None)


# -- cancelling ---------------------------------------------------------------------------------


def test_a_cancelled_voucher_forfeits_what_it_had_left_and_is_never_redeemed_again() -> None:
    voucher = a_voucher("50.00")
    redeem(voucher, "20.00")
    voucher.cancel(at=AT)
    assert (voucher.status, voucher.balance, voucher.forfeited) == (
        VoucherStatus.CANCELLED,
        D(0),
        D(30),
    )
    assert voucher.redeemed == D(20)  # its redemptions stand
    with pytest.raises(VoucherCancelled):
        redeem(voucher, "1.00")
    with pytest.raises(InvalidTransition):
        voucher.cancel(at=AT)


def test_a_spent_voucher_has_nothing_to_cancel() -> None:
    voucher = a_voucher("50.00")
    redeem(voucher, "50.00")
    with pytest.raises(InvalidTransition):
        voucher.cancel(at=AT)


# -- events -------------------------------------------------------------------------------------


def test_a_refused_verb_emits_nothing_and_replaying_the_events_gives_the_same_voucher() -> None:
    voucher = a_voucher("50.00")
    redeem(voucher, "20.00")
    pending = len(voucher.collect_events())
    assert pending == 2
    with pytest.raises(VoucherBalanceExceeded):
        redeem(voucher, "31.00")
    with pytest.raises(VoucherExpired):
        redeem(voucher, "1.00", on_day=UNTIL + timedelta(days=1))
    with pytest.raises(VoucherOfAnotherCustomer):
        redeem(voucher, "1.00", customer_id=uuid4())
    assert voucher.collect_events() == []


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["redeem", "cancel"]),
            st.decimals(min_value=D("0.01"), max_value=D("80"), places=2),
            st.integers(min_value=-3, max_value=300),
        ),
        max_size=12,
    )
)
def test_any_sequence_of_redemptions_keeps_the_balance_between_zero_and_the_amount(
    steps: list[tuple[str, Decimal, int]],
) -> None:
    voucher = a_voucher("100.00", valid_until=TODAY + timedelta(days=200))
    history = list(voucher.collect_events())
    for verb, amount, offset in steps:
        before = state_of(voucher)
        try:
            if verb == "cancel":
                voucher.cancel(at=AT)
            else:
                voucher.redeem(
                    at=AT,
                    amount=amount,
                    on_day=TODAY + timedelta(days=offset),
                    payment_id=uuid4(),
                    customer_id=CUSTOMER,
                    currency="EUR",
                )
        except (VoucherBalanceExceeded, VoucherExpired, VoucherNotYetValid, VoucherCancelled):
            assert state_of(voucher) == before
        except InvalidTransition:
            assert verb == "cancel"
            assert voucher.status != VoucherStatus.ACTIVE
        history.extend(voucher.collect_events())
        assert D(0) <= voucher.balance <= voucher.amount
        assert voucher.redeemed == sum((r.amount for r in voucher.redemptions), D(0))
        assert all(voucher.valid_on(r.on_day) for r in voucher.redemptions)
        if voucher.status != VoucherStatus.CANCELLED:
            assert voucher.balance == voucher.amount - voucher.redeemed
    assert state_of(replay(history, Voucher)) == state_of(voucher)


# -- a payment by voucher -----------------------------------------------------------------------


def payment(means: PaymentMeans, voucher: UUID | None) -> Payment:
    receivable = Receivable(uuid4(), "INV-1", CUSTOMER, "EUR", TODAY, TODAY, D(100))
    return Payment.record(
        at=AT,
        customer_id=CUSTOMER,
        currency="EUR",
        value_date=TODAY,
        amount=D(40),
        means=means,
        reference=None,
        receivables=[receivable],
        voucher_id=voucher,
    )


def test_a_payment_by_voucher_names_its_voucher_and_only_it_does() -> None:
    voucher = uuid4()
    assert payment(PaymentMeans.VOUCHER, voucher).voucher_id == voucher
    assert payment(PaymentMeans.TRANSFER, None).voucher_id is None
    with pytest.raises(VoucherMeansMismatch):
        payment(PaymentMeans.VOUCHER, None)
    with pytest.raises(VoucherMeansMismatch):
        payment(PaymentMeans.CARD, voucher)


def test_a_payment_recorded_before_vouchers_reads_back_with_no_voucher() -> None:
    recorded = payment(PaymentMeans.CHEQUE, None)
    (event,) = recorded.collect_events()
    transcoder = domain_transcoder()
    mapper: Mapper[UUID] = Mapper(transcoder=transcoder)
    state = transcoder.decode(mapper.to_stored_event(event).state)
    del state["voucher_id"], state["class_version"]  # what version 1 stored
    v1 = StoredEvent(recorded.id, 1, get_topic(Payment.Recorded), transcoder.encode(state))
    old = mapper.to_domain_event(v1)
    assert isinstance(old, Payment.Recorded)
    assert old.voucher_id is None
    replayed = replay([old], Payment)
    assert (replayed.voucher_id, replayed.means, replayed.amount) == (None, "cheque", D(40))
