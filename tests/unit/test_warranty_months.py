"""A warranty given in months covers up to the day before its anniversary, included."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidWarrantyPeriod
from domain.warranty import last_day_of


@pytest.mark.parametrize(
    ("start", "months", "last"),
    [
        (date(2026, 1, 15), 24, date(2028, 1, 14)),
        (date(2026, 1, 1), 12, date(2026, 12, 31)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # no 31 February: its last day
        (date(2027, 12, 31), 2, date(2028, 2, 29)),  # a leap year's last day of February
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 11, 1), 3, date(2027, 1, 31)),
    ],
)
def test_the_last_day_covered(start: date, months: int, last: date) -> None:
    assert last_day_of(start, months) == last


@pytest.mark.parametrize("months", [0, -3, 601, True, 1.5])
def test_a_length_outside_1_to_600_months_is_refused(months: object) -> None:
    with pytest.raises(InvalidWarrantyPeriod, match="1 to 600 months"):
        last_day_of(date(2026, 1, 1), months)  # type: ignore[arg-type]
