"""Queries the scheduled jobs use to find their candidates in a read model."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import duckdb


def quotes_past_validity(cursor: duckdb.DuckDBPyConnection, today: date) -> list[UUID]:
    """Sent quotes whose validity date is before `today` (Q5: the expiry job's candidates)."""
    found = cursor.execute(
        "SELECT quote_id FROM quotes WHERE status = 'sent' AND valid_until < ? ORDER BY quote_id",
        [today],
    ).fetchall()
    return [UUID(quote_id) for (quote_id,) in found]


def documents_of_type(cursor: duckdb.DuckDBPyConnection, document_type: str) -> list[UUID]:
    """Every document of a type (Contract, Asset…): the jobs' domain calls say what is due."""
    found = cursor.execute(
        "SELECT document_id FROM documents WHERE document_type = ? ORDER BY document_id",
        [document_type],
    ).fetchall()
    return [UUID(document_id) for (document_id,) in found]


def quiet_customers(
    cursor: duckdb.DuckDBPyConnection, since: datetime
) -> list[tuple[UUID, datetime | None]]:
    """Customers not yet inactive whose last quote (if any) is older than `since` (U2)."""
    found = cursor.execute(
        "SELECT c.customer_id, max(q.drafted_at) AS last_quote "
        "FROM customers c LEFT JOIN quotes q ON q.customer_id = c.customer_id "
        "WHERE c.status NOT IN ('inactive', 'abandoned') "
        "GROUP BY c.customer_id HAVING max(q.drafted_at) IS NULL OR max(q.drafted_at) < ? "
        "ORDER BY c.customer_id",
        [since.replace(tzinfo=None)],
    ).fetchall()
    return [(UUID(customer_id), last) for customer_id, last in found]
