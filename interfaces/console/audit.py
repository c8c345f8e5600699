"""The audit page: the audit log with its filters (from `/views/audit`), the hash chain's
state, and a button that runs the same check as `comptoir audit verify`.

The chain's state and the check come from the application (there is no JSON route for
them): the head of the chain (the last sealed position and its link), the log's end, and
the result of the last check run from the console with who ran it and when, kept on disk
(`last_check`: it survives a restart). Only auditors and managers see the chain and may
run the check (`AUDITORS`, as for the audit log itself).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from adapters.eventstore.chain import chain_store_for
from application.row_audit import audit_rows
from application.verification import verify
from interfaces.console.common import (
    chosen,
    day_param,
    error_page,
    export_link,
    instant,
    page_route,
    view_page,
)
from interfaces.console.last_check import Checked, last_check_path, load_check, save_check
from interfaces.console.rendering import render
from interfaces.console.session import (
    PREFIX,
    Console,
    NotSignedIn,
    csrf_ok,
    posted_form,
    signed_in,
)
from interfaces.http.security import AUDITORS
from interfaces.wiring import Services

router = APIRouter()

FILTERS = ("actor", "document_type", "document_id", "event_type")
_running = threading.Lock()


@dataclass(frozen=True)
class ChainState:
    """Where the chain stands against the log."""

    sealed_to: int
    head: str | None
    log_position: int

    @property
    def unsealed(self) -> int:
        return max(0, self.log_position - self.sealed_to)


def chain_state(services: Services) -> ChainState:
    head = chain_store_for(services.app).head()
    return ChainState(
        0 if head is None else head.notification_id,
        None if head is None else head.link.hex(),
        services.app.log_position(),
    )


def check(services: Services, user: str) -> Checked:
    """Walk the log against the chain and every row against its MAC (`audit verify`)."""
    app = services.app
    report = verify(app, chain_store_for(app))
    rows = audit_rows(app)
    return Checked(services.clock(), user, report.ok and rows.ok, str(report), str(rows))


def kept_at(services: Services) -> Path:
    """The file that keeps the last check of this node (next to its views)."""
    return last_check_path(services.settings.duckdb_path)


@page_route(router, "/audit")
async def audit_page(console: Console) -> Response:
    """The audit log filtered by actor, document, event type and days; the chain."""
    filters = chosen(console, FILTERS)
    since, until = day_param(console, "since"), day_param(console, "until")
    params: dict[str, Any] = {
        **filters,
        "since": None if since is None else f"{since.isoformat()}T00:00:00Z",
        "until": instant(until),
    }
    rows, pager = await view_page(console, "/views/audit", params)
    services: Services = console.request.app.state.services
    state = await run_in_threadpool(chain_state, services)
    checked = await run_in_threadpool(load_check, kept_at(services))
    context = {
        "title": console.words.gettext("Audit"),
        "filters": {**filters, "since": since or "", "until": until or ""},
        "rows": rows["items"],
        "pager": pager,
        "chain": state,
        "checked": checked,
        "running": _running.locked(),
        "export": export_link("audit", {**params}),
    }
    return render(console.request, "audit.html", context, console)


async def run_verify(request: Request) -> Response:
    """Run the check (auditors and managers), then show the audit page with its result."""
    try:
        console = await signed_in(request)
    except NotSignedIn:
        return RedirectResponse(f"{PREFIX}/sign-in", status_code=303)
    form = await posted_form(request)
    if not csrf_ok(request, form):
        return error_page(console, 403, console.words.gettext("The form has expired: try again."))
    if not console.principal.has_any(AUDITORS):
        detail = console.words.gettext("Only auditors and managers may run the check.")
        return error_page(console, 403, detail)
    if not _running.acquire(blocking=False):
        return error_page(console, 409, console.words.gettext("A check is already running."))
    try:
        services: Services = request.app.state.services
        checked = await run_in_threadpool(check, services, console.principal.user)
        await run_in_threadpool(save_check, kept_at(services), checked)
    finally:
        _running.release()
    return RedirectResponse(f"{PREFIX}/audit", status_code=303)


router.add_route("/audit/verify", run_verify, methods=["POST"], include_in_schema=False)
