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
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate

from domain.affair import Affair
from domain.budget import BudgetCategory, RevenueKind, budget_vs_actual
from domain.values import ZERO, round_money
from projections.base import Folded
from projections.schema import Table
from projections.snapshot import table_at

TABLE = Table(
    "budget_vs_actual",
    [
        ("affair_id", "text"),
        ("name", "text"),
        ("salesperson", "text"),
        ("status", "text"),
        ("line", "int"),
        ("category", "text"),
        ("currency", "text"),
        ("budget", "money"),
        ("baselines", "text"),
        ("baseline_count", "int"),
        ("last_baseline", "money"),
        ("actual", "money"),
        ("committed", "money"),
        ("variance", "money"),
        ("progress", "number"),
        ("forecast", "money"),
        ("revenue_ordered", "money"),
        ("revenue_invoiced", "money"),
        ("forecast_cost", "money"),
        ("forecast_revenue", "money"),
        ("forecast_margin", "money"),
        ("open_alerts", "int"),
        ("updated_at", "timestamp"),
        ("position", "int"),
    ],
)


class BudgetVsActualView:
    """Rows of the `budget_vs_actual` view, from each affair's budget report."""

    table: Table = TABLE
    key: str = "affair_id"
    document: type[Aggregate] = Affair
    history: bool = True

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
        baseline_count = len(affair.baselines)
        common = {
            "affair_id": str(affair.id),
            "name": affair.name,
            "salesperson": affair.salesperson,
            "status": str(affair.status),
            "currency": report.currency,
            "progress": report.progress,
            "revenue_ordered": affair.revenue.get(RevenueKind.ORDERED, zero),
            "revenue_invoiced": affair.revenue.get(RevenueKind.INVOICED, zero),
            "forecast_cost": report.forecast_cost,
            "forecast_revenue": report.forecast_revenue,
            "forecast_margin": report.forecast_margin,
            "open_alerts": len(affair.open_alerts),
            "baseline_count": baseline_count,
            "updated_at": affair.modified_on,
            "position": folded.position,
        }
        rows = []
        for line, row in enumerate(report.rows, start=1):
            text, last = frozen[row.category]
            rows.append(
                {
                    **common,
                    "line": line,
                    "category": str(row.category),
                    "budget": row.budget,
                    "baselines": text,
                    "last_baseline": last,
                    "actual": row.actual,
                    "committed": row.committed,
                    "variance": row.variance,
                    "forecast": row.forecast,
                }
            )
        return rows

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
    return (
        "(SELECT * REPLACE (CAST(CAST(baselines AS JSON) AS MAP(VARCHAR, VARCHAR)) AS baselines)"
        f" FROM {table_at('budget_vs_actual', as_of)})"
    )
