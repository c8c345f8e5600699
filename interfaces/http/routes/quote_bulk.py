"""Actions on many quotes at once (Q11): each quote its own command, recorded or refused."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter
from fastapi import Body as BodyParam

from interfaces.http.deps import ServicesDep
from interfaces.http.problems import ERROR_RESPONSES
from interfaces.http.routes.quote_requests import (
    BulkActionIn,
    BulkAttach,
    BulkReminder,
    BulkRemindersIn,
)
from interfaces.http.routes.quote_schemas import BulkResult
from interfaces.http.routes.quotes import Seller

router = APIRouter(prefix="/quotes", tags=["quotes"], responses=ERROR_RESPONSES)


@router.post(
    "/bulk-reminders",
    summary="Record a reminder on each of many quotes (Q11)",
    response_model_exclude_none=True,
)
def bulk_reminders(body: BulkRemindersIn, ctx: Seller, services: ServicesDep) -> BulkResult:
    """The "reminder" case of POST /quotes/bulk-actions; see there for the rules."""
    items = services.app.quotes.bulk(
        replace(ctx, reason=body.reason),
        "reminder",
        body.quote_ids,
        channel=body.channel,
        note=body.note,
    )
    return BulkResult.of(items)


@router.post(
    "/bulk-actions",
    summary="Apply one action to many quotes, each as its own command",
    response_model_exclude_none=True,
)
def bulk_actions(
    body: Annotated[BulkActionIn, BodyParam()], ctx: Seller, services: ServicesDep
) -> BulkResult:
    """Actions: reminder (channel, note), attach_to_affair (affair_id), abandon (reason).

    Each quote gets its own command, transaction and journal row: a refused quote is
    reported as {quote_id, ok: false, type, detail} and the others go on; a recorded one
    as {quote_id, ok: true, version, position}. The answer is 200 either way. Under an
    Idempotency-Key K, the command for quote Q uses the key "K:Q"; If-Match is ignored.
    """
    ctx = replace(ctx, reason=body.reason)
    quotes = services.app.quotes
    if isinstance(body, BulkReminder):
        items = quotes.bulk(ctx, "reminder", body.quote_ids, channel=body.channel, note=body.note)
    elif isinstance(body, BulkAttach):
        items = quotes.bulk(ctx, "attach_to_affair", body.quote_ids, affair_id=body.affair_id)
    else:
        items = quotes.bulk(ctx, "abandon", body.quote_ids)
    return BulkResult.of(items)
