"""Invoice numbers: the series, their yearly gapless sequences, and the register of the
numbers issued to invoice documents with their dates.

A number is claimed (`SequenceClaim`) in the transaction that issues its document; the
same transaction creates the number's `InvoiceNumber`, whose id is derived from the
number. The issuing command reads the sequence's current value N, then the date of
number N from its `InvoiceNumber`, and claims N + 1: if anyone issued N + 1 meanwhile
the claim is refused and the command runs again on the new last number, so two
concurrent issues can never both pass the chronology check.

The sequences are the ones the orders' invoices use (`invoice-2026`, `credit-note-2026`)
so both kinds of invoice share one series of numbers and never repeat one. An order's
invoice registers no `InvoiceNumber` (it is dated by the clock when it is issued), so
after one the next document of the series may only be dated on its command's day.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import (
    CreditNoteBeforeInvoice,
    InvalidInput,
    IssueDateBeforePrevious,
    IssueDateInFuture,
)
from domain.invoice_credit import CreditedInvoice
from domain.invoicing import format_invoice_number

NUMBERS = uuid5(NAMESPACE_URL, "urn:comptoir:invoice-number")


class Series(StrEnum):
    """A series of numbers: invoices `INV-2026-00001`, credit notes `CN-2026-00001`."""

    INVOICE = "INV"
    CREDIT_NOTE = "CN"

    def sequence(self, year: int) -> str:
        """The gapless sequence of the series in `year` (shared with the orders' invoices)."""
        kind = "invoice" if self == Series.INVOICE else "credit-note"
        return f"{kind}-{year:04d}"

    def number(self, year: int, value: int) -> str:
        """The `value`-th number of the series in `year`."""
        return format_invoice_number(year, value, self.value)


def number_id(number: str) -> UUID:
    """The id of the `InvoiceNumber` registering `number`."""
    return uuid5(NUMBERS, number)


class InvoiceNumber(Aggregate):
    """A number issued to an invoice or a credit note: the document and its issue date."""

    class Assigned(Aggregate.Created):
        at: datetime
        number: str
        document_id: UUID
        issue_date: date

    @staticmethod
    def create_id(number: str) -> UUID:
        return number_id(number)

    @event(Assigned)
    def __init__(self, *, at: datetime, number: str, document_id: UUID, issue_date: date) -> None:
        self.assigned_at = at
        self.number = number
        self.document_id = document_id
        self.issue_date = issue_date


def check_issue_date(
    issue_date: date, today: date, not_before: date | None, credited: CreditedInvoice | None
) -> date:
    """An issue date is never after `today`, never before `not_before` (the date of the
    previous number of its series) nor, for a credit note, before its invoice's."""
    if not isinstance(issue_date, date) or isinstance(issue_date, datetime):
        raise InvalidInput(f"an issue date must be a date, got {issue_date!r}")
    if issue_date > today:
        raise IssueDateInFuture(f"the issue date {issue_date} is after today, {today}")
    if not_before is not None and issue_date < not_before:
        raise IssueDateBeforePrevious(
            f"the issue date {issue_date} is before {not_before}, the date of the "
            "previous number of its series: numbers follow the dates"
        )
    if credited is not None and issue_date < credited.issue_date:
        raise CreditNoteBeforeInvoice(
            f"a credit note dated {issue_date} cannot correct invoice "
            f"{credited.number} of {credited.issue_date}"
        )
    return issue_date
