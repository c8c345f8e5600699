"""The `receivables` view (I5): the aged balance per customer and currency on a day.

Computed at query time from the `invoices` view (or its history, for the balance as the
data stood at `as_of`): every issued invoice with something still due that was issued
on or before the day counts its amount due (credit notes and payments deducted) in one
bucket by how many days past its due date it is on that day: not due yet (the due date
itself included), 1–30, 31–60, 61–90, over 90 days. Payments and credit notes count as
recorded: to see the balance before a later one, ask `as_of` a time before it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from projections.invoices import OPEN
from projections.snapshot import table_at

BUCKETS: list[tuple[str, str]] = [
    ("not_due", "age <= 0"),
    ("days_1_30", "age BETWEEN 1 AND 30"),
    ("days_31_60", "age BETWEEN 31 AND 60"),
    ("days_61_90", "age BETWEEN 61 AND 90"),
    ("over_90", "age > 90"),
]
"""The aged balance's columns, each with the days past due it holds."""

AMOUNTS = [name for name, _ in BUCKETS] + ["total"]


def _aged(
    day: date, as_of: datetime | None, customer_id: str | None, currency: str | None
) -> tuple[str, list[Any]]:
    """Each open invoice of the day with its age in days past due: SQL and parameters."""
    table = table_at("invoices", as_of)
    where: list[tuple[str, Any]] = [("issue_date <= ?", day)]
    if customer_id is not None:
        where.append(("customer_id = ?", customer_id))
    if currency is not None:
        where.append(("currency = ?", currency))
    clauses = " AND ".join([OPEN, *(sql for sql, _ in where)])
    sql = (
        "SELECT customer_id, currency, amount_due, date_diff('day', due_date, ?) AS age "
        f"FROM {table} WHERE {clauses}"
    )
    return sql, [day, *(value for _, value in where)]


def _sums() -> str:
    columns = [
        f"sum(CASE WHEN {rule} THEN amount_due ELSE 0 END) AS {name}" for name, rule in BUCKETS
    ]
    return ", ".join([*columns, "sum(amount_due) AS total", "count(*) AS invoices"])


def aged_balance(
    cursor: Any,
    day: date,
    *,
    as_of: datetime | None = None,
    customer_id: str | None = None,
    currency: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """One row per customer and currency owing something on `day`, with its buckets,
    total, number of invoices and the customer's name (as it is now). `cursor` is a
    DuckDB cursor or a `projections.snapshot.Snapshot`."""
    aged, params = _aged(day, as_of, customer_id, currency)
    sql = (
        f"SELECT a.customer_id, c.name AS customer_name, a.currency, {_sums()} "
        f"FROM ({aged}) AS a LEFT JOIN customers AS c ON c.customer_id = a.customer_id "
        "GROUP BY a.customer_id, c.name, a.currency ORDER BY a.customer_id, a.currency"
    )
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [limit, offset]
    return _dicts(cursor.execute(sql, params))


def count_balances(
    cursor: Any,
    day: date,
    *,
    as_of: datetime | None = None,
    customer_id: str | None = None,
    currency: str | None = None,
) -> int:
    """How many (customer, currency) rows `aged_balance` gives without a limit."""
    aged, params = _aged(day, as_of, customer_id, currency)
    row = cursor.execute(
        f"SELECT count(*) FROM (SELECT DISTINCT customer_id, currency FROM ({aged}))", params
    ).fetchone()
    return 0 if row is None else int(row[0])


def totals_per_currency(
    cursor: Any,
    day: date,
    *,
    as_of: datetime | None = None,
    customer_id: str | None = None,
    currency: str | None = None,
) -> list[dict[str, Any]]:
    """The same buckets summed over every customer, one row per currency."""
    aged, params = _aged(day, as_of, customer_id, currency)
    sql = f"SELECT currency, {_sums()} FROM ({aged}) GROUP BY currency ORDER BY currency"
    return _dicts(cursor.execute(sql, params))


def _dicts(cursor: Any) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
