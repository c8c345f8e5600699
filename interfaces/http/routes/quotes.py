"""Quote commands and reads (Q1–Q11): drafting, lines, discounts, approval, life cycle,
revisions, reminders, affairs and copies. Reads, revisions, diffs and history are in
`quote_reads`, actions on many quotes at once in `quote_bulk`.

Conversion into an order lives with the orders' routes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Response, status

from application.commands import CommandResult
from application.journal import CommandContext
from interfaces.http.deps import ServicesDep
from interfaces.http.problems import ERROR_RESPONSES
from interfaces.http.responses import OptionalBody, accepted, created, with_reason
from interfaces.http.results import AffairLinked, ApprovalResult, LineResult, QuoteCopied
from interfaces.http.routes.quote_requests import (
    ApprovalIn,
    CopyIn,
    DiscountsIn,
    LineIn,
    LinePatch,
    QuoteDraft,
    ReminderIn,
    RevisionIn,
    ValidityIn,
)
from interfaces.http.routes.quote_schemas import (
    DiscountIn,
    LineView,
    QuoteView,
    TotalsView,
    VatView,
)
from interfaces.http.schemas import (
    Accepted,
    Body,
    CommandAnswer,
)
from interfaces.http.security import MANAGERS, READERS, SELLERS, command, reader

router = APIRouter(prefix="/quotes", tags=["quotes"], responses=ERROR_RESPONSES)

Seller = Annotated[CommandContext, command(SELLERS)]
Manager = Annotated[CommandContext, command(MANAGERS)]
Reader = reader(READERS)

BASE = "/quotes"

__all__ = ["DiscountIn", "LineView", "QuoteView", "TotalsView", "VatView", "router"]


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
    return created(outcome, response, BASE)


@router.post("/{quote_id}/lines", status_code=status.HTTP_201_CREATED, summary="Add a line (Q2)")
def add_line(
    quote_id: UUID, body: LineIn, ctx: Seller, services: ServicesDep, response: Response
) -> CommandAnswer[LineResult]:
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
    return accepted(outcome, response, BASE, LineResult)


@router.patch("/{quote_id}/lines/{line_id}", summary="Change a line (Q2)")
def change_line(
    quote_id: UUID,
    line_id: Annotated[str, Path(max_length=20)],
    body: LinePatch,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
) -> CommandAnswer[LineResult]:
    outcome = services.app.quotes.change_line(
        replace(ctx, reason=body.reason), quote_id, line_id, body.changes()
    )
    return accepted(outcome, response, BASE, LineResult)


@router.delete("/{quote_id}/lines/{line_id}", summary="Remove a line (Q2)")
def remove_line(
    quote_id: UUID,
    line_id: Annotated[str, Path(max_length=20)],
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> CommandAnswer[LineResult]:
    outcome = services.app.quotes.remove_line(with_reason(ctx, body), quote_id, line_id)
    return accepted(outcome, response, BASE, LineResult)


Verb = Literal["send", "accept", "decline", "abandon", "expire"]


def _verb(
    verb: Verb, quote_id: UUID, ctx: CommandContext, services: ServicesDep, body: Body | None
) -> CommandResult:
    ctx = with_reason(ctx, body)
    commands = services.app.quotes
    handler = {
        "send": commands.send,
        "accept": commands.accept,
        "decline": commands.decline,
        "abandon": commands.abandon,
        "expire": commands.expire,
    }
    return handler[verb](ctx, quote_id)


@router.post("/{quote_id}/send", summary="Send the quote to the customer (Q4)")
def send_quote(
    quote_id: UUID,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    return accepted(_verb("send", quote_id, ctx, services, body), response, BASE)


@router.post("/{quote_id}/accept", summary="Record the customer's signature (Q4)")
def accept_quote(
    quote_id: UUID,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    return accepted(_verb("accept", quote_id, ctx, services, body), response, BASE)


@router.post("/{quote_id}/decline", summary="Record the customer's refusal (Q4)")
def decline_quote(
    quote_id: UUID,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    return accepted(_verb("decline", quote_id, ctx, services, body), response, BASE)


# Stays here, not in `quote_requests`: its OpenAPI name is qualified by this module, as
# the orders' routes have an `AffairIn` too.
class AffairIn(Body):
    """The affair that follows this quote."""

    affair_id: UUID


@router.post("/{quote_id}/approve", summary="A manager approves the current revision (Q7)")
def approve_quote(
    quote_id: UUID, body: ApprovalIn, ctx: Manager, services: ServicesDep, response: Response
) -> CommandAnswer[ApprovalResult]:
    outcome = services.app.quotes.approve(replace(ctx, reason=body.reason), quote_id)
    return accepted(outcome, response, BASE, ApprovalResult)


@router.put("/{quote_id}/discounts", summary="Set the document discounts of a draft (Q3)")
def set_discounts(
    quote_id: UUID, body: DiscountsIn, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.quotes.set_discounts(
        replace(ctx, reason=body.reason), quote_id, percents=body.percents, mode=body.mode
    )
    return accepted(outcome, response, BASE)


@router.put("/{quote_id}/validity", summary="Set the validity date of a draft (Q5)")
def set_validity(
    quote_id: UUID, body: ValidityIn, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.quotes.set_validity(
        replace(ctx, reason=body.reason), quote_id, valid_until=body.valid_until
    )
    return accepted(outcome, response, BASE)


@router.post("/{quote_id}/revise", summary="Open revision N+1 of a sent quote (Q6)")
def revise_quote(
    quote_id: UUID, body: RevisionIn, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.quotes.revise(replace(ctx, reason=body.reason), quote_id)
    return accepted(outcome, response, BASE)


@router.post("/{quote_id}/abandon", summary="Give up on a draft or sent quote (Q4)")
def abandon_quote(
    quote_id: UUID,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    return accepted(_verb("abandon", quote_id, ctx, services, body), response, BASE)


@router.post("/{quote_id}/expire", summary="Expire a sent quote past its validity date (Q5)")
def expire_quote(
    quote_id: UUID,
    ctx: Manager,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    """What the scheduled job does, issued by hand; refused while the quote is valid."""
    return accepted(_verb("expire", quote_id, ctx, services, body), response, BASE)


@router.post("/{quote_id}/reminders", summary="Record a reminder to the customer (Q11)")
def remind_quote(
    quote_id: UUID, body: ReminderIn, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.quotes.remind(
        replace(ctx, reason=body.reason), quote_id, channel=body.channel, note=body.note
    )
    return accepted(outcome, response, BASE)


@router.post("/{quote_id}/affair", summary="Follow the quote in an affair")
def attach_to_affair(
    quote_id: UUID, body: AffairIn, ctx: Seller, services: ServicesDep, response: Response
) -> CommandAnswer[AffairLinked]:
    outcome = services.app.quotes.attach_to_affair(
        replace(ctx, reason=body.reason), quote_id, affair_id=body.affair_id
    )
    return accepted(outcome, response, BASE, AffairLinked)


@router.post(
    "/{quote_id}/copy",
    status_code=status.HTTP_201_CREATED,
    summary="Copy the quote, or some lines, into a new draft (Q10)",
)
def copy_quote(
    quote_id: UUID, body: CopyIn, ctx: Seller, services: ServicesDep, response: Response
) -> CommandAnswer[QuoteCopied]:
    """The answer's `id` is the new draft's; `result.source_id` the copied quote's."""
    outcome = services.app.quotes.copy(
        replace(ctx, reason=body.reason),
        quote_id,
        line_ids=body.line_ids,
        valid_until=body.valid_until,
    )
    return created(outcome, response, BASE, QuoteCopied)
