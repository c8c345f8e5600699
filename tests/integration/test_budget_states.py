"""The budget folded as one row a state gives the domain's report at every state: now from
`budget_vs_actual`, and as of each instant from the history laid out by category."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from adapters.duckdb_store import DuckStore
from application.app import Comptoir
from domain.affair import Affair
from domain.budget import budget_vs_actual
from projections.budget import budget_source
from projections.rebuild import rebuild
from tests.conftest import generated_company

EVENTS = 3000
# The affairs checked state by state, the most eventful first.
AFFAIRS = 12
FIGURES = "category, budget, actual, committed, variance, forecast, progress, forecast_cost"


@pytest.fixture
def generated(pg_schema: str, tmp_path: Path) -> Iterator[Comptoir]:
    app = generated_company(tmp_path, pg_schema, seed=31, events=EVENTS)
    yield app
    app.close()


@pytest.fixture
def store(generated: Comptoir, tmp_path: Path) -> Iterator[DuckStore]:
    """The generated company's views, rebuilt."""
    built = rebuild(generated, tmp_path / "views.duckdb", page_size=997)
    store = DuckStore(built.path)
    yield store
    store.close()


def report(affair: Any) -> list[tuple[object, ...]]:
    """The domain's budget report of `affair`, in the view's columns and order."""
    assert isinstance(affair, Affair)
    figures = budget_vs_actual(affair)
    return [
        (
            str(row.category),
            row.budget,
            row.actual,
            row.committed,
            row.variance,
            row.forecast,
            figures.progress,
            figures.forecast_cost,
        )
        for row in figures.rows
    ]


def served(store: DuckStore, affair: UUID, as_of: datetime | None = None) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = (
        store.reader()
        .execute(
            f"SELECT {FIGURES} FROM {budget_source(as_of)} WHERE affair_id = ? ORDER BY line",
            [str(affair)],
        )
        .fetchall()
    )
    return rows


def test_every_state_of_the_budget_is_the_domains_report(
    generated: Comptoir, store: DuckStore
) -> None:
    counted = (
        store.reader()
        .execute(
            "SELECT affair_id, count(*) AS states FROM budget_figures_history"
            " GROUP BY affair_id ORDER BY states DESC, affair_id"
        )
        .fetchall()
    )
    assert len(counted) > AFFAIRS
    assert counted[0][1] >= 15
    for affair_id, states in counted[:AFFAIRS]:
        affair = UUID(affair_id)
        history = generated.history(affair)
        assert len(history) == states  # one row a state
        assert served(store, affair) == report(generated.repository.get(affair))
        for entry in history:
            # as of an instant: the last state recorded at or before it
            at = entry.recorded_at
            version = max(e.version for e in history if e.recorded_at <= at)
            expected = report(generated.repository.get(affair, version=version))
            assert served(store, affair, at) == expected, (affair, version)
    # every affair's current rows, all five categories in order
    lines = store.reader().execute("SELECT count(*) FROM budget_vs_actual").fetchone()
    assert lines == (5 * len(counted),)


def test_a_category_filter_keeps_one_row_an_affair_now_and_as_of(store: DuckStore) -> None:
    reader = store.reader()
    latest = reader.execute("SELECT max(valid_from) FROM budget_figures_history").fetchone()
    assert latest is not None
    for as_of in (None, latest[0]):
        labour = reader.execute(
            f"SELECT affair_id, line, actual FROM {budget_source(as_of)}"
            " WHERE category = 'labour' ORDER BY affair_id"
        ).fetchall()
        affairs = reader.execute(
            "SELECT count(DISTINCT affair_id) FROM budget_figures_history"
        ).fetchone()
        assert affairs is not None
        assert len(labour) == affairs[0]
        assert {line for _, line, _ in labour} == {1}
        assert sum((actual for *_, actual in labour), Decimal(0)) > 0
