"""Billing-period maths (C1): month-end aware, always counted from the start date."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.periods import (
    Frequency,
    monthly_equivalent,
    period_end,
    period_of,
    period_start,
    periods_between,
    periods_due,
)

JAN_31_2027 = date(2027, 1, 31)
JAN_31_2028 = date(2028, 1, 31)


def test_a_monthly_contract_from_31_january_bills_on_each_month_end() -> None:
    starts = [period_start(JAN_31_2027, Frequency.MONTH, n) for n in range(5)]
    assert starts == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
        date(2027, 5, 31),
    ]


def test_february_of_a_leap_year_starts_on_the_29th() -> None:
    assert period_start(JAN_31_2028, Frequency.MONTH, 1) == date(2028, 2, 29)
    assert period_start(JAN_31_2028, Frequency.MONTH, 2) == date(2028, 3, 31)


def test_a_yearly_contract_from_29_february_comes_back_to_the_29th_in_leap_years() -> None:
    start = date(2028, 2, 29)
    assert period_start(start, Frequency.YEAR, 1) == date(2029, 2, 28)
    assert period_start(start, Frequency.YEAR, 4) == date(2032, 2, 29)


def test_day_week_quarter_and_half_year_steps() -> None:
    start = date(2027, 8, 31)
    assert period_start(start, Frequency.DAY, 1) == date(2027, 9, 1)
    assert period_start(start, Frequency.WEEK, 2) == date(2027, 9, 14)
    assert period_start(start, Frequency.QUARTER, 1) == date(2027, 11, 30)
    assert period_start(start, Frequency.QUARTER, 2) == date(2028, 2, 29)
    assert period_start(start, Frequency.HALF_YEAR, 1) == date(2028, 2, 29)
    assert period_start(start, Frequency.HALF_YEAR, 2) == date(2028, 8, 31)


def test_a_period_ends_the_day_before_the_next_one_starts() -> None:
    assert period_end(JAN_31_2027, Frequency.MONTH, 0) == date(2027, 2, 27)
    assert period_end(JAN_31_2027, Frequency.MONTH, 1) == date(2027, 3, 30)


def test_period_of_finds_the_period_holding_a_day() -> None:
    assert period_of(JAN_31_2027, Frequency.MONTH, date(2027, 3, 30)) == (
        1,
        date(2027, 2, 28),
        date(2027, 3, 31),
    )
    assert period_of(JAN_31_2027, Frequency.MONTH, date(2027, 3, 31)) == (
        2,
        date(2027, 3, 31),
        date(2027, 4, 30),
    )
    assert period_of(date(2027, 1, 1), Frequency.WEEK, date(2027, 1, 15)) == (
        2,
        date(2027, 1, 15),
        date(2027, 1, 22),
    )


def test_period_of_refuses_a_day_before_the_start() -> None:
    with pytest.raises(InvalidInput):
        period_of(JAN_31_2027, Frequency.MONTH, date(2027, 1, 30))


def test_a_negative_period_index_is_refused() -> None:
    with pytest.raises(InvalidInput):
        period_start(JAN_31_2027, Frequency.MONTH, -1)


@pytest.mark.parametrize("frequency", [Frequency.DAY, Frequency.YEAR])
def test_a_period_beyond_the_calendar_is_refused(frequency: Frequency) -> None:
    with pytest.raises(InvalidInput):
        period_start(JAN_31_2027, frequency, 10**9)


def test_periods_due_are_those_started_by_today_within_the_term() -> None:
    assert periods_due(JAN_31_2027, Frequency.MONTH, None, date(2027, 3, 31)) == [0, 1, 2]
    assert periods_due(JAN_31_2027, Frequency.MONTH, None, date(2027, 3, 30)) == [0, 1]
    assert periods_due(JAN_31_2027, Frequency.MONTH, date(2027, 2, 28), date(2027, 6, 1)) == [
        0,
        1,
    ]
    assert periods_due(JAN_31_2027, Frequency.MONTH, None, date(2027, 1, 30)) == []


def test_periods_between_takes_the_starts_in_a_half_open_range() -> None:
    since, until = date(2027, 2, 28), date(2027, 4, 30)
    assert periods_between(JAN_31_2027, Frequency.MONTH, None, since, until) == [1, 2]


def test_monthly_equivalents_of_each_frequency() -> None:
    assert monthly_equivalent(Decimal("12"), Frequency.DAY) == Decimal("365")
    assert monthly_equivalent(Decimal("12"), Frequency.WEEK) == Decimal("52")
    assert monthly_equivalent(Decimal("12"), Frequency.MONTH) == Decimal("12")
    assert monthly_equivalent(Decimal("12"), Frequency.QUARTER) == Decimal("4")
    assert monthly_equivalent(Decimal("12"), Frequency.HALF_YEAR) == Decimal("2")
    assert monthly_equivalent(Decimal("12"), Frequency.YEAR) == Decimal("1")


starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
frequencies = st.sampled_from(list(Frequency))


@settings(max_examples=50)
@given(start=starts, n=st.integers(min_value=0, max_value=240))
def test_monthly_periods_never_skip_a_month_and_keep_the_start_day_when_they_can(
    start: date, n: int
) -> None:
    this = period_start(start, Frequency.MONTH, n)
    following = period_start(start, Frequency.MONTH, n + 1)
    assert this < following
    month_index = this.year * 12 + this.month
    assert month_index == start.year * 12 + start.month + n
    assert following.year * 12 + following.month == month_index + 1
    assert this.day == min(start.day, calendar.monthrange(this.year, this.month)[1])


@settings(max_examples=50)
@given(start=starts, frequency=frequencies, n=st.integers(min_value=0, max_value=120))
def test_period_starts_increase_and_period_of_finds_each_of_them(
    start: date, frequency: Frequency, n: int
) -> None:
    first = period_start(start, frequency, n)
    following = period_start(start, frequency, n + 1)
    assert first < following
    assert period_of(start, frequency, first) == (n, first, following)
    assert period_of(start, frequency, following - timedelta(days=1)) == (n, first, following)
