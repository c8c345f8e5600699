"""Orders (O1, O2, O4, O8): entry, conversion of a quote (Q9), confirmation, amendments,
cancellation and closing. Deliveries, returns, invoices and payments are in
`order_fulfilment`; the order, its history and diffs in `order_reads`."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Response, status
from fastapi import Body as BodyParam
from pydantic import BaseModel, Field

from application.access import Principal
from application.journal import CommandContext
from application.order_catalogue import AddProduct, ChangeRequest, ProductLineRequest
from domain.order import AddLine, ChangeLine, RemoveLine
from interfaces.http.deps import ServicesDep
from interfaces.http.problems import ERROR_RESPONSES, Forbidden
from interfaces.http.responses import OptionalBody, accepted, created, with_reason
from interfaces.http.results import AmendmentResult, OrderConverted
from interfaces.http.routes.order_schemas import (
    AddLineIn,
    ChangeIn,
    ChangeLineIn,
    ConfirmIn,
    ConvertIn,
    LineId,
    OrderIn,
)
from interfaces.http.schemas import (
    Accepted,
    Body,
    CommandAnswer,
)
from interfaces.http.security import (
    BILLING,
    MANAGERS,
    READERS,
    SELLERS,
    authenticated,
    command,
    reader,
)

router = APIRouter(tags=["orders"], responses=ERROR_RESPONSES)

Seller = Annotated[CommandContext, command(SELLERS)]
Closer = Annotated[CommandContext, command(SELLERS | BILLING)]
Biller = Annotated[CommandContext, command(BILLING)]
Caller = Annotated[Principal, Depends(authenticated)]
Reader = reader(READERS)

BASE = "/orders"


# ---- bodies -----------------------------------------------------------------------------
# These stay here, the others are in `order_schemas`: their OpenAPI names are qualified
# by this module, as the contracts' and quotes' routes have models of the same names.


class AmendmentIn(Body):
    """A numbered amendment (O4): its reason is required; changes apply in order."""

    changes: list[ChangeIn] = Field(min_length=1, max_length=200)

    def value_objects(self) -> list[ChangeRequest]:
        result: list[ChangeRequest] = []
        for change in self.changes:
            if isinstance(change, AddLineIn):
                line = change.line.value_object("")
                result.append(
                    AddProduct(line) if isinstance(line, ProductLineRequest) else AddLine(line)
                )
            elif isinstance(change, ChangeLineIn):
                result.append(ChangeLine(change.line_id, change.quantity, change.unit_price))
            else:
                result.append(RemoveLine(change.line_id))
        return result


class AffairIn(Body):
    """Assign the whole order, or one line, to an affair (O8)."""

    affair_id: UUID
    line_id: LineId | None = None


class AmendmentView(BaseModel):
    number: int
    at: datetime
    reason: str
    changes: list[dict[str, object]]


# ---- commands -------------------------------------------------------------------------


OptionalConfirm = Annotated[ConfirmIn | None, BodyParam()]
OrderId = Annotated[UUID, Path()]


@router.post(BASE, status_code=status.HTTP_201_CREATED, summary="Enter an order directly (O1)")
def create_order(body: OrderIn, ctx: Seller, services: ServicesDep, response: Response) -> Accepted:
    outcome = services.app.orders.create(
        replace(ctx, reason=body.reason),
        customer_id=body.customer_id,
        currency=body.currency,
        lines=[line.value_object(f"L{n}") for n, line in enumerate(body.lines, start=1)],
        affair_id=body.affair_id,
        invoice_policy=body.invoice_policy,
        discounts=body.discounts,
        discount_mode=body.discount_mode,
    )
    return created(outcome, response, BASE)


@router.post(
    "/quotes/{quote_id}/convert",
    status_code=status.HTTP_201_CREATED,
    summary="Convert an accepted quote into an order (Q9)",
)
def convert_quote(
    quote_id: UUID,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: Annotated[ConvertIn | None, BodyParam()] = None,
) -> CommandAnswer[OrderConverted]:
    body = body or ConvertIn()
    outcome = services.app.orders.convert_quote(
        replace(ctx, reason=body.reason), quote_id, body.line_ids, body.customer_id
    )
    return created(outcome, response, BASE, OrderConverted)


@router.post(f"{BASE}/{{order_id}}/confirm", summary="Confirm after the credit check (O2)")
def confirm_order(
    order_id: OrderId,
    ctx: Seller,
    caller: Caller,
    services: ServicesDep,
    response: Response,
    body: OptionalConfirm = None,
) -> Accepted:
    override = None if body is None else body.override
    if override is not None and not caller.has_any(MANAGERS):
        raise Forbidden("only a manager may override the credit check")
    outcome = services.app.orders.confirm(
        with_reason(ctx, body),
        order_id,
        override_reason=None if override is None else override.reason,
    )
    return accepted(outcome, response, BASE)


@router.post(f"{BASE}/{{order_id}}/cancel", summary="Cancel, with a reason (O1)")
def cancel_order(
    order_id: OrderId,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    outcome = services.app.orders.cancel(with_reason(ctx, body), order_id)
    return accepted(outcome, response, BASE)


@router.post(f"{BASE}/{{order_id}}/close", summary="Close a delivered, invoiced order (O1)")
def close_order(
    order_id: OrderId,
    ctx: Closer,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    outcome = services.app.orders.close(with_reason(ctx, body), order_id)
    return accepted(outcome, response, BASE)


@router.post(
    f"{BASE}/{{order_id}}/amendments",
    status_code=status.HTTP_201_CREATED,
    summary="Amend a confirmed order, with a reason (O4)",
)
def amend_order(
    order_id: OrderId, body: AmendmentIn, ctx: Seller, services: ServicesDep, response: Response
) -> CommandAnswer[AmendmentResult]:
    outcome = services.app.orders.amend(
        replace(ctx, reason=body.reason), order_id, body.value_objects()
    )
    return accepted(outcome, response, BASE, AmendmentResult)


@router.post(f"{BASE}/{{order_id}}/affair", summary="Assign the order or a line to an affair (O8)")
def assign_to_affair(
    order_id: OrderId, body: AffairIn, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.orders.assign_to_affair(
        replace(ctx, reason=body.reason), order_id, body.affair_id, body.line_id
    )
    return accepted(outcome, response, BASE)
