"""Warranty status (S2) as a pure function of its dates and today."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidWarrantyPeriod
from domain.warranty import Warranty, WarrantyKind, WarrantyStatus, days_remaining, warranty_status

START, END = date(2027, 1, 1), date(2027, 12, 31)


def test_a_warranty_expires_the_day_after_its_end() -> None:
    assert warranty_status(START, END, date(2027, 12, 31)) == WarrantyStatus.EXPIRING_SOON
    assert warranty_status(START, END, date(2028, 1, 1)) == WarrantyStatus.EXPIRED


def test_expiring_soon_means_fewer_than_n_days_remain() -> None:
    assert warranty_status(START, END, date(2027, 12, 21), soon_days=10) == WarrantyStatus.ACTIVE
    assert (
        warranty_status(START, END, date(2027, 12, 22), soon_days=10)
        == WarrantyStatus.EXPIRING_SOON
    )


def test_a_warranty_not_yet_started_says_so() -> None:
    assert warranty_status(START, END, date(2026, 12, 31)) == WarrantyStatus.NOT_STARTED
    assert warranty_status(START, END, START) == WarrantyStatus.ACTIVE


def test_days_remaining_counts_down_to_zero() -> None:
    assert days_remaining(END, date(2027, 12, 1)) == 30
    assert days_remaining(END, END) == 0
    assert days_remaining(END, date(2028, 3, 1)) == 0


def test_a_warranty_value_refuses_an_end_before_its_start() -> None:
    with pytest.raises(InvalidWarrantyPeriod):
        Warranty(WarrantyKind.CUSTOMER, END, START)
    assert Warranty("manufacturer", START, START).kind is WarrantyKind.MANUFACTURER  # type: ignore[arg-type]


@settings(max_examples=50)
@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
    length=st.integers(min_value=0, max_value=2000),
    offset=st.integers(min_value=-100, max_value=2100),
    soon=st.integers(min_value=0, max_value=90),
)
def test_the_status_agrees_with_the_days_remaining(
    start: date, length: int, offset: int, soon: int
) -> None:
    end = start + timedelta(days=length)
    today = start + timedelta(days=offset)
    status = warranty_status(start, end, today, soon)
    covered = Warranty(WarrantyKind.CUSTOMER, start, end).covers(today)
    assert covered == (status in (WarrantyStatus.ACTIVE, WarrantyStatus.EXPIRING_SOON))
    if covered:
        expiring = days_remaining(end, today) < soon
        assert (status == WarrantyStatus.EXPIRING_SOON) == expiring
