"""Warranties (S2): customer and manufacturer, each with a start and an end (inclusive)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain.errors import InvalidWarrantyPeriod


class WarrantyKind(StrEnum):
    """Our own warranty to the customer, or the manufacturer's."""

    CUSTOMER = "customer"
    MANUFACTURER = "manufacturer"


class WarrantyStatus(StrEnum):
    ACTIVE = "active"
    EXPIRING_SOON = "expiring_soon"
    EXPIRED = "expired"
    NOT_STARTED = "not_started"


@dataclass(frozen=True)
class Warranty:
    """A warranty covering every day from `start` to `end`, both included."""

    kind: WarrantyKind
    start: date
    end: date

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", WarrantyKind(self.kind))
        if self.end < self.start:
            raise InvalidWarrantyPeriod(
                f"a warranty cannot end ({self.end}) before it starts ({self.start})"
            )

    def status(self, today: date, soon_days: int = 30) -> WarrantyStatus:
        return warranty_status(self.start, self.end, today, soon_days)

    def covers(self, day: date) -> bool:
        """True when the warranty is in force on `day` (expiring soon included)."""
        return self.start <= day <= self.end


def warranty_status(start: date, end: date, today: date, soon_days: int = 30) -> WarrantyStatus:
    """Not started before `start`; expired after `end`; expiring soon when fewer than
    `soon_days` days remain (the last day itself has 0 left); active otherwise."""
    if today < start:
        return WarrantyStatus.NOT_STARTED
    if today > end:
        return WarrantyStatus.EXPIRED
    if days_remaining(end, today) < soon_days:
        return WarrantyStatus.EXPIRING_SOON
    return WarrantyStatus.ACTIVE


def days_remaining(end: date, today: date) -> int:
    """Days from `today` to the warranty's last day; 0 on it and once expired."""
    return max((end - today).days, 0)


MAX_MONTHS = 600


def last_day_of(start: date, months: int) -> date:
    """The last day a warranty of `months` months from `start` covers, included: the day
    before the same day `months` months later (24 months from 2026-01-15 cover up to
    2028-01-14); when that month has no such day, its last day (1 month from 01-31 covers
    up to 02-28)."""
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        raise InvalidWarrantyPeriod(f"a warranty lasts 1 to {MAX_MONTHS} months, not {months!r}")
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    length = calendar.monthrange(year, month)[1]
    if start.day > length:
        return date(year, month, length)
    return date(year, month, start.day) - timedelta(days=1)
