"""Quote states and policies: approval thresholds (Q7) and validity buckets (Q5)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from domain.errors import InvalidAmount
from domain.quote_lines import QuoteLine
from domain.values import HUNDRED, DiscountMode, Totals, check_finite, document_discount_rate


class QuoteStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ABANDONED = "abandoned"
    EXPIRED = "expired"
    CONVERTED = "converted"


@dataclass(frozen=True)
class ApprovalPolicy:
    """Thresholds past which a quote needs a manager's approval before it is sent.

    `max_total` is compared with the net total (excl. tax); `max_discount_percent` with
    the largest discount of the quote; `min_margin_percent` with its margin rate. A quote
    whose margin cannot be computed (a line without unit cost) crosses the margin
    threshold: an unknown margin is not a checked one.
    """

    max_total: Decimal | None = None
    max_discount_percent: Decimal | None = None
    min_margin_percent: Decimal | None = None

    def __post_init__(self) -> None:
        for what, value in (
            ("maximum total", self.max_total),
            ("maximum discount", self.max_discount_percent),
        ):
            if value is not None:
                check_finite(value, what)
        if self.min_margin_percent is not None:
            check_finite(self.min_margin_percent, "minimum margin", allow_negative=True)
            if self.min_margin_percent > HUNDRED:
                raise InvalidAmount("a minimum margin cannot exceed 100 %")

    def reasons(self, totals: Totals, largest_discount: Decimal) -> list[str]:
        """Why a quote with these totals and this largest discount needs approval."""
        found: list[str] = []
        if self.max_total is not None and totals.net > self.max_total:
            found.append(f"net total {totals.net} exceeds {self.max_total}")
        if self.max_discount_percent is not None and largest_discount > self.max_discount_percent:
            found.append(
                f"a discount of {largest_discount:.2f} % exceeds {self.max_discount_percent} %"
            )
        if self.min_margin_percent is not None:
            rate = totals.margin_rate
            if rate is None:
                found.append("the margin is unknown: a line has no unit cost")
            elif rate < self.min_margin_percent:
                found.append(f"a margin of {rate:.2f} % is below {self.min_margin_percent} %")
        return found


def largest_discount(
    lines: Iterable[QuoteLine], discounts: Iterable[Decimal], mode: DiscountMode
) -> Decimal:
    """The largest discount in percent: any line's, or the combined document discount."""
    document = document_discount_rate(discounts, mode) * HUNDRED
    return max([document, *(line.discount_percent() for line in lines)])


@dataclass(frozen=True)
class Approval:
    """A manager's approval of one revision of a quote."""

    approver: str
    reason: str
    at: datetime
    revision: int


class ValidityBucket(StrEnum):
    SIGNED = "signed"
    PENDING = "pending"
    EXPIRES_SOON = "expires_soon"
    EXPIRES_LATER = "expires_later"
    EXPIRED = "expired"


def validity_bucket(
    status: str, valid_until: date | None, today: date, soon_days: int = 10
) -> ValidityBucket | None:
    """The dashboard bucket of a quote in `status` (None: declined or abandoned)."""
    if status in (QuoteStatus.ACCEPTED, QuoteStatus.CONVERTED):
        return ValidityBucket.SIGNED
    if status == QuoteStatus.DRAFT:
        return ValidityBucket.PENDING
    if status == QuoteStatus.EXPIRED:
        return ValidityBucket.EXPIRED
    if status != QuoteStatus.SENT:
        return None
    if valid_until is None:
        return ValidityBucket.EXPIRES_LATER
    days_left = (valid_until - today).days
    if days_left < 0:
        return ValidityBucket.EXPIRED
    if days_left < soon_days:
        return ValidityBucket.EXPIRES_SOON
    return ValidityBucket.EXPIRES_LATER
