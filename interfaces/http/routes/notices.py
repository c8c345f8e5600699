"""Notices: acknowledge a flag the scheduled jobs raised."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Response

from application.journal import CommandContext
from interfaces.http.deps import ServicesDep
from interfaces.http.problems import ERROR_RESPONSES
from interfaces.http.results import NoResult
from interfaces.http.schemas import Accepted, Body
from interfaces.http.security import READERS, SELLERS, command, reader

router = APIRouter(prefix="/notices", tags=["notices"], responses=ERROR_RESPONSES)

Seller = Annotated[CommandContext, command(SELLERS)]


@router.post("/{notice_id}/acknowledge", summary="Take a notice in hand")
def acknowledge_notice(
    notice_id: UUID,
    ctx: Seller,
    services: ServicesDep,
    response: Response,
    body: Body | None = None,
) -> Accepted:
    outcome = services.app.notices.acknowledge(
        replace(ctx, reason=None if body is None else body.reason), notice_id
    )
    response.headers["ETag"] = f'"{outcome.version}"'
    return Accepted.of(outcome, "/notices", NoResult)


@router.get("/{notice_id}", summary="A notice", dependencies=[reader(READERS)])
def get_notice(notice_id: UUID, services: ServicesDep) -> dict[str, str | None]:
    notice = services.app.notices.get(notice_id)
    return {
        "id": str(notice.id),
        "kind": notice.kind,
        "document_id": str(notice.document_id),
        "subject": notice.subject,
        "due": notice.due.isoformat(),
        "message": notice.message,
        "status": "open" if notice.open else "acknowledged",
        "acknowledged_by": notice.acknowledged_by,
    }
