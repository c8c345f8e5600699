"""The `products` view (P1): one row per product with its family, status, unit, VAT and
latest cost. Prices per list come from `price_history` at query time (`products_on`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate

from domain.product import Product
from projections.base import Folded
from projections.schema import Table
from projections.snapshot import literal

TABLE = Table(
    "products",
    [
        ("product_id", "text"),
        ("reference", "text"),
        ("reference_key", "text"),
        ("name", "text"),
        ("kind", "text"),
        ("family", "text"),
        ("family_key", "text"),
        ("unit", "text"),
        ("vat_category", "text"),
        ("vat_rate", "number"),
        ("status", "text"),
        ("cost", "money"),
        ("cost_currency", "text"),
        ("cost_from", "date"),
        ("version", "int"),
        ("position", "int"),
    ],
    indexes=("reference_key",),
)


class ProductsView:
    """Rows of the `products` view, from each product's current state."""

    table: Table = TABLE
    key: str = "product_id"
    document: type[Aggregate] = Product
    history: bool = True

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        product = folded.aggregate
        assert isinstance(product, Product)
        latest = max(product.costs, key=lambda c: c.effective, default=None)
        return [
            {
                "product_id": str(product.id),
                "reference": product.reference,
                "reference_key": product.reference.casefold(),
                "name": product.name,
                "kind": str(product.kind),
                "family": product.family,
                "family_key": None if product.family is None else product.family.casefold(),
                "unit": product.unit,
                "vat_category": str(product.vat_category),
                "vat_rate": product.vat_rate,
                "status": str(product.status),
                "cost": None if latest is None else latest.amount,
                "cost_currency": None if latest is None else latest.currency,
                "cost_from": None if latest is None else latest.effective,
                "version": product.version,
                "position": folded.position,
            }
        ]


def in_force(alias: str, day: date) -> str:
    """SQL: the `price_history` row `alias` is in force on `day` in a list valid then."""
    d = literal(day)
    return (
        f"{alias}.effective_from <= {d} AND ({alias}.effective_to IS NULL "
        f"OR {alias}.effective_to > {d}) AND {alias}.list_valid_from <= {d} "
        f"AND ({alias}.list_valid_to IS NULL OR {alias}.list_valid_to >= {d})"
    )


def products_on(source: str, day: date) -> str:
    """The products of `source` with `prices`: per list in force on `day`, the rule that
    prices each (its own, else its family's) with its breaks."""
    own = "h.rule_key = 'product:' || p.reference_key"
    family = (
        "h.rule_key = 'family:' || p.family_key AND NOT EXISTS (SELECT 1 FROM price_history o "
        "WHERE o.price_list_id = h.price_list_id AND o.rule_key = 'product:' || p.reference_key "
        f"AND {in_force('o', day)})"
    )
    prices = (
        "(SELECT list({'price_list': h.price_list_code, 'currency': h.currency, "
        "'rule': h.rule_key, 'kind': h.kind, 'min_quantity': h.min_quantity, "
        "'value': h.value} ORDER BY h.price_list_code, h.min_quantity) "
        f"FROM price_history h WHERE ({own} OR ({family})) AND {in_force('h', day)})"
    )
    return f"(SELECT p.* EXCLUDE (reference_key, family_key), {prices} AS prices FROM {source} p)"
