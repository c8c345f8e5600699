"""The `invoices` view (I5): one row per invoice document, invoices and credit notes.

Every amount comes from the Invoice aggregate's own queries (`totals()`,
`credited_amounts`, `amount_paid`, `amount_due`, `payment_status`), so the view says what
the domain says. A credit note asks nothing of the customer: its `amount_due` is 0 and
its amount is already deducted (as `credited`) on the invoice it corrects.

Whether an invoice is overdue depends on the day one asks about, so it is not stored:
`dated` adds `overdue` and `days_overdue` for a stated day (the rule of
`domain.invoice_payments.is_overdue`: issued, something still due, the day after the due
date); `overdue_on` is the same condition for the dunning job's candidates. The view
keeps its history (`invoices_history`) so it can be read as of a past time (V9), and the
receivables (`projections.receivables`) are aged from it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import duckdb
from eventsourcing.domain import Aggregate

from domain.invoice import DocumentKind, Invoice
from domain.invoice_numbers import Series
from domain.values import ZERO
from projections.base import Folded
from projections.schema import Table, utc_naive
from projections.snapshot import literal, table_at

INVOICES = Table(
    "invoices",
    [
        ("invoice_id", "text"),
        ("number", "text"),
        ("kind", "text"),
        ("series", "text"),
        ("customer_id", "text"),
        ("currency", "text"),
        ("status", "text"),
        ("payment_status", "text"),
        ("issue_date", "date"),
        ("due_date", "date"),
        ("net", "money"),
        ("vat", "money"),
        ("gross", "money"),
        ("credited", "money"),
        ("paid", "money"),
        ("amount_due", "money"),
        ("credited_invoice_id", "text"),
        ("credited_number", "text"),
        ("credit_note_count", "int"),
        ("payment_count", "int"),
        ("source_kind", "text"),
        ("source_id", "text"),
        ("drafted_at", "timestamp"),
        ("issued_at", "timestamp"),
        ("updated_at", "timestamp"),
        ("version", "int"),
        ("position", "int"),
    ],
    indexes=("customer_id",),
)

SERIES = {DocumentKind.INVOICE: Series.INVOICE, DocumentKind.CREDIT_NOTE: Series.CREDIT_NOTE}

OPEN = "kind = 'invoice' AND status = 'issued' AND amount_due > 0"
"""An issued invoice with something still due: what the receivables count."""


def series_of(invoice: Invoice) -> str:
    """The series of the number (`INV-2026-00001` is `INV`); a draft's, by its kind."""
    if invoice.number is not None and "-" in invoice.number:
        return invoice.number.split("-", 1)[0]
    return SERIES[invoice.kind].value


def source_of(invoice: Invoice) -> tuple[str | None, str | None]:
    """The kind and document id of what the invoice bills, when it says (issue 14)."""
    source = getattr(invoice, "source", None)
    if source is None:
        return None, None
    kind = getattr(source, "kind", None)
    document = getattr(source, "document_id", None)
    return (
        None if kind is None else str(kind),
        None if document is None else str(document),
    )


class InvoicesView:
    """One row per invoice or credit note with its amounts, dates and statuses."""

    table: Table = INVOICES
    key: str = "invoice_id"
    document: type[Aggregate] = Invoice
    history: bool = True

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        invoice = folded.aggregate
        assert isinstance(invoice, Invoice)
        totals = invoice.totals()
        is_invoice = invoice.kind == DocumentKind.INVOICE
        payment = invoice.payment_status
        credited = invoice.credited
        source_kind, source_id = source_of(invoice)
        return [
            {
                "invoice_id": str(invoice.id),
                "number": invoice.number,
                "kind": str(invoice.kind),
                "series": series_of(invoice),
                "customer_id": str(invoice.customer_id),
                "currency": invoice.currency,
                "status": str(invoice.status),
                "payment_status": None if payment is None else str(payment),
                "issue_date": invoice.issue_date,
                "due_date": invoice.due_date,
                "net": totals.net,
                "vat": totals.vat,
                "gross": totals.gross,
                "credited": invoice.credited_amounts.gross,
                "paid": invoice.amount_paid,
                "amount_due": invoice.amount_due if is_invoice else ZERO,
                "credited_invoice_id": None if credited is None else str(credited.invoice_id),
                "credited_number": None if credited is None else credited.number,
                "credit_note_count": len(invoice.credit_notes),
                "payment_count": len(invoice.payments),
                "source_kind": source_kind,
                "source_id": source_id,
                "drafted_at": invoice.drafted_at,
                "issued_at": invoice.issued_at,
                "updated_at": invoice.modified_on,
                "version": invoice.version,
                "position": folded.position,
            }
        ]


def overdue_on(day: date) -> tuple[str, Any]:
    """The condition (and its parameter) of an invoice overdue on `day`."""
    return (f"({OPEN} AND due_date < ?)", day)


def dated(day: date, as_of: datetime | None = None) -> str:
    """The view (as it stood at `as_of`) with `overdue` and `days_overdue` computed for
    `day`: a parenthesized query, the source of the HTTP view and its exports."""
    today = literal(day)
    late = f"{OPEN} AND due_date < {today}"
    return (
        f"(SELECT *, ({late}) AS overdue, "
        f"CASE WHEN {late} THEN date_diff('day', due_date, {today}) END AS days_overdue "
        f"FROM {table_at('invoices', as_of)})"
    )


def overdue_invoices(cursor: duckdb.DuckDBPyConnection, day: date) -> list[UUID]:
    """Invoices overdue on `day`, soonest due first (the dunning job's candidates)."""
    condition, param = overdue_on(day)
    found = cursor.execute(
        f"SELECT invoice_id FROM invoices WHERE {condition} ORDER BY due_date, invoice_id",
        [param],
    ).fetchall()
    return [UUID(invoice_id) for (invoice_id,) in found]


def issued_since(cursor: duckdb.DuckDBPyConnection, since: datetime) -> list[tuple[UUID, str]]:
    """Invoices and credit notes recorded as issued since `since`, with their kind, in
    the order they were issued (the printing job's candidates)."""
    found = cursor.execute(
        "SELECT invoice_id, kind FROM invoices WHERE issued_at >= ? ORDER BY issued_at, invoice_id",
        [utc_naive(since)],
    ).fetchall()
    return [(UUID(invoice_id), kind) for invoice_id, kind in found]
