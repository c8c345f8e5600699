"""A contract period's invoice (C1, issue 14): its lines and what it says of the period.

Billing a period issues an invoice in the same command; the invoice bills the lines in
force on the period's first day (as amended then, C4), one invoice line per contract
line, counted in units (UN/ECE code C62), standard-rated (S) above 0 % and zero-rated
(Z) at 0 %. The period is stated in the invoice's notes, French as the invoice is:
"Période du 01/01/2027 au 31/03/2027".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from domain.invoice_lines import InvoiceLine, VatCategory
from domain.invoice_terms import InvoiceDetails, OperationCategory, PaymentTerms

UNIT = "C62"


class ContractLineLike(Protocol):
    """What a period's invoice reads of a contract line."""

    @property
    def description(self) -> str: ...
    @property
    def quantity(self) -> Decimal: ...
    @property
    def unit_price(self) -> Decimal: ...
    @property
    def vat_rate(self) -> Decimal: ...


@dataclass(frozen=True)
class PeriodToBill:
    """A period `bill` would record now: its index, first and last days, and the lines
    in force on its first day."""

    period_index: int
    period_start: date
    period_end: date
    lines: list[InvoiceLine]


def vat_category(rate: Decimal) -> VatCategory:
    """Standard-rated above 0 %, zero-rated at 0 %."""
    return VatCategory.STANDARD if rate > 0 else VatCategory.ZERO_RATED


def period_lines(lines: Iterable[ContractLineLike]) -> list[InvoiceLine]:
    """One invoice line per contract line (ids are the invoice's to give)."""
    return [
        InvoiceLine(
            "",
            line.description,
            line.quantity,
            UNIT,
            line.unit_price,
            vat_category(line.vat_rate),
            line.vat_rate,
        )
        for line in lines
    ]


def period_note(first: date, last: date) -> str:
    """`Période du 01/01/2027 au 31/03/2027`: the period billed, both days included."""
    return f"Période du {first:%d/%m/%Y} au {last:%d/%m/%Y}"


def period_details(
    period: PeriodToBill, payment_terms: PaymentTerms | None = None
) -> InvoiceDetails:
    """A contract invoice's terms: services, the period in its notes, the terms given
    (payment on receipt when none are)."""
    return InvoiceDetails(
        operation=OperationCategory.SERVICES,
        payment_terms=payment_terms or PaymentTerms(),
        notes=period_note(period.period_start, period.period_end),
    )
