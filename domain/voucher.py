"""The Voucher aggregate (S6, issue 14): a value voucher — a gift cheque, a commercial
gesture — issued for an amount, valid through a stated day, redeemed as a means of
payment, never beyond what it has left nor outside its validity.

A voucher is issued to a customer, who alone may redeem it, or to bearer (no customer:
a gift cheque whoever holds it may spend). Its code is random, not a gapless number: a
voucher is no tax document (it is not numbered like invoices), and a code whoever holds
a gift cheque reads must not let them guess the next one. The code is chosen by the
application and the voucher's id derived from it, so the event store itself refuses a
second voucher with the same code and a voucher is found by its code without an index.

Redemptions are recorded by the payment that spends it, in the payment's command; the
domain never reads the clock: the redemption's day is the payment's value date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain import bounds
from domain.errors import (
    InvalidAmount,
    InvalidInput,
    InvalidTransition,
    InvalidVoucherCode,
    IssueDateInFuture,
    VoucherBalanceExceeded,
    VoucherCancelled,
    VoucherCurrencyMismatch,
    VoucherExpired,
    VoucherNotYetValid,
    VoucherOfAnotherCustomer,
    VoucherValidityBeforeIssue,
)
from domain.quote_lines import checked_at, checked_uuid, optional_text
from domain.values import ZERO, check_currency

# Crockford's base 32: no I, L, O or U, so a code read aloud or copied by hand survives.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS = 3
CODE_PATTERN = re.compile(r"VCH(-[0-9A-HJKMNP-TV-Z]{4}){3}")
MAX_REASON = 500


class VoucherStatus(StrEnum):
    """Active while something is left, spent once nothing is, or cancelled."""

    ACTIVE = "active"
    SPENT = "spent"
    CANCELLED = "cancelled"


# What each status allows, by the past participle the error message uses.
TRANSITIONS: dict[VoucherStatus, frozenset[str]] = {
    VoucherStatus.ACTIVE: frozenset({"redeemed", "cancelled"}),
    VoucherStatus.SPENT: frozenset(),
    VoucherStatus.CANCELLED: frozenset(),
}


@dataclass(frozen=True)
class Redemption:
    """The part of a voucher one payment spent, on the payment's value date."""

    payment_id: UUID
    customer_id: UUID
    amount: Decimal
    on_day: date


def checked_code(code: object) -> str:
    """A voucher code as printed (`VCH-XXXX-XXXX-XXXX`); lower case and blanks are read."""
    if not isinstance(code, str):
        raise InvalidVoucherCode(f"a voucher code is text, got {code!r}")
    normalized = code.strip().upper()
    if not CODE_PATTERN.fullmatch(normalized):
        raise InvalidVoucherCode(
            f"{code!r} is not a voucher code (VCH- and three groups of four of {CODE_ALPHABET})"
        )
    return normalized


def voucher_id(code: str) -> UUID:
    """The id of the voucher holding `code`, derived so it is found without a lookup."""
    return uuid5(NAMESPACE_URL, f"urn:comptoir:voucher:{checked_code(code)}")


