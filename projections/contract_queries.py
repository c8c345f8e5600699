"""Queries over the `contracts` and `contract_terms` views (V7, C5), for any day and as of
any time (V9); definitions in `projections.contracts`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from projections.snapshot import table_at


def _in_force(as_of: datetime | None) -> str:
    """The contracts running on $today and billing (not suspended), with the term in force."""
    return f"""
    SELECT c.contract_id, c.currency, t.mrr
    FROM {table_at("contracts", as_of)} AS c
    JOIN {table_at("contract_terms", as_of)} AS t
      ON t.contract_id = c.contract_id
     AND t.effective_from <= $today
     AND (t.effective_to IS NULL OR $today < t.effective_to)
    WHERE c.start_date <= $today
      AND (c.last_day IS NULL OR $today <= c.last_day)
      AND c.status <> 'suspended'
"""


def with_today(as_of: datetime | None = None) -> str:
    """Every contract with its MRR, `renewal_due` and days to renewal on $today."""
    return f"""
    SELECT c.*,
        coalesce(f.mrr, 0) AS mrr,
        (c.renewal_date IS NOT NULL AND c.status <> 'terminated'
            AND $today >= c.renewal_date) AS renewal_due,
        date_diff('day', $today, c.renewal_date) AS days_to_renewal
    FROM {table_at("contracts", as_of)} AS c
    LEFT JOIN ({_in_force(as_of)}) AS f ON f.contract_id = c.contract_id
"""


ContractOrder = ("renewal_date", "next_billing_date", "start_date", "mrr", "status")


def contracts_sql(
    today: date,
    renewals_within_days: int | None,
    status: str | None,
    customer_id: str | None,
    as_of: datetime | None = None,
) -> tuple[str, dict[str, Any]]:
    """The contracts the filters select, with their columns on `today`, and parameters."""
    clauses = ["TRUE"]
    params: dict[str, Any] = {"today": today}
    if renewals_within_days is not None:
        # `renewal_due` as it will be in N days: Contract.renewal_due(today + N).
        clauses.append(
            "renewal_date IS NOT NULL AND status <> 'terminated' AND renewal_date <= $horizon"
        )
        params["horizon"] = today + timedelta(days=renewals_within_days)
    if status is not None:
        clauses.append("status = $status")
        params["status"] = status
    if customer_id is not None:
        clauses.append("customer_id = $customer_id")
        params["customer_id"] = customer_id
    return f"SELECT * FROM ({with_today(as_of)}) WHERE {' AND '.join(clauses)}", params


def query_contracts(
    cursor: Any,
    today: date,
    renewals_within_days: int | None = None,
    status: str | None = None,
    customer_id: str | None = None,
    *,
    order_by: str = "renewal_date",
    descending: bool = False,
    limit: int | None = None,
    offset: int = 0,
    as_of: datetime | None = None,
) -> list[dict[str, Any]]:
    """Contracts with their MRR, `renewal_due` and days to renewal as of `today`."""
    if order_by not in ContractOrder:
        raise ValueError(f"cannot sort contracts by {order_by!r}")
    sql, params = contracts_sql(today, renewals_within_days, status, customer_id, as_of)
    direction = "DESC" if descending else "ASC"
    sql += f" ORDER BY {order_by} {direction} NULLS LAST, contract_id"
    if limit is not None:
        sql += " LIMIT $limit OFFSET $offset"
        params.update(limit=limit, offset=offset)
    cursor.execute(sql, params)
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def count_contracts(
    cursor: Any,
    today: date,
    renewals_within_days: int | None = None,
    status: str | None = None,
    customer_id: str | None = None,
    as_of: datetime | None = None,
) -> int:
    """How many rows `query_contracts` gives without a limit."""
    sql, params = contracts_sql(today, renewals_within_days, status, customer_id, as_of)
    row = cursor.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()
    return 0 if row is None else int(row[0])


def recurring_revenue(
    cursor: Any, today: date, as_of: datetime | None = None
) -> dict[str, dict[str, Any]]:
    """Per currency: MRR and ARR (12 × MRR) of the contracts in force on `today`."""
    found = cursor.execute(
        f"SELECT currency, count(*), sum(mrr) FROM ({_in_force(as_of)}) GROUP BY currency",
        {"today": today},
    ).fetchall()
    return {
        currency: {"contracts": int(count), "mrr": Decimal(mrr), "arr": Decimal(mrr) * 12}
        for currency, count, mrr in found
    }
