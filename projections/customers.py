"""The `customers` view: one row per customer with its status and credit limit (U1)."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate

from domain.customer import Customer
from projections.base import Folded
from projections.schema import Table

TABLE = Table(
    "customers",
    [
        ("customer_id", "text"),
        ("name", "text"),
        ("status", "text"),
        ("vat_number", "text"),
        ("credit_limit", "money"),
        ("currency", "text"),
        ("registered_at", "timestamp"),
        ("version", "int"),
        ("position", "int"),
    ],
)


class CustomersView:
    """Rows of the `customers` view, from each customer's current state."""

    table: Table = TABLE
    key: str = "customer_id"
    document: type[Aggregate] = Customer
    history: bool = False

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        customer = folded.aggregate
        assert isinstance(customer, Customer)
        return [
            {
                "customer_id": str(customer.id),
                "name": customer.name,
                "status": str(customer.status),
                "vat_number": customer.vat_number,
                "credit_limit": customer.credit_limit,
                "currency": customer.currency,
                "registered_at": customer.registered_at,
                "version": customer.version,
                "position": folded.position,
            }
        ]
