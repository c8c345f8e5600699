"""Administration: API keys (admin role)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from application.journal import CommandContext
from domain.access import Role
from interfaces.http.deps import ServicesDep
from interfaces.http.problems import ERROR_RESPONSES
from interfaces.http.schemas import Accepted, Body, ShortText
from interfaces.http.security import ADMINS, command

router = APIRouter(prefix="/admin", tags=["admin"], responses=ERROR_RESPONSES)

Admin = Annotated[CommandContext, command(ADMINS)]


class KeyRequest(Body):
    """A key for a user with roles."""

    user: ShortText = Field(min_length=1, examples=["alice"])
    roles: list[Role] = Field(min_length=1, max_length=5, examples=[["sales"]])


class IssuedKey(BaseModel):
    """The new key's secret, shown once and stored nowhere."""

    id: UUID
    user: str
    roles: list[Role]
    key: str


@router.post("/keys", status_code=status.HTTP_201_CREATED, summary="Issue an API key")
def issue_key(body: KeyRequest, ctx: Admin, services: ServicesDep) -> IssuedKey:
    secret, outcome = services.app.access.issue(
        replace(ctx, reason=body.reason), user=body.user, roles=[str(r) for r in body.roles]
    )
    return IssuedKey(id=outcome.aggregate_id, user=body.user, roles=body.roles, key=secret)


@router.delete("/keys/{key_id}", summary="Revoke an API key")
def revoke_key(key_id: UUID, ctx: Admin, services: ServicesDep) -> Accepted:
    outcome = services.app.access.revoke(ctx, key_id)
    return Accepted.of(outcome, "/admin/keys")
