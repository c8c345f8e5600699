"""Copying a quote, or some of its lines, into a new draft (Q10)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from domain.errors import UnknownLine
from domain.quote import Quote
from domain.quote_lines import QuoteLine
from domain.values import DiscountMode


@dataclass(frozen=True)
class QuoteCopy:
    """What a new draft copied from a quote starts with (Q10); lines keep the source's ids."""

    source_id: UUID
    source_revision: int
    currency: str
    customer_id: UUID | None
    prospect: str | None
    salesperson: str | None
    title: str
    lines: list[QuoteLine]
    discounts: list[Decimal]
    discount_mode: DiscountMode

    def draft(self, *, at: datetime, valid_until: date | None = None) -> Quote:
        """Draft the copy as a new quote; its lines get the new quote's own ids."""
        quote = Quote.draft(
            at=at,
            currency=self.currency,
            customer_id=self.customer_id,
            prospect=self.prospect,
            valid_until=valid_until,
            salesperson=self.salesperson,
            title=self.title,
            channel="copy",
        )
        for line in self.lines:
            fields = {f.name: getattr(line, f.name) for f in dataclasses.fields(line)}
            del fields["line_id"]
            quote.add_line(at=at, **fields)
        if self.discounts:
            quote.set_discounts(at=at, percents=self.discounts, mode=self.discount_mode)
        return quote


def copy_of(quote: Quote, line_ids: list[str] | None = None) -> QuoteCopy:
    """The data of a new draft copied from `quote`, all its lines or the chosen ones."""
    unknown = [line_id for line_id in line_ids or [] if line_id not in quote.lines]
    if unknown:
        raise UnknownLine(f"quote has no line {', '.join(map(repr, unknown))}")
    return QuoteCopy(
        source_id=quote.id,
        source_revision=quote.revision,
        currency=quote.currency,
        customer_id=quote.customer_id,
        prospect=quote.prospect,
        salesperson=quote.salesperson,
        title=quote.title,
        lines=[line for i, line in quote.lines.items() if line_ids is None or i in line_ids],
        discounts=list(quote.discounts),
        discount_mode=quote.discount_mode,
    )
