"""Margins per product and product family (P4, Q8; PEMBA: margin per product type), over
the lines of quotes (their current revision) and orders (as amended).

One row per document line: its product (`product_ref`), net (after its own discount and
the document's discounts, rounded per line to the currency's minor unit), cost and
margin. A line's cost is its own unit cost × quantity (an order converted from a quote
keeps the quote line's cost; a line from the catalogue has the product's cost on the
document's day); a line without one, naming a product, takes the product's dated cost on
the document's day at query time (`product_costs`, in the line's currency and one of the
product's units). The family is the product's (as the products stood at `as_of`).

`margin_lines(as_of)` gives every line with its cost and family; the HTTP view groups
them by product or family. Each table keeps its history, so margins read as of any time.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate

from domain.errors import DomainError
from domain.order import Order, OrderLine
from domain.product import Product
from domain.quote import Quote, QuoteLine
from domain.units import unit_code
from domain.values import (
    MINOR_UNITS,
    ONE,
    DiscountMode,
    document_discount_rate,
    line_net,
    round_money,
)
from projections.base import DocumentView, Folded
from projections.schema import Table
from projections.snapshot import table_at

LINE_COLUMNS = [
    ("document", "text"),
    ("document_id", "text"),
    ("line_id", "text"),
    ("customer_id", "text"),
    ("status", "text"),
    ("currency", "text"),
    ("day", "date"),
    ("product_ref", "text"),
    ("product_key", "text"),
    ("product_id", "text"),
    ("unit", "text"),
    ("quantity", "number"),
    ("net", "money"),
    ("cost", "money"),
    ("position", "int"),
]
QUOTE_LINES = Table("margin_quote_lines", LINE_COLUMNS, indexes=("product_key",))
ORDER_LINES = Table("margin_order_lines", LINE_COLUMNS, indexes=("product_key",))
PRODUCT_COSTS = Table(
    "product_costs",
    [
        ("product_id", "text"),
        ("reference_key", "text"),
        ("unit", "text"),
        ("factor", "number"),
        ("currency", "text"),
        ("amount", "money"),
        ("effective_from", "date"),
        ("effective_to", "date"),
        ("position", "int"),
    ],
    indexes=("reference_key",),
)


def _unit(text: str) -> str | None:
    """The line's unit as a Rec 20 code; None for a word no code stands for."""
    try:
        return unit_code(text)
    except DomainError:
        return None


def line_rows(
    document: str,
    aggregate: Quote | Order,
    lines: list[QuoteLine] | list[OrderLine],
    *,
    status: str,
    day: date,
    discounts: list[Decimal],
    mode: DiscountMode,
    position: int,
) -> list[dict[str, Any]]:
    """One row per line: net after the line's and the document's discounts, and cost."""
    currency = aggregate.currency
    kept = ONE - document_discount_rate(discounts, mode)
    rows = []
    for line in lines:
        source = line.source if isinstance(line, QuoteLine) else line.catalogue
        cost = line.unit_cost
        rows.append(
            {
                "document": document,
                "document_id": str(aggregate.id),
                "line_id": line.line_id,
                "customer_id": None
                if aggregate.customer_id is None
                else str(aggregate.customer_id),
                "status": status,
                "currency": currency,
                "day": day,
                "product_ref": line.product_ref,
                "product_key": None if line.product_ref is None else line.product_ref.casefold(),
                "product_id": None if source is None else str(source.product_id),
                "unit": _unit(line.unit),
                "quantity": line.quantity,
                "net": round_money(line_net(line.priced(), currency) * kept, currency),
                "cost": None if cost is None else round_money(line.quantity * cost, currency),
                "position": position,
            }
        )
    return rows


class QuoteMarginsView:
    """Rows of `margin_quote_lines`: the lines of each quote's current revision."""

    table: Table = QUOTE_LINES
    key: str = "document_id"
    document: type[Aggregate] = Quote
    history: bool = True

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        quote = folded.aggregate
        assert isinstance(quote, Quote)
        return line_rows(
            "quote",
            quote,
            list(quote.lines.values()),
            status=str(quote.status),
            day=quote.drafted_at.date(),
            discounts=list(quote.discounts),
            mode=quote.discount_mode,
            position=folded.position,
        )


class OrderMarginsView:
    """Rows of `margin_order_lines`: the lines of each order as amended."""

    table: Table = ORDER_LINES
    key: str = "document_id"
    document: type[Aggregate] = Order
    history: bool = True

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        order = folded.aggregate
        assert isinstance(order, Order)
        return line_rows(
            "order",
            order,
            list(order.lines.values()),
            status=str(order.status),
            day=order.created_at.date(),
            discounts=list(order.discounts),
            mode=order.discount_mode,
            position=folded.position,
        )


class ProductCostsView:
    """Rows of `product_costs`: each dated cost of a product, per unit it is sold in."""

    table: Table = PRODUCT_COSTS
    key: str = "product_id"
    document: type[Aggregate] = Product
    history: bool = True

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        product = folded.aggregate
        assert isinstance(product, Product)
        costs = sorted(product.costs, key=lambda c: c.effective)
        ends = [c.effective for c in costs[1:]] + [None] if costs else []
        units = [(product.unit, ONE)] + [(u.code, u.factor) for u in product.sale_units]
        return [
            {
                "product_id": str(product.id),
                "reference_key": product.reference.casefold(),
                "unit": unit,
                "factor": factor,
                "currency": cost.currency,
                "amount": cost.amount,
                "effective_from": cost.effective,
                "effective_to": end,
                "position": folded.position,
            }
            for cost, end in zip(costs, ends, strict=True)
            for unit, factor in units
        ]


def margin_views() -> list[DocumentView]:
    """The document views behind the margins, each with its history (V9)."""
    return [QuoteMarginsView(), OrderMarginsView(), ProductCostsView()]


def _rounded(amount: str) -> str:
    """SQL: `amount` rounded (half away from zero: costs are never below 0) to the line's
    currency's minor unit; DuckDB's `round` takes a constant number of places only."""
    places: dict[int, list[str]] = {}
    for currency, minor in sorted(MINOR_UNITS.items()):
        places.setdefault(minor, []).append(f"'{currency}'")
    cases = " ".join(
        f"WHEN l.currency IN ({', '.join(codes)}) THEN round({amount}, {minor})"
        for minor, codes in sorted(places.items())
    )
    return f"CASE {cases} END"


def margin_lines(as_of: datetime | None = None) -> str:
    """Every quote and order line (as they stood at `as_of`) with `family` and `line_cost`
    (its own cost, else its product's on the document's day), as a table expression."""
    quotes, orders = table_at("margin_quote_lines", as_of), table_at("margin_order_lines", as_of)
    products, costs = table_at("products", as_of), table_at("product_costs", as_of)
    dated = _rounded("l.quantity * c.factor * c.amount")
    return f"""(
        SELECT l.*, p.family AS family, coalesce(l.cost, {dated}) AS line_cost
        FROM (SELECT * FROM {quotes} UNION ALL BY NAME SELECT * FROM {orders}) AS l
        LEFT JOIN {products} AS p ON p.reference_key = l.product_key
        LEFT JOIN {costs} AS c ON l.cost IS NULL AND c.reference_key = l.product_key
            AND c.unit = l.unit AND c.currency = l.currency AND c.effective_from <= l.day
            AND (c.effective_to IS NULL OR c.effective_to > l.day)
    )"""
