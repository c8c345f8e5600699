"""Administration (admin role): API keys, and the read model's rebuilds."""

from __future__ import annotations

import logging
import threading
import weakref
from dataclasses import replace
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from application.journal import CommandContext
from domain.access import Role
from interfaces.http.deps import ServicesDep
from interfaces.http.problems import ERROR_RESPONSES
from interfaces.http.results import NoResult
from interfaces.http.schemas import Accepted, Body, ShortText
from interfaces.http.security import ADMINS, command, reader
from projections.live import LiveViews
from projections.parallel import RebuildStopped

router = APIRouter(prefix="/admin", tags=["admin"], responses=ERROR_RESPONSES)

Admin = Annotated[CommandContext, command(ADMINS)]
AdminRead = reader(ADMINS)
log = logging.getLogger(__name__)


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
    return Accepted.of(outcome, "/admin/keys", NoResult)


class ReadModelState(BaseModel):
    """The live read model: its file, its position, and the last rebuild."""

    file: str
    position: int
    log_position: int
    rebuild: str


class VerifyReport(BaseModel):
    """A rebuild from the log compared row for row with the live read model (H4)."""

    position: int
    events: int
    equal: bool
    differences: list[str]


class BackgroundRebuild:
    """The rebuilds asked of one read model: one at a time, its outcome kept to show."""

    def __init__(self) -> None:
        self.state = "none yet"
        self._lock = threading.Lock()

    def start(self, views: LiveViews) -> None:
        """Rebuild and switch in a thread, unless a rebuild runs already."""
        with self._lock:  # two requests at once start one rebuild
            if self.state == "running":
                return
            self.state = "running"
        threading.Thread(target=self._run, args=(views,), daemon=True).start()

    def _run(self, views: LiveViews) -> None:
        try:
            built = views.rebuild_and_switch()
        except RebuildStopped:  # the server is stopping: the rebuild removed its files
            self.state = "stopped: the server stopped before the rebuild's end"
        except Exception as error:  # reported through GET /admin/views, and logged
            log.exception("rebuild failed")
            self.state = f"failed: {error}"
        else:
            self.state = f"done: {built.events} events into {built.path.name}"


_rebuilds: weakref.WeakKeyDictionary[LiveViews, BackgroundRebuild] = weakref.WeakKeyDictionary()


def _rebuild_of(views: LiveViews) -> BackgroundRebuild:
    return _rebuilds.setdefault(views, BackgroundRebuild())


@router.get("/views", summary="The live read model's file and position", dependencies=[AdminRead])
def read_model(services: ServicesDep) -> ReadModelState:
    return ReadModelState(
        file=services.views.path.name,
        position=services.views.position,
        log_position=services.app.log_position(),
        rebuild=_rebuild_of(services.views).state,
    )


@router.post(
    "/views/rebuild",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Rebuild every view from the log into a fresh file, then serve from it",
    dependencies=[AdminRead],
)
def rebuild_views(services: ServicesDep) -> ReadModelState:
    _rebuild_of(services.views).start(services.views)
    return read_model(services)


@router.post(
    "/views/verify",
    summary="Rebuild into a scratch file and compare it with the live views, row for row",
    dependencies=[AdminRead],
)
def verify_views(services: ServicesDep) -> VerifyReport:
    built, differences = services.views.verify()
    return VerifyReport(
        position=built.position,
        events=built.events,
        equal=not differences,
        differences=[str(d) for d in differences],
    )
