"""The `quotes` view: one row per quote with its status and totals (Q1–Q5)."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from eventsourcing.domain import Aggregate

from domain.quote import Quote
from domain.values import Totals
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


# Totals remembered by content, at most this many (a rebuild of 100,000 events computes
# 37,000 totals for 6,900 contents).
_TOTALS_KEPT = 5_000
_totals: dict[Hashable, Totals] = {}


def quote_totals(quote: Quote) -> Totals:
    """`quote.totals()`, computed once for the same currency, lines and discounts: most of a
    quote's events (sent, accepted, …) leave those as they were, and two views read them.
    Equal keys may write a number differently (1.0 and 1.00): the views read only the
    rounded amounts, which are then the same."""
    key = (quote.currency, quote.discount_mode, tuple(quote.discounts), *quote.lines.values())
    found = _totals.get(key)
    if found is None:
        found = quote.totals()
        if len(_totals) >= _TOTALS_KEPT:
            _totals.clear()
        _totals[key] = found
    return found


class QuotesView:
    """Rows of the `quotes` view, computed from each quote's current state."""

    table: Table = TABLE
    key: str = "quote_id"
    document: type[Aggregate] = Quote
    history: bool = True

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        quote = folded.aggregate
        assert isinstance(quote, Quote)
        totals = quote_totals(quote)
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
