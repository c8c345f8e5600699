"""The `orders` and `order_lines` views (V8): delivery, invoicing and payment status.

Every number comes from the Order's own queries (`amounts()`, `backorder()`,
`net_delivered()`, `net_invoiced()`, `to_pay()`, `payment_status()` …), so the view says
exactly what the domain says. Amounts delivered are the net-delivered quantities priced
by the domain's money rules (`part_of_line` + `amounts_of`, document discounts included).
`invoiced_*` counts invoices of goods; deposit invoices are `deposit_gross` apart, since
an invoice deducts them. `to_pay` is what the invoices ask for after credit notes and
deducted deposits; `outstanding` is `to_pay − paid`.
`orders` keeps its history (`orders_history`) so the view can be read as of a past time.

An order's invoices issued as documents (issue 14) are paid on the documents, not on
the order: `order_invoices` keeps, per invoice document billing an order, what was paid
on it, and `orders_source` is the `orders` rows with those payments added to `paid`,
`outstanding`, `payment_status` and `payment_count` (now or as of a past time).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate

from domain.invoice import DocumentKind, Invoice, InvoiceStatus
from domain.invoice_source import SourceKind
from domain.invoicing import Amounts, InvoiceKind, amounts_of, part_of_line
from domain.order import Order
from domain.values import ZERO, line_net
from projections.base import Folded
from projections.schema import Table
from projections.snapshot import table_at

ORDERS = Table(
    "orders",
    [
        ("order_id", "text"),
        ("customer_id", "text"),
        ("quote_id", "text"),
        ("affair_id", "text"),
        ("status", "text"),
        ("currency", "text"),
        ("invoice_policy", "text"),
        ("line_count", "int"),
        ("ordered_net", "money"),
        ("ordered_vat", "money"),
        ("ordered_gross", "money"),
        ("delivered_net", "money"),
        ("delivered_gross", "money"),
        ("invoiced_net", "money"),
        ("invoiced_gross", "money"),
        ("deposit_gross", "money"),
        ("credited_net", "money"),
        ("credited_gross", "money"),
        ("to_pay", "money"),
        ("paid", "money"),
        ("outstanding", "money"),
        ("qty_ordered", "number"),
        ("qty_delivered", "number"),
        ("qty_returned", "number"),
        ("qty_backordered", "number"),
        ("qty_invoiced", "number"),
        ("delivery_status", "text"),
        ("invoicing_status", "text"),
        ("payment_status", "text"),
        ("invoice_count", "int"),
        ("credit_note_count", "int"),
        ("payment_count", "int"),
        ("amendments", "int"),
        ("created_at", "timestamp"),
        ("confirmed_at", "timestamp"),
        ("updated_at", "timestamp"),
        ("version", "int"),
        ("position", "int"),
    ],
)

ORDER_LINES = Table(
    "order_lines",
    [
        ("order_id", "text"),
        ("line_id", "text"),
        ("customer_id", "text"),
        ("affair_id", "text"),
        ("currency", "text"),
        ("product_ref", "text"),
        ("description", "text"),
        ("unit", "text"),
        ("unit_price", "money"),
        ("vat_rate", "number"),
        ("ordered", "number"),
        ("delivered", "number"),
        ("returned", "number"),
        ("qty_net_delivered", "number"),
        ("invoiced", "number"),
        ("credited", "number"),
        ("qty_net_invoiced", "number"),
        ("backorder", "number"),
        ("net_amount", "money"),
        ("position", "int"),
    ],
)


def progress(done: list[Decimal], wanted: list[Decimal]) -> str:
    """`full` when every line is done, `none` when no line has begun, else `partial`."""
    if all(d >= w for d, w in zip(done, wanted, strict=True)):
        return "full"
    if all(d <= 0 for d in done):
        return "none"
    return "partial"


def delivered_amounts(order: Order) -> Amounts:
    """The net-delivered quantities priced like an invoice of them would be."""
    lines = [
        part_of_line(line.priced(), order.net_delivered(i), order.currency)
        for i, line in order.lines.items()
        if order.net_delivered(i) > 0
    ]
    return amounts_of(lines, order.currency, order.discounts, order.discount_mode)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


class OrdersView:
    """One row per order with its amounts, quantities and statuses."""

    table: Table = ORDERS
    key: str = "order_id"
    document: type[Aggregate] = Order
    history: bool = True

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        order = folded.aggregate
        assert isinstance(order, Order)
        ids = list(order.lines)
        wanted = [order.lines[i].quantity for i in ids]
        net_delivered = [order.net_delivered(i) for i in ids]
        net_invoiced = [order.net_invoiced(i) for i in ids]
        ordered = order.amounts()
        delivered = delivered_amounts(order)
        invoiced = Amounts()
        deposits = ZERO
        for invoice in order.invoices.values():
            if invoice.kind == InvoiceKind.DEPOSIT:
                deposits += invoice.amounts.gross
            else:
                invoiced = invoiced.plus(invoice.amounts)
        credited = Amounts()
        for note in order.credit_notes.values():
            credited = credited.plus(note.amounts)
        to_pay = sum((order.to_pay(n) for n in order.invoices), ZERO)
        paid = sum((p.amount for p in order.payments), ZERO)
        return [
            {
                "order_id": str(order.id),
                "customer_id": str(order.customer_id),
                "quote_id": _text(order.quote_id),
                "affair_id": _text(order.affair_id),
                "status": str(order.status),
                "currency": order.currency,
                "invoice_policy": str(order.invoice_policy),
                "line_count": len(ids),
                "ordered_net": ordered.net,
                "ordered_vat": ordered.vat,
                "ordered_gross": ordered.gross,
                "delivered_net": delivered.net,
                "delivered_gross": delivered.gross,
                "invoiced_net": invoiced.net,
                "invoiced_gross": invoiced.gross,
                "deposit_gross": deposits,
                "credited_net": credited.net,
                "credited_gross": credited.gross,
                "to_pay": to_pay,
                "paid": paid,
                "outstanding": to_pay - paid,
                "qty_ordered": sum(wanted, ZERO),
                "qty_delivered": sum(net_delivered, ZERO),
                "qty_returned": sum(order.returned.values(), ZERO),
                "qty_backordered": sum(order.backorder().values(), ZERO),
                "qty_invoiced": sum(net_invoiced, ZERO),
                "delivery_status": progress(net_delivered, wanted),
                "invoicing_status": progress(net_invoiced, wanted),
                "payment_status": str(order.payment_status()),
                "invoice_count": len(order.invoices),
                "credit_note_count": len(order.credit_notes),
                "payment_count": len(order.payments),
                "amendments": len(order.amendments),
                "created_at": order.created_at,
                "confirmed_at": order.confirmed_at,
                "updated_at": order.modified_on,
                "version": order.version,
                "position": folded.position,
            }
        ]


class OrderLinesView:
    """One row per order line as amended, with the quantities delivered and invoiced of it
    (`qty_net_delivered` = delivered − returned, `qty_net_invoiced` = invoiced − credited)."""

    table: Table = ORDER_LINES
    key: str = "order_id"
    document: type[Aggregate] = Order
    history: bool = True  # order_lines_history: lines as of a time (V9)

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        order = folded.aggregate
        assert isinstance(order, Order)
        backorder = order.backorder()
        return [
            {
                "order_id": str(order.id),
                "line_id": line_id,
                "customer_id": str(order.customer_id),
                "affair_id": _text(order.affair_of(line_id)),
                "currency": order.currency,
                "product_ref": line.product_ref,
                "description": line.description,
                "unit": line.unit,
                "unit_price": line.unit_price,
                "vat_rate": line.vat_rate,
                "ordered": line.quantity,
                "delivered": order.delivered.get(line_id, ZERO),
                "returned": order.returned.get(line_id, ZERO),
                "qty_net_delivered": order.net_delivered(line_id),
                "invoiced": order.invoiced.get(line_id, ZERO),
                "credited": order.credited.get(line_id, ZERO),
                "qty_net_invoiced": order.net_invoiced(line_id),
                "backorder": backorder[line_id],
                "net_amount": line_net(line.priced(), order.currency),
                "position": folded.position,
            }
            for line_id, line in order.lines.items()
        ]


ORDER_INVOICES = Table(
    "order_invoices",
    [
        ("invoice_id", "text"),
        ("order_id", "text"),
        ("number", "text"),
        ("paid", "money"),
        ("payment_count", "int"),
        ("position", "int"),
    ],
)

ORDER_SOURCES = frozenset({SourceKind.ORDER, SourceKind.DEPOSIT})


class OrderInvoicesView:
    """One row per issued invoice document billing an order: what was paid on it."""

    table: Table = ORDER_INVOICES
    key: str = "invoice_id"
    document: type[Aggregate] = Invoice
    history: bool = True

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        invoice = folded.aggregate
        assert isinstance(invoice, Invoice)
        source = invoice.source
        if (
            source is None
            or source.kind not in ORDER_SOURCES
            or invoice.kind != DocumentKind.INVOICE
            or invoice.status != InvoiceStatus.ISSUED
        ):
            return []
        return [
            {
                "invoice_id": str(invoice.id),
                "order_id": str(source.document_id),
                "number": invoice.number,
                "paid": invoice.amount_paid,
                "payment_count": len(invoice.payments),
                "position": folded.position,
            }
        ]


def orders_source(as_of: datetime | None = None) -> str:
    """The `orders` rows (as they stood at `as_of`) with the payments of their invoice
    documents, as a table expression to select from."""
    orders, invoices = table_at("orders", as_of), table_at("order_invoices", as_of)
    paid = "(o.paid + coalesce(i.paid, 0))"
    return f"""(
        SELECT o.* REPLACE (
            {paid} AS paid,
            o.to_pay - {paid} AS outstanding,
            CASE
                WHEN o.invoice_count = 0 THEN 'none'
                WHEN {paid} >= o.to_pay THEN 'paid'
                WHEN {paid} > 0 THEN 'partial'
                ELSE 'none'
            END AS payment_status,
            o.payment_count + coalesce(i.payments, 0) AS payment_count
        )
        FROM {orders} AS o
        LEFT JOIN (
            SELECT order_id, sum(paid) AS paid, sum(payment_count) AS payments
            FROM {invoices} AS d GROUP BY order_id
        ) AS i USING (order_id)
    )"""
