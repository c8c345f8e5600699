"""Affair follow-up: progress (A7), actions (A8) and actions on many affairs at once."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Response, status

from application.access import Principal
from interfaces.http.deps import ServicesDep
from interfaces.http.problems import ERROR_RESPONSES, Forbidden
from interfaces.http.responses import OptionalBody, accepted, with_reason
from interfaces.http.results import ActionRecorded
from interfaces.http.routes.affair_schemas import (
    ActionIn,
    BulkActionIn,
    BulkReassign,
    ProgressIn,
)
from interfaces.http.routes.affairs import BASE, BulkItemView, BulkResult, Seller
from interfaces.http.schemas import Accepted, CommandAnswer
from interfaces.http.security import MANAGERS, authenticated

router = APIRouter(prefix="/affairs", tags=["affairs"], responses=ERROR_RESPONSES)


# --- A7, A8 -----------------------------------------------------------------------------


@router.post("/{affair_id}/progress", summary="Report progress, 0–100 percent (A7)")
def report_progress(
    affair_id: UUID, body: ProgressIn, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.report_progress(with_reason(ctx, body), affair_id, body.percent)
    return accepted(outcome, response, BASE)


@router.post(
    "/{affair_id}/actions",
    status_code=status.HTTP_201_CREATED,
    summary="Record a task, appointment, note or e-mail (A8)",
)
def record_action(
    affair_id: UUID, body: ActionIn, ctx: Seller, services: ServicesDep, response: Response
) -> CommandAnswer[ActionRecorded]:
    outcome = services.app.affairs.record_action(
        with_reason(ctx, body),
        affair_id,
        kind=body.kind,
        subject=body.subject,
        assignee=body.assignee,
        due=body.due,
        body=body.body,
    )
    return accepted(outcome, response, BASE, ActionRecorded)


@router.post("/{affair_id}/actions/{action_id}/complete", summary="Mark an action done (A8)")
def complete_action(
    affair_id: UUID,
    action_id: UUID,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: OptionalBody = None,
) -> Accepted:
    outcome = services.app.affairs.complete_action(with_reason(ctx, body), affair_id, action_id)
    return accepted(outcome, response, BASE)


# --- bulk actions (A8) -----------------------------------------------------------------


@router.post(
    "/bulk-actions",
    summary="Apply one action to many affairs, each recorded or refused whole (A8)",
)
def bulk_action(
    body: BulkActionIn,
    ctx: Seller,
    principal: Annotated[Principal, Depends(authenticated)],
    services: ServicesDep,
) -> BulkResult:
    if isinstance(body.action, BulkReassign) and not principal.has_any(MANAGERS):
        raise Forbidden("reassigning affairs needs the manager role")
    items = services.app.affairs.bulk_action(
        with_reason(ctx, body), body.affair_ids, body.action.item()
    )
    views = [BulkItemView.of(item) for item in items]
    positions = [v.position for v in views if v.position is not None]
    return BulkResult(
        succeeded=sum(v.ok for v in views),
        failed=sum(not v.ok for v in views),
        position=max(positions, default=None),
        items=views,
    )
