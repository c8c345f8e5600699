"""What a service case bills (S3, issue 14): its labour and its parts, and its invoice.

A case records the labour spent (hours at an hourly rate) and the parts fitted (a
quantity at a unit price), each billable or not. By default an item is billable when
the case is not under warranty: a case under warranty bills nothing unless an item is
said to be billable (a part the warranty does not cover, say), and a billable case may
waive an item (goodwill). A case is invoiced once, at repair or once returned, with
one line per billable item: labour in hours (UN/ECE code HUR), parts in units (C62),
standard-rated (S) above 0 % and zero-rated (Z) at 0 %.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain import bounds
from domain.errors import InvalidInput, ServiceCaseNotBillable
from domain.invoice_lines import InvoiceLine, VatCategory
from domain.invoice_terms import InvoiceDetails, OperationCategory, PaymentTerms
from domain.quote_lines import required_text
from domain.values import ZERO, check_finite

LABOUR_UNIT = "HUR"
PART_UNIT = "C62"


@dataclass(frozen=True)
class ServiceLabour:
    """Hours spent on a case at an hourly rate (excl. tax), billable or not."""

    description: str
    hours: Decimal
    hourly_rate: Decimal
    billable: bool


@dataclass(frozen=True)
class ServicePart:
    """A part fitted on a case: a quantity at a unit price (excl. tax), billable or not."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    billable: bool
    product_ref: str | None = None


def checked_labour(labour: ServiceLabour) -> ServiceLabour:
    """Hours above 0 and within the bounds, a rate not below 0, a description."""
    hours = bounds.quantity(check_finite(labour.hours, "hours"), "hours")
    if hours <= ZERO:
        raise InvalidInput(f"labour needs hours above 0, got {hours}")
    rate = bounds.unit_price(check_finite(labour.hourly_rate, "hourly rate"), "hourly_rate")
    bounds.line_gross(hours, rate, field="labour")
    text = required_text(labour.description, "a labour description")
    return ServiceLabour(text, hours, rate, bool(labour.billable))


def checked_part(part: ServicePart) -> ServicePart:
    """A quantity above 0, a unit price not below 0, a description."""
    quantity = bounds.quantity(check_finite(part.quantity, "quantity"), "quantity")
    if quantity <= ZERO:
        raise InvalidInput(f"a part needs a quantity above 0, got {quantity}")
    price = bounds.unit_price(check_finite(part.unit_price, "unit price"), "unit_price")
    bounds.line_gross(quantity, price, field="part")
    text = required_text(part.description, "a part description")
    ref = None if part.product_ref is None else required_text(part.product_ref, "a product ref")
    return ServicePart(text, quantity, price, bool(part.billable), ref)


def vat_category(rate: Decimal) -> VatCategory:
    return VatCategory.STANDARD if rate > 0 else VatCategory.ZERO_RATED


def case_lines(
    labour: Sequence[ServiceLabour], parts: Sequence[ServicePart], vat_rate: Decimal
) -> list[InvoiceLine]:
    """One invoice line per billable item, labour first; `ServiceCaseNotBillable` when
    nothing is billable."""
    category = vat_category(vat_rate)
    lines = [
        InvoiceLine(
            "",
            f"Main-d'œuvre : {item.description}",
            item.hours,
            LABOUR_UNIT,
            item.hourly_rate,
            category,
            vat_rate,
        )
        for item in labour
        if item.billable
    ]
    lines += [
        InvoiceLine(
            "", item.description, item.quantity, PART_UNIT, item.unit_price, category, vat_rate
        )
        for item in parts
        if item.billable
    ]
    if not lines:
        raise ServiceCaseNotBillable(
            "the case records no billable labour or part: nothing to invoice"
        )
    return lines


def case_details(
    note: str, has_parts: bool, payment_terms: PaymentTerms | None = None
) -> InvoiceDetails:
    """A service invoice's terms: goods and services when parts are billed, the case in
    its notes, the terms given (payment on receipt when none are)."""
    operation = OperationCategory.BOTH if has_parts else OperationCategory.SERVICES
    return InvoiceDetails(operation, payment_terms=payment_terms or PaymentTerms(), notes=note)
