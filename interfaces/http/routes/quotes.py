"""Quote commands and reads: draft, lines, send, accept, decline, state and history."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response, status
from fastapi import Body as BodyParam
from pydantic import BaseModel, Field, model_validator

from application.commands import CommandResult
from application.journal import CommandContext
from domain.errors import NotFound
from domain.quote import Quote
from domain.values import Discount, DiscountKind, line_net
from interfaces.http.deps import ServicesDep
from interfaces.http.history import history_items
from interfaces.http.problems import ERROR_RESPONSES
from interfaces.http.schemas import (
    Accepted,
    Amount,
    Body,
    HistoryItem,
    Percent,
    ShortText,
    Text,
)
from interfaces.http.security import READERS, SELLERS, command, reader

router = APIRouter(prefix="/quotes", tags=["quotes"], responses=ERROR_RESPONSES)

Seller = Annotated[CommandContext, command(SELLERS)]
Reader = reader(READERS)

BASE = "/quotes"


class DiscountIn(BaseModel):
    """A line discount: a percentage, or a fixed amount off the line."""

    kind: DiscountKind
    value: Amount = Field(ge=0)

    def value_object(self) -> Discount:
        return Discount(self.kind, self.value)


class QuoteDraft(Body):
    """A new quote for a known customer or a named prospect (Q1)."""

    currency: str = Field(min_length=3, max_length=3, examples=["EUR"])
    customer_id: UUID | None = None
    prospect: ShortText | None = Field(default=None, examples=["Boulangerie Martin"])
    valid_until: date | None = Field(default=None, examples=["2026-12-31"])
    salesperson: ShortText | None = None
    title: ShortText = ""


class LineIn(Body):
    """A quote line (Q2): free text or a product reference, with price and VAT."""

    description: Text = Field(examples=["Installation of the cash register"])
    quantity: Amount = Field(gt=0, examples=["3"])
    unit_price: Amount = Field(ge=0, examples=["19.99"])
    vat_rate: Percent = Field(examples=["20"])
    unit: ShortText = "unit"
    product_ref: ShortText | None = None
    discount: DiscountIn | None = None
    unit_cost: Amount | None = Field(default=None, ge=0)


class LinePatch(Body):
    """Fields of a line to change; the others stay as they are."""

    description: Text | None = None
    quantity: Amount | None = Field(default=None, gt=0)
    unit_price: Amount | None = Field(default=None, ge=0)
    vat_rate: Percent | None = None
    unit: ShortText | None = None
    product_ref: ShortText | None = None
    discount: DiscountIn | None = None
    unit_cost: Amount | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _something_changes(self) -> LinePatch:
        if not self.changes():
            raise ValueError("name at least one field of the line to change")
        return self

    def changes(self) -> dict[str, object]:
        changed = self.model_dump(exclude_unset=True, exclude={"reason"})
        if "discount" in changed:
            changed["discount"] = None if self.discount is None else self.discount.value_object()
        return changed


class LineView(BaseModel):
    line_id: str
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    vat_rate: Decimal
    discount: DiscountIn | None
    product_ref: str | None
    unit_cost: Decimal | None
    net: Decimal


class VatView(BaseModel):
    rate: Decimal
    vat: Decimal


class TotalsView(BaseModel):
    net: Decimal
    vat: Decimal
    gross: Decimal
    vat_by_rate: list[VatView]
    margin: Decimal | None


class QuoteView(BaseModel):
    """A quote as it stands (or stood, at a given version)."""

    id: UUID
    version: int
    status: str
    currency: str
    customer_id: UUID | None
    prospect: str | None
    title: str
    salesperson: str | None
    valid_until: date | None
    revision: int
    lines: list[LineView]
    totals: TotalsView
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, quote: Quote) -> QuoteView:
        totals = quote.totals()
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
            revision=quote.revision,
            lines=[
                LineView(
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
                    net=line_net(line.priced(), quote.currency),
                )
                for line in quote.lines.values()
            ],
            totals=TotalsView(
                net=totals.net,
                vat=totals.vat,
                gross=totals.gross,
                vat_by_rate=[VatView(rate=r, vat=v) for r, v in totals.vat_by_rate.items()],
                margin=totals.margin,
            ),
            created_at=quote.drafted_at,
            updated_at=quote.modified_on,
        )


def _accepted(outcome: CommandResult, response: Response) -> Accepted:
    response.headers["ETag"] = f'"{outcome.version}"'
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return Accepted.of(outcome, BASE)


OptionalBody = Annotated[Body | None, BodyParam()]


@router.post("", status_code=status.HTTP_201_CREATED, summary="Draft a quote (Q1)")
def draft_quote(
    body: QuoteDraft, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.quotes.draft(
        replace(ctx, reason=body.reason),
        currency=body.currency,
        customer_id=body.customer_id,
        prospect=body.prospect,
        valid_until=body.valid_until,
        salesperson=body.salesperson,
        title=body.title,
    )
    response.headers["Location"] = f"{BASE}/{outcome.aggregate_id}"
    return _accepted(outcome, response)


@router.post("/{quote_id}/lines", status_code=status.HTTP_201_CREATED, summary="Add a line (Q2)")
def add_line(
    quote_id: UUID, body: LineIn, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.quotes.add_line(
        replace(ctx, reason=body.reason),
        quote_id,
        description=body.description,
        quantity=body.quantity,
        unit_price=body.unit_price,
        vat_rate=body.vat_rate,
        unit=body.unit,
        product_ref=body.product_ref,
        discount=None if body.discount is None else body.discount.value_object(),
        unit_cost=body.unit_cost,
    )
    return _accepted(outcome, response)


@router.patch("/{quote_id}/lines/{line_id}", summary="Change a line (Q2)")
def change_line(
    quote_id: UUID,
    line_id: Annotated[str, Path(max_length=20)],
    body: LinePatch,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
) -> Accepted:
    outcome = services.app.quotes.change_line(
        replace(ctx, reason=body.reason), quote_id, line_id, body.changes()
    )
    return _accepted(outcome, response)


@router.delete("/{quote_id}/lines/{line_id}", summary="Remove a line (Q2)")
def remove_line(
    quote_id: UUID,
    line_id: Annotated[str, Path(max_length=20)],
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    reason = None if body is None else body.reason
    outcome = services.app.quotes.remove_line(replace(ctx, reason=reason), quote_id, line_id)
    return _accepted(outcome, response)


Verb = Literal["send", "accept", "decline"]


def _verb(
    verb: Verb, quote_id: UUID, ctx: Seller, services: ServicesDep, body: Body | None
) -> CommandResult:
    ctx = replace(ctx, reason=None if body is None else body.reason)
    commands = services.app.quotes
    handler = {"send": commands.send, "accept": commands.accept, "decline": commands.decline}
    return handler[verb](ctx, quote_id)


@router.post("/{quote_id}/send", summary="Send the quote to the customer (Q4)")
def send_quote(
    quote_id: UUID,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    return _accepted(_verb("send", quote_id, ctx, services, body), response)


@router.post("/{quote_id}/accept", summary="Record the customer's signature (Q4)")
def accept_quote(
    quote_id: UUID,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    return _accepted(_verb("accept", quote_id, ctx, services, body), response)


@router.post("/{quote_id}/decline", summary="Record the customer's refusal (Q4)")
def decline_quote(
    quote_id: UUID,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    return _accepted(_verb("decline", quote_id, ctx, services, body), response)


@router.get(
    "/{quote_id}",
    summary="The quote from the event store, now or at a version",
    dependencies=[Reader],
)
def get_quote(
    quote_id: UUID,
    services: ServicesDep,
    response: Response,
    version: Annotated[int | None, Query(ge=1, le=2**31)] = None,
) -> QuoteView:
    quote = services.app.quotes.get(quote_id, version)
    response.headers["ETag"] = f'"{quote.version}"'
    return QuoteView.of(quote)


@router.get(
    "/{quote_id}/history",
    summary="Every event of the quote with who, when and why",
    dependencies=[Reader],
)
def quote_history(quote_id: UUID, services: ServicesDep) -> list[HistoryItem]:
    items = history_items(services.app, quote_id)
    if not items or not items[0].type.startswith("Quote."):
        raise NotFound(f"no quote with id {quote_id}")
    return items
