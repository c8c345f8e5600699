"""Response bodies of the quote routes: a quote, a revision, a diff, a bulk result."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from application.quote_bulk import BulkItem
from application.quotes import QuoteDiff
from domain.quote import Quote
from domain.quote_lines import (
    CatalogueSource,
    FieldChange,
    LineChange,
    QuoteLine,
    RevisionRecord,
)
from domain.values import Discount, DiscountKind, Totals, line_net
from interfaces.http.diffs import Change
from interfaces.http.schemas import Amount, InCurrency, MoneyOut, NumberOut, json_safe

# Margin rates are shown to the hundredth of a percent; amounts keep the money rules.
RATE_PLACES = Decimal("0.01")


class DiscountIn(BaseModel):
    """A line discount: a percentage, or a fixed amount off the line."""

    kind: DiscountKind
    value: Amount = Field(description="A percentage (at most 100) or an amount off the line")

    def value_object(self) -> Discount:
        return Discount(self.kind, self.value)


class LineSourceView(BaseModel):
    """Where a line from the catalogue came from, and what was given by hand (P4)."""

    product_id: UUID
    priced_on: date
    rule: str | None
    price_list_id: UUID | None
    overridden: list[str]
    kit: str | None

    @classmethod
    def of(cls, source: CatalogueSource) -> LineSourceView:
        return cls(**{**source.__dict__, "overridden": list(source.overridden)})


class LineView(BaseModel):
    line_id: str
    description: str
    quantity: NumberOut
    unit: str
    unit_price: MoneyOut
    vat_rate: NumberOut
    discount: DiscountIn | None
    product_ref: str | None
    unit_cost: MoneyOut | None
    net: MoneyOut
    margin: MoneyOut | None = Field(description="Net less quantity × unit cost (Q8)")
    source: LineSourceView | None = Field(
        default=None, description="The catalogue's product, rule and fields given by hand (P4)"
    )

    @classmethod
    def of(cls, line: QuoteLine, currency: str) -> LineView:
        return cls(
            line_id=line.line_id,
            description=line.description,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
            discount=None
            if line.discount is None
            else DiscountIn(kind=line.discount.kind, value=line.discount.value),
            product_ref=line.product_ref,
            unit_cost=line.unit_cost,
            net=line_net(line.priced(), currency),
            margin=line.margin(currency),
            source=None if line.source is None else LineSourceView.of(line.source),
        )


def lines_view(lines: Iterable[QuoteLine], currency: str) -> list[LineView]:
    return [LineView.of(line, currency) for line in lines]


class VatView(BaseModel):
    rate: NumberOut
    vat: MoneyOut


class TotalsView(BaseModel):
    net: MoneyOut
    vat: MoneyOut
    gross: MoneyOut
    vat_by_rate: list[VatView]
    margin: MoneyOut | None

    @classmethod
    def of(cls, totals: Totals) -> TotalsView:
        return cls(
            net=totals.net,
            vat=totals.vat,
            gross=totals.gross,
            vat_by_rate=[VatView(rate=r, vat=v) for r, v in totals.vat_by_rate.items()],
            margin=totals.margin,
        )


class MarginView(BaseModel):
    """The quote's margin after document discounts (Q8); None when a line has no cost."""

    amount: MoneyOut | None
    rate: NumberOut | None = Field(description="Percent of the net total, to 0.01")

    @classmethod
    def of(cls, totals: Totals) -> MarginView:
        rate = totals.margin_rate
        return cls(
            amount=totals.margin,
            rate=None if rate is None else rate.quantize(RATE_PLACES, ROUND_HALF_UP),
        )


class ApprovalView(BaseModel):
    """A manager's approval of one revision (Q7)."""

    approver: str
    reason: str
    revision: int
    at: datetime


