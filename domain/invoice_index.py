"""A customer's invoices (issue 14): the ids of the invoices drafted for a customer, so a
payment without explicit allocations finds what is due, oldest first, by loading them
rather than by scanning the log. Appended in the drafting command's transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.quote_lines import checked_at


def index_id(customer_id: UUID) -> UUID:
    """The id of `customer_id`'s index, derived so it is found without a lookup."""
    return uuid5(NAMESPACE_URL, f"urn:comptoir:customer-invoices:{customer_id}")


class CustomerInvoices(Aggregate):
    """The invoices drafted for one customer, in drafting order."""

    @staticmethod
    def create_id(customer_id: UUID, **_: Any) -> UUID:
        return index_id(customer_id)

    @event("Opened")
    def __init__(self, customer_id: UUID, at: datetime) -> None:
        self.customer_id = customer_id
        self.invoice_ids: list[UUID] = []

    @classmethod
    def open(cls, customer_id: UUID, at: datetime) -> CustomerInvoices:
        return cls(customer_id=customer_id, at=checked_at(at))

    def add(self, at: datetime, invoice_id: UUID) -> None:
        """List an invoice drafted for the customer (once)."""
        if invoice_id not in self.invoice_ids:
            self._add(at=checked_at(at), invoice_id=invoice_id)

    @event("InvoiceListed")
    def _add(self, at: datetime, invoice_id: UUID) -> None:
        self.invoice_ids.append(invoice_id)
