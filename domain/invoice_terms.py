"""What an invoice says besides its lines: payment terms and the due date they give, the
late-payment mentions, the category of operation, the buyer's identity as issued.

Payment terms (French Code de commerce, art. L441-10): on receipt; net N days from the
issue date (at most 60); or N days end of month (at most 45), read as "N days after
the issue date, then to the end of that month".
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from domain import bounds
from domain.customer import Address
from domain.errors import InvalidInput, InvalidPaymentTerms
from domain.invoice_deposits import DepositDeduction, checked_deductions
from domain.quote_lines import checked_decimal, optional_text
from domain.values import DiscountMode

# The fixed indemnity for recovery costs owed by a late business payer (art. D441-5).
RECOVERY_INDEMNITY = Decimal(40)
MAX_NET_DAYS = 60
MAX_END_OF_MONTH_DAYS = 45


class TermsKind(StrEnum):
    ON_RECEIPT = "on_receipt"
    NET = "net"
    END_OF_MONTH = "end_of_month"


@dataclass(frozen=True)
class PaymentTerms:
    """When an invoice is due: on receipt, N days net, or N days end of month."""

    kind: TermsKind = TermsKind.ON_RECEIPT
    days: int = 0

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", TermsKind(self.kind))
        except ValueError:
            raise InvalidPaymentTerms(f"unknown payment terms {self.kind!r}") from None
        if isinstance(self.days, bool) or not isinstance(self.days, int):
            raise InvalidPaymentTerms(f"payment terms count whole days, got {self.days!r}")
        limit = {
            TermsKind.ON_RECEIPT: 0,
            TermsKind.NET: MAX_NET_DAYS,
            TermsKind.END_OF_MONTH: MAX_END_OF_MONTH_DAYS,
        }[self.kind]
        if self.kind == TermsKind.ON_RECEIPT and self.days != 0:
            raise InvalidPaymentTerms("payment on receipt takes no number of days")
        if self.kind != TermsKind.ON_RECEIPT and not 1 <= self.days <= limit:
            raise InvalidPaymentTerms(
                f"{self.kind} payment terms take 1 to {limit} days (art. L441-10), got {self.days}"
            )

    def due_date(self, issued: date) -> date:
        """The day payment is due for a document issued on `issued`."""
        return due_date(self, issued)


def due_date(terms: PaymentTerms, issued: date) -> date:
    """On receipt: the issue date; net N: N days later; N end of month: the last day of
    the month N days later."""
    if terms.kind == TermsKind.ON_RECEIPT:
        return issued
    later = issued + timedelta(days=terms.days)
    if terms.kind == TermsKind.NET:
        return later
    return later.replace(day=calendar.monthrange(later.year, later.month)[1])


class OperationCategory(StrEnum):
    """The category of operation an invoice must state: goods, services or both."""

    GOODS = "goods"
    SERVICES = "services"
    BOTH = "goods_and_services"


@dataclass(frozen=True)
class InvoiceDetails:
    """The editable terms of a draft: payment, penalties, discounts and references.

    `late_penalty_rate` None: the legal default applies (the ECB's refinancing rate plus
    10 points), and is stated as such. `early_payment_discount` None: no discount for
    early payment, also stated. `deposits`: the deposit invoices this invoice deducts
    (BT-113), stated by the command that drafts it from its source, never edited.
    """

    operation: OperationCategory
    payment_terms: PaymentTerms = field(default_factory=PaymentTerms)
    late_penalty_rate: Decimal | None = None
    early_payment_discount: Decimal | None = None
    order_reference: str | None = None
    notes: str | None = None
    discounts: list[Decimal] = field(default_factory=list)
    discount_mode: DiscountMode = DiscountMode.CASCADING
    deposits: list[DepositDeduction] = field(default_factory=list)

    def __post_init__(self) -> None:
        object.__setattr__(self, "operation", OperationCategory(self.operation))
        object.__setattr__(self, "discount_mode", DiscountMode(self.discount_mode))


EDITABLE_DETAILS = frozenset(
    {
        "operation",
        "payment_terms",
        "late_penalty_rate",
        "early_payment_discount",
        "order_reference",
        "notes",
        "discounts",
        "discount_mode",
    }
)


def checked_details(details: InvoiceDetails) -> InvoiceDetails:
    """The details with their values checked and text trimmed."""
    if details.operation not in tuple(OperationCategory):
        raise InvalidInput(f"unknown category of operation {details.operation!r}")
    if not isinstance(details.payment_terms, PaymentTerms):
        raise InvalidPaymentTerms(f"payment terms expected, got {details.payment_terms!r}")
    rate = _optional_percent(details.late_penalty_rate, "late_penalty_rate")
    early = _optional_percent(details.early_payment_discount, "early_payment_discount")
    if not isinstance(details.discounts, list):
        raise InvalidInput(f"document discounts must be a list, got {details.discounts!r}")
    discounts = [
        _percent(checked_decimal(p, "a discount"), f"discounts[{i}]")
        for i, p in enumerate(details.discounts)
    ]
    return replace(
        details,
        late_penalty_rate=rate,
        early_payment_discount=early,
        order_reference=optional_text(details.order_reference, "an order reference"),
        notes=optional_text(details.notes, "notes"),
        discounts=bounds.discounts(discounts),
        deposits=checked_deductions(details.deposits),
    )


def changed_details(details: InvoiceDetails, changes: dict[str, Any]) -> InvoiceDetails:
    """The details with the given fields changed and checked."""
    unknown = sorted(set(changes) - EDITABLE_DETAILS)
    if unknown:
        raise InvalidInput(f"an invoice has no editable field {', '.join(unknown)}")
    try:
        return checked_details(replace(details, **changes))
    except ValueError as error:
        raise InvalidInput(str(error)) from None


def _percent(value: Decimal, field: str) -> Decimal:
    if value < 0:
        raise InvalidInput(f"{field} must not be negative, got {value}")
    return bounds.percent(value, field)


def _optional_percent(value: object, field: str) -> Decimal | None:
    return None if value is None else _percent(checked_decimal(value, field), field)


@dataclass(frozen=True)
class Buyer:
    """The buyer as the invoice names it, copied from the customer when it is issued."""

    name: str
    vat_number: str | None = None
    billing_address: Address | None = None
    # the buyer's legal identity (SIREN, SIRET) and where goods go; absent from invoices
    # issued before they were copied
    siren: str | None = None
    siret: str | None = None
    delivery_address: Address | None = None