class QuoteView(InCurrency):
    """A quote as it stands (or stood, at a given version or time)."""

    id: UUID
    version: int
    status: str
    currency: str
    customer_id: UUID | None
    prospect: str | None
    title: str
    salesperson: str | None
    valid_until: date | None
    validity: str | None = Field(
        default=None, description="Validity bucket today (Q5); null when declined or abandoned"
    )
    revision: int
    revision_reason: str | None = None
    lines: list[LineView]
    discounts: list[NumberOut] = Field(default_factory=list)
    discount_mode: str = "cascading"
    totals: TotalsView
    margin: MarginView | None = None
    approval: ApprovalView | None = None
    approved: bool = False
    sent_at: datetime | None = None
    reminders_recorded: int = 0
    last_reminded_at: datetime | None = None
    affair_id: UUID | None = None
    order_id: UUID | None = None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, quote: Quote, today: date | None = None, soon_days: int = 10) -> QuoteView:
        """The view of `quote`; its validity bucket is computed when `today` is given."""
        totals = quote.totals()
        approval = quote.approval
        bucket = None if today is None else quote.validity_bucket(today, soon_days)
        return cls(
            id=quote.id,
            version=quote.version,
            status=str(quote.status),
            currency=quote.currency,
            customer_id=quote.customer_id,
            prospect=quote.prospect,
            title=quote.title,
            salesperson=quote.salesperson,
            valid_until=quote.valid_until,
            validity=None if bucket is None else str(bucket),
            revision=quote.revision,
            revision_reason=quote.revision_reason,
            lines=lines_view(quote.lines.values(), quote.currency),
            discounts=list(quote.discounts),
            discount_mode=str(quote.discount_mode),
            totals=TotalsView.of(totals),
            margin=MarginView.of(totals),
            approval=None
            if approval is None
            else ApprovalView(
                approver=approval.approver,
                reason=approval.reason,
                revision=approval.revision,
                at=approval.at,
            ),
            approved=quote.approved,
            sent_at=quote.sent_at,
            reminders_recorded=quote.reminders_recorded,
            last_reminded_at=quote.last_reminded_at,
            affair_id=quote.affair_id,
            order_id=quote.order_id,
            created_at=quote.drafted_at,
            updated_at=quote.modified_on,
        )


class RevisionView(InCurrency):
    """What one revision of a quote said: as sent, or as the current draft stands (Q6)."""

    revision: int
    currency: str
    lines: list[LineView]
    discounts: list[NumberOut]
    discount_mode: str
    valid_until: date | None
    sent_at: datetime | None
    reason: str | None
    totals: TotalsView

    @classmethod
    def of(cls, record: RevisionRecord) -> RevisionView:
        return cls(
            revision=record.revision,
            currency=record.currency,
            lines=lines_view(record.lines.values(), record.currency),
            discounts=list(record.discounts),
            discount_mode=str(record.discount_mode),
            valid_until=record.valid_until,
            sent_at=record.sent_at,
            reason=record.reason,
            totals=TotalsView.of(record.totals()),
        )


class FieldChangeView(BaseModel):
    """One field, before and after (amounts as decimal strings)."""

    name: str
    before: Any
    after: Any

    @classmethod
    def of(cls, change: FieldChange) -> FieldChangeView:
        return cls(name=change.name, before=json_safe(change.before), after=json_safe(change.after))


class LineChangeView(BaseModel):
    """How one line differs: added, removed, or changed with its field changes."""

    line_id: str
    kind: str
    before: LineView | None
    after: LineView | None
    fields: list[FieldChangeView]

    @classmethod
    def of(cls, change: LineChange, currency: str) -> LineChangeView:
        return cls(
            line_id=change.line_id,
            kind=str(change.kind),
            before=None if change.before is None else LineView.of(change.before, currency),
            after=None if change.after is None else LineView.of(change.after, currency),
            fields=[FieldChangeView.of(f) for f in change.fields],
        )


class DiffView(BaseModel):
    """Changes from one version (or revision) of a quote to another (Q6)."""

    basis: Literal["version", "revision"]
    from_: int = Field(serialization_alias="from")
    to: int
    fields: list[FieldChangeView]
    lines: list[LineChangeView]
    from_version: int | None = Field(default=None, description="Null for revisions")
    to_version: int | None = None
    changes: list[Change] = Field(
        default_factory=list, description="Every change, in the one diff format of all documents"
    )

    @classmethod
    def of(
        cls, diff: QuoteDiff, basis: Literal["version", "revision"], old: int, new: int, cur: str
    ) -> DiffView:
        return cls(
            basis=basis,
            from_=old,
            to=new,
            fields=[FieldChangeView.of(f) for f in diff.fields],
            lines=[LineChangeView.of(change, cur) for change in diff.lines],
        )


class BulkItemView(BaseModel):
    """One quote of a bulk action: recorded (version, position) or refused (type, detail)."""

    quote_id: UUID
    ok: bool
    version: int | None = None
    position: int | None = None
    replayed: bool | None = None
    type: str | None = None
    detail: str | None = None

    @classmethod
    def of(cls, item: BulkItem) -> BulkItemView:
        if not item.ok:
            return cls(
                quote_id=item.quote_id, ok=False, type=f"/problems/{item.code}", detail=item.detail
            )
        return cls(
            quote_id=item.quote_id,
            ok=True,
            version=item.version,
            position=item.position,
            replayed=True if item.replayed else None,
        )


class BulkResult(BaseModel):
    """Per-quote results of a bulk action, in the order the quotes were given."""

    succeeded: int
    failed: int
    items: list[BulkItemView]

    @classmethod
    def of(cls, items: list[BulkItem]) -> BulkResult:
        ok = sum(1 for item in items if item.ok)
        return cls(succeeded=ok, failed=len(items) - ok, items=[BulkItemView.of(i) for i in items])
