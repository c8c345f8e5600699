"""The `warranty` and `service_cases` views (V6, S2–S5).

`warranty` stores one row per asset and warranty kind with its dates only: the status
(active / expiring_soon / expired / not_started) and the days remaining depend on the
day asked about, so `query_warranty` computes them at query time, in SQL, with exactly
the rules of `domain.warranty.warranty_status` and `days_remaining`. Columns `start` and
`end` are named `start_date` and `end_date` (END is an SQL keyword).

Both views keep their history (`warranty_history`, `service_cases_history`): every query
can read the rows as they stood at `as_of` (V9).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from eventsourcing.domain import Aggregate

from domain.asset import Asset
from projections.base import Folded
from projections.schema import Table
from projections.snapshot import table_at

WARRANTY = Table(
    "warranty",
    [
        ("asset_id", "text"),
        ("customer_id", "text"),
        ("product_ref", "text"),
        ("description", "text"),
        ("serial_number", "text"),
        ("site", "text"),
        ("kind", "text"),
        ("start_date", "date"),
        ("end_date", "date"),
        ("open_service_cases", "int"),
        ("contract_id", "text"),
        ("updated_at", "timestamp"),
        ("position", "int"),
    ],
)

SERVICE_CASES = Table(
    "service_cases",
    [
        ("asset_id", "text"),
        ("case_id", "text"),
        ("customer_id", "text"),
        ("product_ref", "text"),
        ("serial_number", "text"),
        ("site", "text"),
        ("status", "text"),
        ("problem", "text"),
        ("diagnosis", "text"),
        ("under_warranty", "bool"),
        ("warranty_kind", "text"),
        ("opened_at", "timestamp"),
        ("returned_at", "timestamp"),
        ("checklist_done", "int"),
        ("checklist_total", "int"),
        ("contract_id", "text"),
        ("position", "int"),
    ],
)

STATUSES = ("active", "expiring_soon", "expired", "not_started")


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


class WarrantyView:
    """One row per asset and warranty kind, with its dates and open service cases."""

    table: Table = WARRANTY
    key: str = "asset_id"
    document: type[Aggregate] = Asset
    history: bool = True

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        asset = folded.aggregate
        assert isinstance(asset, Asset)
        open_cases = len(asset.open_service_cases())
        return [
            {
                "asset_id": str(asset.id),
                "customer_id": str(asset.customer_id),
                "product_ref": asset.product_ref,
                "description": asset.description,
                "serial_number": asset.serial_number,
                "site": asset.site,
                "kind": str(warranty.kind),
                "start_date": warranty.start,
                "end_date": warranty.end,
                "open_service_cases": open_cases,
                "contract_id": _text(asset.contract_id),
                "updated_at": asset.modified_on,
                "position": folded.position,
            }
            for warranty in asset.warranties.values()
        ]


class ServiceCasesView:
    """One row per service case, with its checklist's progress."""

    table: Table = SERVICE_CASES
    key: str = "asset_id"
    document: type[Aggregate] = Asset
    history: bool = True

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        asset = folded.aggregate
        assert isinstance(asset, Asset)
        return [
            {
                "asset_id": str(asset.id),
                "case_id": str(case.case_id),
                "customer_id": str(asset.customer_id),
                "product_ref": asset.product_ref,
                "serial_number": asset.serial_number,
                "site": asset.site,
                "status": str(case.status),
                "problem": case.problem,
                "diagnosis": case.diagnosis,
                "under_warranty": case.under_warranty,
                "warranty_kind": _text(case.warranty_kind),
                "opened_at": case.opened_at,
                "returned_at": case.returned_at,
                "checklist_done": sum(1 for p in case.checklist if p.checked),
                "checklist_total": len(case.checklist),
                "contract_id": _text(asset.contract_id),
                "position": folded.position,
            }
            for case in asset.service_cases.values()
        ]


# domain.warranty.warranty_status and days_remaining, in SQL; $today and $soon are bound.
_STATUS_SQL = """
    CASE
        WHEN $today < start_date THEN 'not_started'
        WHEN $today > end_date THEN 'expired'
        WHEN date_diff('day', $today, end_date) < $soon THEN 'expiring_soon'
        ELSE 'active'
    END
"""


def with_status(as_of: datetime | None = None) -> str:
    """Every warranty with its status and days remaining on $today (as they stood at `as_of`)."""
    return f"""
    SELECT *,
        {_STATUS_SQL} AS status,
        greatest(date_diff('day', $today, end_date), 0) AS days_remaining
    FROM {table_at("warranty", as_of)}
"""


def warranty_sql(
    today: date,
    status: str | None,
    expiring_within_days: int | None,
    customer_id: str | None,
    soon_days: int,
    as_of: datetime | None = None,
) -> tuple[str, dict[str, Any]]:
    """The warranties the filters select, with their columns on `today`, and parameters."""
    clauses = ["TRUE"]
    params: dict[str, Any] = {"today": today, "soon": soon_days}
    if status is not None:
        clauses.append("status = $status")
        params["status"] = status
    if expiring_within_days is not None:
        # In force on `today` and ending within the next N days (N included).
        clauses.append("status IN ('active', 'expiring_soon') AND days_remaining <= $within")
        params["within"] = expiring_within_days
    if customer_id is not None:
        clauses.append("customer_id = $customer_id")
        params["customer_id"] = customer_id
    sql = f"SELECT * FROM ({with_status(as_of)}) WHERE {' AND '.join(clauses)}"
    return sql, params


def query_warranty(
    cursor: Any,
    today: date,
    status: str | None = None,
    expiring_within_days: int | None = None,
    customer_id: str | None = None,
    soon_days: int = 30,
    *,
    limit: int | None = None,
    offset: int = 0,
    as_of: datetime | None = None,
) -> list[dict[str, Any]]:
    """Warranties with their status and days remaining as of `today`, soonest end first."""
    sql, params = warranty_sql(today, status, expiring_within_days, customer_id, soon_days, as_of)
    sql += " ORDER BY end_date, asset_id, kind"
    if limit is not None:
        sql += " LIMIT $limit OFFSET $offset"
        params.update(limit=limit, offset=offset)
    cursor.execute(sql, params)
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def count_warranty(
    cursor: Any,
    today: date,
    status: str | None = None,
    expiring_within_days: int | None = None,
    customer_id: str | None = None,
    soon_days: int = 30,
    as_of: datetime | None = None,
) -> int:
    """How many rows `query_warranty` gives without a limit."""
    sql, params = warranty_sql(today, status, expiring_within_days, customer_id, soon_days, as_of)
    row = cursor.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()
    return 0 if row is None else int(row[0])
