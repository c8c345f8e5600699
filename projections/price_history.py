"""The `price_history` view (P2): every price a product or family had in each list, one
row per rule break and amendment, with the days it was in force.

A rule set by an amendment is in force from that amendment's effective day until the
next amendment of the list that sets or removes the same key (`effective_to`, excluded;
NULL while current). "As of a day" is a query on those days, and on the list's own
validity (`list_valid_from`/`list_valid_to`, both included)."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate

from domain.price_list import PriceList
from projections.base import Folded
from projections.schema import Table
from projections.snapshot import literal

TABLE = Table(
    "price_history",
    [
        ("price_list_id", "text"),
        ("price_list_code", "text"),
        ("currency", "text"),
        ("is_default", "bool"),
        ("list_valid_from", "date"),
        ("list_valid_to", "date"),
        ("rule_key", "text"),
        ("product", "text"),
        ("family", "text"),
        ("kind", "text"),
        ("min_quantity", "number"),
        ("value", "number"),
        ("effective_from", "date"),
        ("effective_to", "date"),
        ("reason", "text"),
        ("amendment", "int"),
        ("position", "int"),
    ],
    indexes=("rule_key",),
)


class PriceHistoryView:
    """Rows of `price_history`, from each price list's amendments."""

    table: Table = TABLE
    key: str = "price_list_id"
    document: type[Aggregate] = PriceList
    history: bool = False

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        price_list = folded.aggregate
        assert isinstance(price_list, PriceList)
        amendments = price_list.amendments
        rows = []
        for index, amendment in enumerate(amendments):
            for rule in amendment.rules:
                ends = (
                    later.effective
                    for later in amendments[index + 1 :]
                    if rule.key in later.removed or any(r.key == rule.key for r in later.rules)
                )
                until = next(ends, None)
                if until == amendment.effective:
                    continue  # replaced the same day: never in force
                for price_break in rule.breaks:
                    rows.append(
                        {
                            "price_list_id": str(price_list.id),
                            "price_list_code": price_list.code,
                            "currency": price_list.currency,
                            "is_default": price_list.is_default,
                            "list_valid_from": price_list.valid_from,
                            "list_valid_to": price_list.valid_to,
                            "rule_key": rule.key,
                            "product": rule.product,
                            "family": rule.family,
                            "kind": str(rule.kind),
                            "min_quantity": price_break.min_quantity,
                            "value": price_break.value,
                            "effective_from": amendment.effective,
                            "effective_to": until,
                            "reason": amendment.reason,
                            "amendment": index + 1,
                            "position": folded.position,
                        }
                    )
        return rows


def history_on(day: date | None) -> str:
    """`price_history`, or the rows in force on `day` (in lists valid then)."""
    if day is None:
        return "price_history"
    d = literal(day)
    return (
        "(SELECT * FROM price_history WHERE effective_from <= "
        f"{d} AND (effective_to IS NULL OR effective_to > {d}) AND list_valid_from <= {d} "
        f"AND (list_valid_to IS NULL OR list_valid_to >= {d}))"
    )
