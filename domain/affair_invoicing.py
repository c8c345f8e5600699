"""An affair's time and materials invoice (A5, issue 14): chosen entries, each invoiced once.

An entry is a time entry or a cost of the affair, named by its id: the affair's version
at which its event was recorded (the `version` the `affair_entries` view lists). The
application reads the named events and hands them to the affair as `AffairEntry`
values; the affair checks them here and records which entries each invoice took.

Pricing (chosen, since entries carry costs, not sale prices): the request states an
hourly sale rate per employee (`SalePrices.hourly_rates`), required for every employee
whose time it invoices; a cost is re-invoiced at its amount plus the markup percent the
request states for its category (none: at cost). One VAT rate for the invoice: S above
0 %, Z at 0 %. Time is invoiced in hours (HUR), one line per entry; a cost in one unit
(C62) per document. Only billable time and received costs are invoiceable: a committed
cost is invoiced through its receipt, the entry that says it was received.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from domain import bounds
from domain.budget import BudgetCategory
from domain.errors import (
    EntryAlreadyInvoiced,
    EntryNotBillable,
    InvalidInput,
    MissingSaleRate,
    UnknownAffairEntry,
)
from domain.invoice_lines import InvoiceLine, VatCategory
from domain.invoice_terms import InvoiceDetails, OperationCategory, PaymentTerms
from domain.values import HUNDRED, MONEY_CONTEXT, check_finite, round_money

TIME_UNIT = "HUR"
COST_UNIT = "C62"
MAX_ENTRIES = 1000
CATEGORY_LABELS = {
    BudgetCategory.PURCHASES: "Achats",
    BudgetCategory.SUBCONTRACTING: "Sous-traitance",
    BudgetCategory.EXPENSES: "Frais",
}


class EntryKind(StrEnum):
    TIME = "time"
    COST = "cost"  # received, or the receipt of a committed cost
    COMMITTED_COST = "committed_cost"  # ordered, not yet received: not invoiceable


@dataclass(frozen=True)
class AffairEntry:
    """A time entry or cost as its event recorded it; `amount` is the labour cost or
    the cost's amount, `day` the day worked or the document's date."""

    entry_id: int
    kind: EntryKind
    day: date
    amount: Decimal
    billable: bool = True
    employee: str | None = None
    hours: Decimal | None = None
    category: BudgetCategory | None = None
    document_ref: str | None = None


@dataclass(frozen=True)
class SalePrices:
    """How the chosen entries are priced on the invoice (see the module's docstring)."""

    hourly_rates: dict[str, Decimal] = field(default_factory=dict)
    markups: dict[str, Decimal] = field(default_factory=dict)
    vat_rate: Decimal = Decimal(20)


@dataclass(frozen=True)
class InvoicedDocument:
    """The invoice issued for chosen entries: its id, number, date and net (excl. tax)."""

    invoice_id: UUID
    number: str
    day: date
    net: Decimal


def check_invoiceable(
    entries: Sequence[AffairEntry], invoiced: Mapping[str, str], version: int
) -> None:
    """Some entries, each once, each the affair's, billable and not invoiced yet."""
    if not entries:
        raise InvalidInput("choose at least one time entry or cost to invoice")
    if len(entries) > MAX_ENTRIES:
        raise InvalidInput(f"an invoice takes at most {MAX_ENTRIES} entries")
    ids = [entry.entry_id for entry in entries]
    if len(set(ids)) != len(ids):
        raise InvalidInput("each entry may be chosen only once")
    for entry in entries:
        if not 1 <= entry.entry_id <= version:
            raise UnknownAffairEntry(f"the affair has no entry {entry.entry_id}")
        if entry.kind == EntryKind.COMMITTED_COST:
            raise EntryNotBillable(
                f"entry {entry.entry_id} is a committed cost: invoice its receipt once received"
            )
        if not entry.billable:
            raise EntryNotBillable(f"entry {entry.entry_id} was logged as not billable")
        number = invoiced.get(str(entry.entry_id))
        if number is not None:
            raise EntryAlreadyInvoiced(f"entry {entry.entry_id} was invoiced on {number}")


def check_prices(prices: SalePrices) -> SalePrices:
    """Rates and markups within the bounds and not negative, a VAT rate of 0–100 %."""
    for employee, rate in prices.hourly_rates.items():
        bounds.unit_price(check_finite(rate, f"{employee}'s hourly sale rate"), "hourly_rates")
    for category, markup in prices.markups.items():
        if category not in CATEGORY_LABELS:
            raise InvalidInput(f"costs of {category!r} are not invoiced: no markup for them")
        bounds.percent(check_finite(markup, f"the markup on {category}"), "markups")
    bounds.percent(check_finite(prices.vat_rate, "the VAT rate"), "vat_rate")
    return prices


def entry_lines(
    entries: Sequence[AffairEntry], prices: SalePrices, currency: str
) -> list[InvoiceLine]:
    """One line per entry: time in hours at the employee's sale rate, a cost at its
    amount plus its category's markup, rounded to the currency."""
    check_prices(prices)
    vat = prices.vat_rate
    category = VatCategory.STANDARD if vat > 0 else VatCategory.ZERO_RATED
    lines = []
    for entry in entries:
        if entry.kind == EntryKind.TIME:
            employee = entry.employee or ""
            rate = prices.hourly_rates.get(employee)
            if rate is None:
                raise MissingSaleRate(f"state the hourly sale rate of {employee} (hourly_rates)")
            text = f"{employee} — {entry.day:%d/%m/%Y}"
            lines.append(
                InvoiceLine("", text, entry.hours or Decimal(0), TIME_UNIT, rate, category, vat)
            )
            continue
        kind = BudgetCategory(entry.category or BudgetCategory.EXPENSES)
        markup = prices.markups.get(str(kind), Decimal(0))
        price = MONEY_CONTEXT.multiply(entry.amount, MONEY_CONTEXT.add(HUNDRED, markup)) / HUNDRED
        text = f"{CATEGORY_LABELS[kind]} — {entry.document_ref} du {entry.day:%d/%m/%Y}"
        lines.append(
            InvoiceLine(
                "", text, Decimal(1), COST_UNIT, round_money(price, currency), category, vat
            )
        )
    return lines


def entry_details(
    entries: Sequence[AffairEntry], affair_name: str, payment_terms: PaymentTerms | None
) -> InvoiceDetails:
    """Goods and services when purchases are invoiced, services otherwise; the affair
    named in the notes; the terms given (payment on receipt when none are)."""
    goods = any(e.category == BudgetCategory.PURCHASES for e in entries)
    operation = OperationCategory.BOTH if goods else OperationCategory.SERVICES
    return InvoiceDetails(
        operation,
        payment_terms=payment_terms or PaymentTerms(),
        notes=f"Affaire {affair_name} : temps passés et frais",
    )
