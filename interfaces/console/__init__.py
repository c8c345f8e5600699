"""A read-only web console for managers, analysts and auditors (W1), under `/console`.

Server-rendered pages (Jinja2, htmx for partial updates, Chart.js for charts, every asset
served by Comptoir) over the same JSON routes an API client uses, called in-process with
the signed-in user's API key (`client.InternalClient`): one source of truth for every
figure, filter and access rule. French and English.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from interfaces.console import audit, documents, exports, finance, operations, sales, signin
from interfaces.console.nodes import ConsoleGate
from interfaces.console.session import PREFIX


def console_router() -> APIRouter:
    """Every console route: sign-in, pages, timeline, exports, the audit page."""
    router = APIRouter(include_in_schema=False)
    router.include_router(signin.router)
    for pages in (sales, finance, operations, documents, exports, audit):
        router.include_router(pages.router, prefix=PREFIX)
    return router


def install_console(app: FastAPI) -> None:
    """Serve the console from `app`, behind the gate that refuses it on a node that is not
    of role `all` (added as it is: `include_router` would copy it as a plain route)."""
    app.router.routes.append(ConsoleGate())
    app.include_router(console_router())
