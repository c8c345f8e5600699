"""The `budget_vs_actual` view (V5): one row per affair and budget category.

Every figure comes from `domain.budget.budget_vs_actual(affair)`, so the view's numbers
are the domain's (definitions in `domain.budget`). Rows come in the report's order,
`line` 1–5: labour, purchases, subcontracting, expenses, sales.

- `baselines`: each earlier baseline's amount for this category by baseline number,
  {"1": "1000.00", "2": …} ("0.00" when the baseline had no such line, as a missing line
  counts as a budget of 0); stored as JSON text, served as a JSON object (a map in
  Parquet) by `budget_source`; `last_baseline` the latest one's amount, NULL before any.
- Affair-level figures are repeated on every row of the affair: progress, revenue
  ordered and invoiced, forecast cost, revenue and margin, open alerts. The sales row
  also carries revenue invoiced as its `actual` and revenue ordered as its `committed`,
  as the domain's report does.

Folded as one row per affair state (`budget_figures`, and its history): the affair's
figures once, then each category's under its name (`labour_budget`, `labour_actual`, …).
A state is one row of history instead of five, so the high-volume events (time logged,
costs) write a fifth of the rows and values. The table `budget_vs_actual` holds each
affair's current rows by category, laid out from the batch's latest states in Arrow
(`by_category`); as of a time, `budget_source` lays out the history in SQL
(`budget_lines`), and `tests/integration/test_budget_states.py` checks both against the
domain's report at every state.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

import pyarrow as pa
from eventsourcing.domain import Aggregate

from domain.affair import Affair
from domain.budget import BudgetCategory, RevenueKind, budget_vs_actual
from domain.values import ZERO, round_money
from projections.base import Folded, Served
from projections.schema import Table
from projections.snapshot import table_at

# The affair's figures, once per row.
_AFFAIR_COLUMNS = [
    ("affair_id", "text"),
    ("name", "text"),
    ("salesperson", "text"),
    ("status", "text"),
    ("currency", "text"),
    ("baseline_count", "int"),
    ("progress", "number"),
    ("revenue_ordered", "money"),
    ("revenue_invoiced", "money"),
    ("forecast_cost", "money"),
    ("forecast_revenue", "money"),
    ("forecast_margin", "money"),
    ("open_alerts", "int"),
    ("updated_at", "timestamp"),
    ("position", "int"),
]
# Each category's figures, as `<category>_<figure>` columns.
_LINE_COLUMNS = [
    ("budget", "money"),
    ("baselines", "text"),
    ("last_baseline", "money"),
    ("actual", "money"),
    ("committed", "money"),
    ("variance", "money"),
    ("forecast", "money"),
]

# Each category's columns, in the order of `_LINE_COLUMNS`.
_COLUMNS_OF = {c: tuple(f"{c}_{name}" for name, _ in _LINE_COLUMNS) for c in BudgetCategory}

TABLE = Table(
    "budget_figures",
    [
        *_AFFAIR_COLUMNS,
        *[
            (column, kind)
            for c in BudgetCategory
            for column, (_, kind) in zip(_COLUMNS_OF[c], _LINE_COLUMNS, strict=True)
        ],
    ],
)

# The view as it is served: a row per affair and category, its columns in this order.
_KINDS = dict(_AFFAIR_COLUMNS) | dict(_LINE_COLUMNS) | {"line": "int", "category": "text"}
SERVED_TABLE = Table(
    "budget_vs_actual",
    [
        (name, _KINDS[name])
        for name in (
            *("affair_id", "name", "salesperson", "status", "line", "category", "currency"),
            *("budget", "baselines", "baseline_count", "last_baseline", "actual", "committed"),
            *("variance", "progress", "forecast", "revenue_ordered", "revenue_invoiced"),
            *("forecast_cost", "forecast_revenue", "forecast_margin", "open_alerts"),
            *("updated_at", "position"),
        )
    ],
)


def budget_lines(source: str) -> str:
    """The rows of `budget_vs_actual` (one per affair and category, `line` 1–5) from
    `source`, a table or query with the columns of `budget_figures`, read once."""
    figures = {name for name, _ in _LINE_COLUMNS}
    columns = []
    for column in SERVED_TABLE.column_names:
        if column in figures:
            by_line = ", ".join(f"s.{category}_{column}" for category in BudgetCategory)
            columns.append(f"[{by_line}][l.line] AS {column}")
        else:
            columns.append(f"{'l' if column in ('line', 'category') else 's'}.{column}")
    lines = ", ".join(
        f"(CAST({line} AS BIGINT), '{category}')"
        for line, category in enumerate(BudgetCategory, start=1)
    )
    return (
        f"SELECT {', '.join(columns)} FROM {source} AS s"
        f" CROSS JOIN (VALUES {lines}) AS l(line, category)"
    )


def by_category(figures: pa.Table) -> pa.Table:
    """The rows of `budget_vs_actual` from rows of `budget_figures` (an Arrow batch), for
    the current rows the projector writes: `budget_lines` without planning SQL, as each
    category's columns are the batch's own, renamed."""
    size = figures.num_rows
    parts = []
    for line, category in enumerate(BudgetCategory, start=1):
        own = dict(zip((name for name, _ in _LINE_COLUMNS), _COLUMNS_OF[category], strict=True))
        constant = {
            "line": pa.repeat(pa.scalar(line, pa.int64()), size),
            "category": pa.repeat(pa.scalar(str(category), pa.string()), size),
        }
        columns = [
            constant[name] if name in constant else figures.column(own.get(name, name))
            for name in SERVED_TABLE.column_names
        ]
        parts.append(pa.table(columns, schema=SERVED_TABLE.schema))
    return pa.concat_tables(parts)


class BudgetVsActualView:
    """Rows of `budget_figures`, from each affair's budget report; `served`, the table
    laying them out by category."""

    table: Table = TABLE
    key: str = "affair_id"
    document: type[Aggregate] = Affair
    history: bool = True
    served: ClassVar[Sequence[Served]] = (Served(SERVED_TABLE, by_category),)

    def __init__(self) -> None:
        # Each affair's baseline columns by category, for the baselines it had: a baseline
        # never changes once taken, and most events leave the affair's baselines as they are.
        self._frozen: dict[tuple[object, ...], dict[str, tuple[str, Decimal | None]]] = {}

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        affair = folded.aggregate
        assert isinstance(affair, Affair)
        report = budget_vs_actual(affair)
        zero = round_money(ZERO, affair.currency)
        frozen = self._baseline_columns(affair, zero)
        row: dict[str, Any] = {
            "affair_id": str(affair.id),
            "name": affair.name,
            "salesperson": affair.salesperson,
            "status": str(affair.status),
            "currency": report.currency,
            "baseline_count": len(affair.baselines),
            "progress": report.progress,
            "revenue_ordered": affair.revenue.get(RevenueKind.ORDERED, zero),
            "revenue_invoiced": affair.revenue.get(RevenueKind.INVOICED, zero),
            "forecast_cost": report.forecast_cost,
            "forecast_revenue": report.forecast_revenue,
            "forecast_margin": report.forecast_margin,
            "open_alerts": len(affair.open_alerts),
            "updated_at": affair.modified_on,
            "position": folded.position,
        }
        for line in report.rows:
            text, last = frozen[line.category]
            figures = (line.budget, text, last, line.actual, line.committed, line.variance)
            row.update(zip(_COLUMNS_OF[line.category], (*figures, line.forecast), strict=True))
        return [row]

    def _baseline_columns(
        self, affair: Affair, zero: Decimal
    ) -> dict[str, tuple[str, Decimal | None]]:
        """Per category: the `baselines` JSON text and the last baseline's amount."""
        key = (affair.id, affair.currency, *affair.baselines)
        found = self._frozen.get(key)
        if found is None:
            baselines = sorted(affair.baselines.values(), key=lambda b: b.number)
            found = {}
            for category in BudgetCategory:
                amounts = [b.amounts.get(category, zero) for b in baselines]
                found[category] = (
                    _baselines_text(baselines, amounts),
                    amounts[-1] if amounts else None,
                )
            if len(self._frozen) >= _FROZEN_KEPT:
                self._frozen.clear()
            self._frozen[key] = found
        return found


# Affairs whose baseline columns are remembered, at most (a rebuild keeps 2,000 live).
_FROZEN_KEPT = 2_000


def _baselines_text(baselines: list[Any], amounts: list[Any]) -> str:
    """The JSON object {"1": "1000.00", …}: amounts as exact strings, by baseline number."""
    pairs = {str(b.number): str(a) for b, a in zip(baselines, amounts, strict=True)}
    return json.dumps(pairs)


def budget_source(as_of: datetime | None = None) -> str:
    """The `budget_vs_actual` rows (as they stood at `as_of`) with `baselines` as a map from
    baseline number to amount, so answers carry an object, not JSON text inside JSON."""
    rows = SERVED_TABLE.name if as_of is None else f"({budget_lines(table_at(TABLE.name, as_of))})"
    return (
        "(SELECT * REPLACE (CAST(CAST(baselines AS JSON) AS MAP(VARCHAR, VARCHAR)) AS baselines)"
        f" FROM {rows})"
    )
