"""Warranties (S2): customer and manufacturer, each with a start and an end (inclusive)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
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
