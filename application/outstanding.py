"""What a customer owes in a currency, for the credit check at confirmation (O2, I5).

Two parts, both read from the event store in the confirming command (a read model may
lag, and the credit check must see the order confirmed a moment ago):

- invoice documents: the amount due of each issued invoice of the customer in the
  currency, found through its `CustomerInvoices` index (appended when an invoice is
  drafted). Credit notes and payments are already deducted on each invoice; a credit
  note itself asks nothing.
- orders, as before invoices became documents: each confirmed (not cancelled) order in
  the currency counts its total incl. tax less the payments recorded on it, and less
  what invoice documents issued from it (source `order` or `deposit`) bill net of their
  credit notes, since those are counted in the first part. The customer's orders are
  found by `OrdersByCustomer`, a fold of the log's `Order.Created` events kept in
  memory: each call reads only the creations recorded since the last one, never the
  whole log again.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from application.commands import CommandRunner
from domain.errors import NotFound
from domain.invoice import DocumentKind, Invoice, InvoiceStatus
from domain.invoice_index import CustomerInvoices, index_id
from domain.order import Order, OrderStatus
from domain.values import ZERO

CREATED_TOPIC = get_topic(Order.Created)
PAGE = 500
NOT_OWED = frozenset({OrderStatus.DRAFT, OrderStatus.CANCELLED})
ORDER_SOURCES = frozenset({"order", "deposit"})


class OrdersByCustomer:
    """The ids of each customer's orders, from the log's `Order.Created` events, read
    incrementally: the log only grows and notification ids commit in order."""

    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner
        self._orders: dict[UUID, list[UUID]] = defaultdict(list)
        self._after = 0  # the last notification id read
        self._lock = threading.Lock()

    def __call__(self, customer_id: UUID) -> list[UUID]:
        """The customer's order ids, in creation order."""
        with self._lock:
            self._catch_up()
            return list(self._orders.get(customer_id, ()))

    def _catch_up(self) -> None:
        app = self.runner.app
        while True:
            page = app.recorder.select_notifications(
                self._after, PAGE, topics=[CREATED_TOPIC], inclusive_of_start=False
            )
            for notification in page:
                created: Any = app.mapper.to_domain_event(notification)
                self._orders[created.customer_id].append(created.originator_id)
                self._after = notification.id
            if len(page) < PAGE:
                return


def invoices_of(runner: CommandRunner, customer_id: UUID) -> list[Invoice]:
    """The customer's invoice documents (drafts and credit notes included)."""
    try:
        index = runner.load(CustomerInvoices, index_id(customer_id))
    except NotFound:
        return []
    return [runner.load(Invoice, invoice_id) for invoice_id in index.invoice_ids]


def due_on_invoices(invoices: Iterable[Invoice], currency: str) -> Decimal:
    """What the issued invoices in `currency` still ask (credits and payments deducted)."""
    return sum(
        (
            i.amount_due
            for i in invoices
            if i.kind == DocumentKind.INVOICE
            and i.status == InvoiceStatus.ISSUED
            and i.currency == currency
        ),
        ZERO,
    )


def billed_per_order(invoices: Iterable[Invoice]) -> dict[UUID, Decimal]:
    """What issued invoice documents bill of each order, net of their credit notes."""
    billed: dict[UUID, Decimal] = defaultdict(lambda: ZERO)
    for invoice in invoices:
        source = getattr(invoice, "source", None)
        if source is None or str(getattr(source, "kind", "")) not in ORDER_SOURCES:
            continue
        if invoice.kind != DocumentKind.INVOICE or invoice.status != InvoiceStatus.ISSUED:
            continue
        billed[source.document_id] += invoice.totals().gross - invoice.credited_amounts.gross
    return billed


def owed_on_order(order: Order, billed: Decimal) -> Decimal:
    """A confirmed order's total incl. tax less its own payments and what invoice
    documents bill of it; nothing for a draft or a cancelled order."""
    if order.status in NOT_OWED:
        return ZERO
    paid = sum((p.amount for p in order.payments), ZERO)
    return max(ZERO, order.totals().gross - paid - billed)


class Outstanding:
    """The credit check's outstanding amount of a customer in a currency (`OutstandingOf`)."""

    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner
        self.orders_of = OrdersByCustomer(runner)

    def __call__(self, customer_id: UUID, currency: str) -> Decimal:
        invoices = invoices_of(self.runner, customer_id)
        billed = billed_per_order(invoices)
        total = due_on_invoices(invoices, currency)
        for order_id in self.orders_of(customer_id):
            order = self.runner.load(Order, order_id)
            if order.currency == currency:
                total += owed_on_order(order, billed.get(order.id, ZERO))
        return total
