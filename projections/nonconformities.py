"""The `nonconformities` view (O7): goods returned on orders, with their non-conformity record.

An order records a return (`Order.record_return`) with the quantities sent back per line
and one non-conformity record: what was wrong (`description`), why (`cause`) and what is
done about it (`action`). The view has one row per return and line returned, so it can be
read by customer, product or day: the line's product reference and description, the
quantity returned in the line's unit, the affair the line belongs to, and the return's
record repeated on each of its lines.

It keeps its history (`nonconformities_history`): it reads as it stood at a time (V9).
"""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate

from domain.order import Order
from projections.base import Folded
from projections.schema import Table

TABLE = Table(
    "nonconformities",
    [
        ("order_id", "text"),
        ("return_id", "text"),
        ("line_id", "text"),
        ("customer_id", "text"),
        ("affair_id", "text"),
        ("product_ref", "text"),
        ("product_description", "text"),
        ("unit", "text"),
        ("quantity", "number"),
        ("returned_at", "timestamp"),
        ("description", "text"),
        ("cause", "text"),
        ("action", "text"),
        ("position", "int"),
    ],
)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


class NonConformitiesView:
    """One row per line of each return of an order."""

    table: Table = TABLE
    key: str = "order_id"
    document: type[Aggregate] = Order
    history: bool = True

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        order = folded.aggregate
        assert isinstance(order, Order)
        rows = []
        for goods_return in order.returns:
            record = goods_return.non_conformity
            for line_id, quantity in sorted(goods_return.quantities.items()):
                # a line amended away later keeps its return, without its product
                line = order.lines.get(line_id)
                rows.append(
                    {
                        "order_id": str(order.id),
                        "return_id": goods_return.return_id,
                        "line_id": line_id,
                        "customer_id": str(order.customer_id),
                        "affair_id": _text(order.affair_of(line_id)),
                        "product_ref": None if line is None else line.product_ref,
                        "product_description": None if line is None else line.description,
                        "unit": None if line is None else line.unit,
                        "quantity": quantity,
                        "returned_at": goods_return.at,
                        "description": record.description,
                        "cause": record.cause,
                        "action": record.action,
                        "position": folded.position,
                    }
                )
        return rows
