"""The `quotes` view: one row per quote with its status and totals (Q1–Q5)."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate

from domain.quote import Quote
from projections.base import Folded
from projections.schema import Table

TABLE = Table(
    "quotes",
    [
        ("quote_id", "text"),
        ("status", "text"),
        ("customer_id", "text"),
        ("prospect", "text"),
        ("title", "text"),
        ("salesperson", "text"),
        ("currency", "text"),
        ("valid_until", "date"),
        ("revision", "int"),
        ("line_count", "int"),
        ("total_net", "money"),
        ("total_vat", "money"),
        ("total_gross", "money"),
        ("drafted_at", "timestamp"),
        ("updated_at", "timestamp"),
        ("version", "int"),
        ("position", "int"),
    ],
)


class QuotesView:
    """Rows of the `quotes` view, computed from each quote's current state."""

    table: Table = TABLE
    key: str = "quote_id"
    document: type[Aggregate] = Quote
    history: bool = True

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        quote = folded.aggregate
        assert isinstance(quote, Quote)
        totals = quote.totals()
        return [
            {
                "quote_id": str(quote.id),
                "status": str(quote.status),
                "customer_id": None if quote.customer_id is None else str(quote.customer_id),
                "prospect": quote.prospect,
                "title": quote.title,
                "salesperson": quote.salesperson,
                "currency": quote.currency,
                "valid_until": quote.valid_until,
                "revision": quote.revision,
                "line_count": len(quote.lines),
                "total_net": totals.net,
                "total_vat": totals.vat,
                "total_gross": totals.gross,
                "drafted_at": quote.drafted_at,
                "updated_at": quote.modified_on,
                "version": quote.version,
                "position": folded.position,
            }
        ]