class Voucher(Aggregate):
    """A value voucher: an amount in a currency, valid from its issue day through a day."""

    @staticmethod
    def create_id(code: str, **_: Any) -> UUID:
        return voucher_id(code)

    class Issued(Aggregate.Created):
        at: datetime
        code: str
        customer_id: UUID | None
        amount: Decimal
        currency: str
        issue_date: date
        valid_until: date
        reason: str | None

    @event(Issued)
    def __init__(
        self,
        *,
        at: datetime,
        code: str,
        customer_id: UUID | None,
        amount: Decimal,
        currency: str,
        issue_date: date,
        valid_until: date,
        reason: str | None,
    ) -> None:
        self.issued_at, self.code = at, code
        self.customer_id = customer_id
        self.amount, self.currency = amount, currency
        self.issue_date, self.valid_until = issue_date, valid_until
        self.reason = reason
        self.redemptions: list[Redemption] = []
        self.redeemed = ZERO
        self.cancelled_at: datetime | None = None
        self.forfeited = ZERO

    @classmethod
    def issue(
        cls,
        *,
        at: datetime,
        code: str,
        customer_id: UUID | None,
        amount: Decimal,
        currency: str,
        issue_date: date,
        valid_until: date,
        reason: str | None = None,
    ) -> Voucher:
        """A voucher of `amount`, issued on `issue_date` (never after the command's day)
        and valid through `valid_until`; to `customer_id`, or to bearer when None."""
        at = checked_at(at)
        checked_uuid(customer_id, "a customer id")
        amount = bounds.amount(amount)
        if amount <= 0:
            raise InvalidAmount(f"a voucher is worth more than zero, got {amount}")
        issue_date = _day(issue_date, "an issue date")
        valid_until = _day(valid_until, "a validity date")
        if issue_date > at.date():
            raise IssueDateInFuture(
                f"a voucher is issued on or before the day it is recorded: "
                f"{issue_date} is after {at.date()}"
            )
        if valid_until < issue_date:
            raise VoucherValidityBeforeIssue(
                f"a voucher issued on {issue_date} cannot be valid only through {valid_until}"
            )
        reason = optional_text(reason, "reason")
        if reason is not None and len(reason) > MAX_REASON:
            raise InvalidInput(f"reason: at most {MAX_REASON} characters")
        return cls(
            at=at,
            code=checked_code(code),
            customer_id=customer_id,
            amount=amount,
            currency=check_currency(currency),
            issue_date=issue_date,
            valid_until=valid_until,
            reason=reason,
        )

    # ---- reading ------------------------------------------------------------------------

    @property
    def to_bearer(self) -> bool:
        return self.customer_id is None

    @property
    def balance(self) -> Decimal:
        """What may still be redeemed: nothing once cancelled."""
        if self.cancelled_at is not None:
            return ZERO
        return self.amount - self.redeemed

    @property
    def status(self) -> VoucherStatus:
        if self.cancelled_at is not None:
            return VoucherStatus.CANCELLED
        return VoucherStatus.ACTIVE if self.balance > 0 else VoucherStatus.SPENT

    def valid_on(self, day: date) -> bool:
        """True when `day` is within the validity (whatever is left on the voucher)."""
        return self.issue_date <= day <= self.valid_until

    # ---- verbs --------------------------------------------------------------------------

    def redeem(
        self,
        *,
        at: datetime,
        amount: Decimal,
        on_day: date,
        payment_id: UUID,
        customer_id: UUID,
        currency: str,
    ) -> None:
        """Spend `amount` of the voucher for a payment of `customer_id` in `currency` on
        `on_day`: never beyond the balance, never outside the validity, never a
        cancelled voucher, never another customer's unless it is to bearer."""
        at = checked_at(at)
        amount = bounds.amount(amount)
        if amount <= 0:
            raise InvalidAmount(f"a redemption is above zero, got {amount}")
        on_day = _day(on_day, "a redemption day")
        if checked_uuid(payment_id, "a payment id") is None:
            raise InvalidInput("a redemption names its payment")
        if checked_uuid(customer_id, "a customer id") is None:
            raise InvalidInput("a redemption names the paying customer")
        if self.status == VoucherStatus.CANCELLED:
            raise VoucherCancelled(f"voucher {self.code} was cancelled: nothing is left on it")
        if on_day < self.issue_date:
            raise VoucherNotYetValid(
                f"voucher {self.code} is valid from {self.issue_date}, not on {on_day}"
            )
        if on_day > self.valid_until:
            raise VoucherExpired(
                f"voucher {self.code} was valid through {self.valid_until}, not on {on_day}"
            )
        if currency != self.currency:
            raise VoucherCurrencyMismatch(
                f"voucher {self.code} is in {self.currency}, the payment in {currency}"
            )
        if self.customer_id is not None and customer_id != self.customer_id:
            raise VoucherOfAnotherCustomer(
                f"voucher {self.code} was issued to customer {self.customer_id}, "
                "not to bearer: another customer cannot spend it"
            )
        if amount > self.balance:
            raise VoucherBalanceExceeded(
                f"{amount} {currency} is above what is left on voucher {self.code} "
                f"({self.balance} {self.currency})"
            )
        self._redeem(at=at, redemption=Redemption(payment_id, customer_id, amount, on_day))

    @event("Redeemed")
    def _redeem(self, at: datetime, redemption: Redemption) -> None:
        self.redemptions.append(redemption)
        self.redeemed += redemption.amount

    def cancel(self, *, at: datetime) -> None:
        """Cancel an active voucher: what it had left is forfeited, and it is never
        redeemed again. Its redemptions stand."""
        at = checked_at(at)
        if "cancelled" not in TRANSITIONS[self.status]:
            raise InvalidTransition("voucher", self.status, "cancelled")
        self._cancel(at=at, forfeited=self.balance)

    @event("Cancelled")
    def _cancel(self, at: datetime, forfeited: Decimal) -> None:
        self.cancelled_at = at
        self.forfeited = forfeited


def _day(value: object, what: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput(f"{what} must be a date, got {value!r}")
    return value
