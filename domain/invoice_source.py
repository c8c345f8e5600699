"""Where an invoice comes from (issue 14): an order, an order's deposit, a contract
period, a billable service case, an affair's time and materials — or nothing, for a
standalone invoice of free lines.

The source is stated on the draft in the command that creates it, so the invoice's
history says what it bills; the source document records the invoice in the same
transaction (its own rule: a period billed once, an entry invoiced once), and a credit
note against the invoice is followed up on the source by the application.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from domain.errors import InvalidInput
from domain.quote_lines import checked_uuid, required_text


class SourceKind(StrEnum):
    ORDER = "order"
    DEPOSIT = "deposit"
    CONTRACT_PERIOD = "contract_period"
    SERVICE_CASE = "service_case"
    AFFAIR = "affair"


@dataclass(frozen=True)
class InvoiceSource:
    """The document an invoice bills, and what of it (`reference`: the period's index,
    the service case's id, the entries' ids …, as the source's verb names them)."""

    kind: SourceKind
    document_id: UUID
    reference: str = ""

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", SourceKind(self.kind))
        except ValueError:
            raise InvalidInput(f"unknown invoice source {self.kind!r}") from None
        if checked_uuid(self.document_id, "a source document id") is None:
            raise InvalidInput("an invoice source names its document")
        if self.reference:
            required_text(self.reference, "a source reference")
