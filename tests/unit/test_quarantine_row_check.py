"""A view row is checked against its DuckDB columns before the batch is written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from projections.quarantine import RowCheck, RowsRefused
from projections.schema import Table

TABLE = Table("t", [("name", "text"), ("amount", "money"), ("hours", "number")])


def test_rows_that_fit_their_columns_pass_unchanged() -> None:
    rows = [{"name": "x", "amount": Decimal("-99999999999999.9999"), "hours": 2}, {"name": "y"}]
    assert RowCheck(TABLE)(rows) is rows
    assert TABLE.arrow(rows).num_rows == 2  # what the check admits, Arrow takes


@pytest.mark.parametrize(
    "row",
    [
        {"amount": Decimal("100000000000000")},  # 15 integer digits in DECIMAL(18, 4)
        {"amount": Decimal("0.00001")},  # a fifth decimal Arrow would have to round
        {"hours": Decimal("0.0000001")},
        {"amount": Decimal("NaN")},
        {"amount": Decimal("Infinity")},
        {"amount": "not a number"},
    ],
)
def test_a_value_its_column_cannot_hold_is_refused(row: dict[str, object]) -> None:
    with pytest.raises(RowsRefused):
        RowCheck(TABLE)([row])
