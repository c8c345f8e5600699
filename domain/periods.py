"""Billing periods of recurring contracts, month-end aware.

Period n of a contract starts at `start + n × step`. Month-based steps are always
counted from the start date and clamped to the month's last day, never chained from
the previous (clamped) date: a monthly contract starting 31 January bills periods
starting 31 Jan, 28 (or 29) Feb, 31 Mar, 30 Apr … A period runs until the day before
the next period starts. Term ends given here are inclusive: the term's last day.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from domain.errors import InvalidInput


class Frequency(StrEnum):
    """How often a contract bills."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"


# Steps in days for day-based frequencies, in months for the others.
_DAYS: dict[str, int] = {Frequency.DAY: 1, Frequency.WEEK: 7}
_MONTHS: dict[str, int] = {
    Frequency.MONTH: 1,
    Frequency.QUARTER: 3,
    Frequency.HALF_YEAR: 6,
    Frequency.YEAR: 12,
}


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the last day of the target month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def period_start(start: date, frequency: Frequency | str, n: int) -> date:
    """The first day of period `n` (0-based) of a contract starting on `start`."""
    if n < 0:
        raise InvalidInput(f"a period index cannot be negative, got {n}")
    try:
        if frequency in _DAYS:
            return start + timedelta(days=_DAYS[frequency] * n)
        if frequency in _MONTHS:
            return add_months(start, _MONTHS[frequency] * n)
    except (OverflowError, ValueError):
        raise InvalidInput(f"period {n} falls beyond the calendar") from None
    raise InvalidInput(f"unknown billing frequency {frequency!r}")


def period_of(start: date, frequency: Frequency | str, day: date) -> tuple[int, date, date]:
    """The period holding `day`: its index, first day and end (exclusive)."""
    if day < start:
        raise InvalidInput(f"{day} is before the contract starts on {start}")
    if frequency in _DAYS:
        n = (day - start).days // _DAYS[frequency]
    elif frequency in _MONTHS:
        months = (day.year - start.year) * 12 + day.month - start.month
        n = max(months // _MONTHS[frequency], 0)
        # The estimate is off by at most one when the start day is clamped.
        while n > 0 and period_start(start, frequency, n) > day:
            n -= 1
        while period_start(start, frequency, n + 1) <= day:
            n += 1
    else:
        raise InvalidInput(f"unknown billing frequency {frequency!r}")
    return n, period_start(start, frequency, n), period_start(start, frequency, n + 1)


def period_end(start: date, frequency: Frequency | str, n: int) -> date:
    """The last day (inclusive) of period `n`."""
    return period_start(start, frequency, n + 1) - timedelta(days=1)


def periods_between(
    start: date, frequency: Frequency | str, end: date | None, since: date, until: date
) -> list[int]:
    """Indices of the periods starting in [since, until) and on or before `end`."""
    if until <= since:
        return []
    n = 0 if since <= start else period_of(start, frequency, since)[0]
    found: list[int] = []
    while True:
        first = period_start(start, frequency, n)
        if first >= until or (end is not None and first > end):
            return found
        if first >= since:
            found.append(n)
        n += 1


def periods_due(
    start: date, frequency: Frequency | str, end: date | None, today: date
) -> list[int]:
    """Indices of the periods that have started by `today`, within a term ending on `end`."""
    return periods_between(start, frequency, end, start, today + timedelta(days=1))


# Periods of each frequency in an average month, as a fraction (numerator, denominator).
_PER_MONTH: dict[str, tuple[int, int]] = {
    Frequency.DAY: (365, 12),
    Frequency.WEEK: (52, 12),
    Frequency.MONTH: (1, 1),
    Frequency.QUARTER: (1, 3),
    Frequency.HALF_YEAR: (1, 6),
    Frequency.YEAR: (1, 12),
}


def monthly_equivalent(amount: Decimal, frequency: Frequency | str) -> Decimal:
    """An amount per period as an amount per month: day ×365/12, week ×52/12 … year ÷12.

    Unrounded; multiplying before dividing keeps an exact half-cent exact.
    """
    if frequency not in _PER_MONTH:
        raise InvalidInput(f"unknown billing frequency {frequency!r}")
    numerator, denominator = _PER_MONTH[frequency]
    return amount * numerator / denominator
