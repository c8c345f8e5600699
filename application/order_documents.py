"""What an order's invoice document says, built from the order (issue 14, O5): its lines
from the order lines (units as UN/ECE Rec 20 codes, VAT category from the rate), the
category of operation, the customer's order reference, payment terms, the deposits it
deducts; and how the order's own routes reach a document's credit notes and payments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.payments import RecordPayment
from domain.errors import InvalidInput, UnknownUnitCode
from domain.invoice_credit import CreditRequest
from domain.invoice_deposits import DepositDeduction
from domain.invoice_lines import InvoiceLine, VatCategory
from domain.invoice_terms import InvoiceDetails, OperationCategory, PaymentTerms
from domain.invoicing import Invoice as OrderInvoice
from domain.order import Order
from domain.payment import PaymentMeans
from domain.units import unit_code

# Units that measure time or a service rendered: a line in them is a service.
SERVICE_UNITS = frozenset({"SEC", "MIN", "HUR", "DAY", "WEE", "MON", "QAN", "ANN", "E48"})


@dataclass(frozen=True)
class InvoiceTerms:
    """What the client states when it invoices an order: the issue date (the interface
    gives today when absent), payment terms (on receipt when absent), the customer's
    order reference (a purchase order number)."""

    issue_date: date
    payment_terms: PaymentTerms = field(default_factory=PaymentTerms)
    order_reference: str | None = None

    def payload(self) -> dict[str, Any]:
        """The terms as the command journal's payload states them."""
        terms = self.payment_terms
        return {
            "issue_date": self.issue_date,
            "payment_terms": {"kind": str(terms.kind), "days": terms.days},
            "order_reference": self.order_reference,
        }


def vat_category(rate: Decimal) -> VatCategory:
    """S for a rate above zero, Z (zero rated) for 0 %: an order line states no exemption."""
    return VatCategory.STANDARD if rate > 0 else VatCategory.ZERO_RATED


def unit_and_description(unit: str, description: str) -> tuple[str, str]:
    """The Rec 20 code of an order line's unit; a unit no code names is kept in the
    description and the line counts in units (C62)."""
    try:
        return unit_code(unit), description
    except UnknownUnitCode:
        return "C62", f"{description} (per {unit})"


def document_lines(order: Order, invoice: OrderInvoice) -> tuple[list[InvoiceLine], dict[str, str]]:
    """The document's lines for an order invoice, and per document line id ("1", "2" …
    in order) the order line it bills."""
    lines: list[InvoiceLine] = []
    billed: dict[str, str] = {}
    for index, (line_id, part) in enumerate(invoice.lines.items(), start=1):
        line = order.lines[line_id]
        unit, description = unit_and_description(line.unit, line.description)
        lines.append(
            InvoiceLine(
                "",
                description,
                part.quantity,
                unit,
                part.unit_price,
                vat_category(part.vat_rate),
                part.vat_rate,
                discount=part.discount,
            )
        )
        billed[str(index)] = line_id
    return lines, billed


def deposit_lines(order: Order, deposit: OrderInvoice) -> list[InvoiceLine]:
    """One line per VAT rate of a deposit invoice: its share of the order at that rate."""
    lines = []
    for rate, base in deposit.amounts.bases.items():
        if base <= 0:
            continue
        vat = Decimal(rate)
        lines.append(
            InvoiceLine(
                "",
                f"Deposit on order {order.id} (VAT {rate} %)",
                Decimal(1),
                "C62",
                base,
                vat_category(vat),
                vat,
            )
        )
    return lines


def operation_of(units: Iterable[str]) -> OperationCategory:
    """Services when every line is counted in time or service units, goods when none
    is, both otherwise."""
    services = {unit in SERVICE_UNITS for unit in units}
    if services == {True}:
        return OperationCategory.SERVICES
    return OperationCategory.BOTH if True in services else OperationCategory.GOODS


def details_of(
    order: Order,
    lines: Sequence[InvoiceLine],
    terms: InvoiceTerms,
    deposits: list[DepositDeduction],
    *,
    deposit: bool = False,
) -> InvoiceDetails:
    """The document's terms: the category of operation of the lines it bills (of the
    whole order for a deposit), the order's document discounts (none on a deposit: its
    lines are shares of the discounted order), the client's terms and reference."""
    units = (
        [unit_and_description(line.unit, "")[0] for line in order.lines.values()]
        if deposit
        else [line.unit for line in lines]
    )
    return InvoiceDetails(
        operation=operation_of(units),
        payment_terms=terms.payment_terms,
        order_reference=terms.order_reference,
        discounts=[] if deposit else list(order.discounts),
        discount_mode=order.discount_mode,
        deposits=deposits,
    )


def document_of(order: Order, invoice_number: str) -> UUID | None:
    """The id of the document holding one of the order's invoice numbers, if it is one."""
    document = order.documents.get(invoice_number)
    return None if document is None else document.invoice_id


def credit_request_of(
    order: Order,
    invoice_number: str,
    quantities: Mapping[str, Decimal] | None,
    amount: Decimal | None,
) -> CreditRequest:
    """The credit note an order's route asks of an invoice document: quantities per
    order line become quantities per document line."""
    document = order.documents[invoice_number]
    if quantities is None:
        return CreditRequest(amount=amount)
    lines = {order_line: doc_line for doc_line, order_line in document.lines.items()}
    unknown = sorted(set(quantities) - set(lines))
    if unknown:
        raise InvalidInput(f"invoice {invoice_number} bills no line {', '.join(unknown)}")
    return CreditRequest(quantities={lines[i]: q for i, q in quantities.items()})


def payment_of(
    order: Order, invoice_number: str, amount: Decimal, method: str, value_date: date
) -> RecordPayment:
    """The payment an order's route records for an invoice document: all of it
    allocated to that invoice."""
    try:
        means = PaymentMeans(method)
    except ValueError:
        known = ", ".join(m.value for m in PaymentMeans)
        raise InvalidInput(f"unknown payment method {method!r}: use one of {known}") from None
    invoice_id = order.documents[invoice_number].invoice_id
    return RecordPayment(
        customer_id=order.customer_id,
        value_date=value_date,
        amount=amount,
        means=means,
        currency=order.currency,
        allocations={invoice_id: amount},
    )
