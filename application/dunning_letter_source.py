"""Where a dunning letter takes its content from (issue 15, I5): an issued invoice, the
level asked (`L1`, `L2` …), the seller and buyer as the invoice was issued.

A letter is issued once the invoice is overdue on the day it is asked for; before that
it is only a preview marked PROJET. Each level is its own edition, stored on first
request and served byte for byte afterwards, like every printed document.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from adapters.documents.content import PrintedContent
from adapters.documents.dunning_content import dunning_content
from application.document_sources import (
    Edition,
    SourceReader,
    buyer_party,
    register_loader,
)
from domain.errors import InvalidInput
from domain.invoice import Invoice
from domain.invoice_payments import is_overdue
from domain.invoice_states import InvoiceStatus
from domain.printed_document import PrintedKind

MAX_LEVEL = 9


def letter_level(selector: str | None) -> int:
    """`L2` → 2; level 1 by default."""
    text = (selector or "L1").removeprefix("L")
    if not text.isdigit() or not 1 <= int(text) <= MAX_LEVEL:
        raise InvalidInput(f"a dunning letter's edition is L1 … L{MAX_LEVEL}, got {selector!r}")
    return int(text)


def dunning_edition(
    reader: SourceReader, invoice_id: UUID, selector: str | None, on: date
) -> Edition:
    """The letter of one level about an invoice, issued once the invoice is overdue."""
    invoice = reader.runner.load(Invoice, invoice_id)
    level = letter_level(selector)
    if invoice.status != InvoiceStatus.ISSUED or invoice.due_date is None:
        raise InvalidInput(f"invoice {invoice_id} is not issued: no dunning letter")
    issued = is_overdue(invoice, on)

    def build() -> PrintedContent:
        if invoice.seller is not None:
            details = invoice.seller.details
            logo = reader.logo_by_hash(invoice.seller.logo_sha256)
            head = reader.letterhead(details, logo, None if issued else "PROJET")
        else:
            head = reader.company_head(on, None if issued else "PROJET")
            company = reader.company()
            details = company.details_on(on) or company.timeline[0].details
        if invoice.buyer is not None:
            buyer = buyer_party(invoice.buyer)
        else:
            buyer = reader.customer(invoice.customer_id)
        return dunning_content(invoice, level, details, buyer, head, on)

    kind = PrintedKind.DUNNING_LETTER
    return Edition(kind, invoice_id, f"L{level}", invoice.version, issued, build)


register_loader(PrintedKind.DUNNING_LETTER, dunning_edition)
