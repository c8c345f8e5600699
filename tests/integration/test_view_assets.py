"""The installed base's warranty columns, computed in DuckDB at query time, say what the
domain says: the warranty a repair falls under is `Asset.warranty_on`'s, and an asset
with one warranty has that warranty's `warranty_status` and days remaining."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.asset import Asset
from domain.warranty import WarrantyKind, days_remaining, warranty_status
from projections.assets import ASSET_VERSIONS, ASSETS, AssetsView, AssetVersionsView, assets_source
from projections.base import Folded
from projections.documents import append

AT = datetime(2026, 1, 5, 9, tzinfo=UTC)
FIRST = date(2026, 1, 1)
days = st.integers(min_value=0, max_value=800).map(lambda n: FIRST + timedelta(days=n))
spans = st.tuples(days, st.integers(min_value=0, max_value=400)).map(
    lambda s: (s[0], s[0] + timedelta(days=s[1]))
)


@pytest.fixture(scope="module")
def cursor() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    for table in (ASSETS, ASSET_VERSIONS):
        for statement in table.ddl():
            connection.execute(statement)
    yield connection
    connection.close()


def asset_with(warranties: dict[WarrantyKind, tuple[date, date]]) -> Asset:
    asset = Asset.register(AT, UUID(int=1), "OVEN", "Oven", "S1", "Lyon", {"firmware": "2"})
    for kind, (start, end) in warranties.items():
        asset.set_warranty(AT, kind, start, end)
    return asset


def row_on(cursor: duckdb.DuckDBPyConnection, asset: Asset, day: date, soon: int) -> dict[str, Any]:
    """The asset's row in the view, as a query on `day` gives it."""
    folded = Folded(asset, 1, AT)
    cursor.execute("DELETE FROM assets")
    cursor.execute("DELETE FROM asset_versions")
    append(cursor, ASSETS, AssetsView().rows(folded))
    append(cursor, ASSET_VERSIONS, AssetVersionsView().rows(folded))
    cursor.execute(f"SELECT * FROM {assets_source(day, soon)}")
    names = [d[0] for d in cursor.description or []]
    (values,) = cursor.fetchall()
    return dict(zip(names, values, strict=True))


@settings(max_examples=80, deadline=None)
@given(
    customer=st.none() | spans,
    maker=st.none() | spans,
    day=days,
    soon=st.integers(min_value=0, max_value=60),
)
def test_the_warranty_columns_follow_the_domain(
    cursor: duckdb.DuckDBPyConnection,
    customer: tuple[date, date] | None,
    maker: tuple[date, date] | None,
    day: date,
    soon: int,
) -> None:
    given_ = {WarrantyKind.CUSTOMER: customer, WarrantyKind.MANUFACTURER: maker}
    warranties = {kind: span for kind, span in given_.items() if span is not None}
    asset = asset_with(warranties)
    row = row_on(cursor, asset, day, soon)
    covering = asset.warranty_on(day)
    assert row["covered_by"] == (None if covering is None else str(covering))
    assert row["under_warranty"] is (covering is not None)
    assert row["configuration"] == {"firmware": "2"}
    if not warranties:
        assert row["warranty_status"] == "none"
    if len(warranties) == 1:
        ((start, end),) = warranties.values()
        assert row["warranty_status"] == str(warranty_status(start, end, day, soon))
        if covering is not None:
            assert row["warranty_days_left"] == days_remaining(end, day)
    if covering is not None:
        ends = [w.end for w in asset.warranties.values() if w.covers(day)]
        assert row["covered_until"] == max(ends)
