"""The export button of every page: the view's HTTP export (CSV, Parquet or XLSX) with
the page's filters, streamed through from `/views/<view>/export` as the app answers it."""

from __future__ import annotations

import re

from fastapi import APIRouter
from starlette.responses import Response, StreamingResponse

from interfaces.console.client import Reply
from interfaces.console.common import BadFilter, as_of_day, error_page, instant, page_route
from interfaces.console.rendering import SECURITY_HEADERS
from interfaces.console.session import Console

router = APIRouter()

EXPORTED = re.compile(
    r"pipeline|budget-vs-actual|orders|invoices|contracts|warranty|service-cases|audit"
    r"|quote-validity/(signed|pending|expires_soon|expires_later|expired)"
)
_PASSED_ON = ("content-type", "content-disposition", "x-view-position")
_CONSOLE_ONLY = ("lang", "as_of", "page")


@page_route(router, "/export/{view:path}")
async def export_file(console: Console) -> Response:
    """The file of a view's rows with the page's filters; the app's refusal as a page."""
    view = str(console.request.path_params["view"])
    if not EXPORTED.fullmatch(view):
        raise BadFilter(console.words.gettext("This view has no export."))
    params = {k: v for k, v in console.request.query_params.multi_items() if k not in _CONSOLE_ONLY}
    asked = {**params, "as_of": instant(as_of_day(console))}
    streamed = await console.client.stream(f"/views/{view}/export", asked)
    if streamed.status != 200:
        body = b"".join([chunk async for chunk in streamed.chunks])
        return error_page(console, streamed.status, Reply(streamed.status, {}, body).detail())
    headers = {k: v for k, v in streamed.headers.items() if k in _PASSED_ON}
    return StreamingResponse(streamed.chunks, headers={**SECURITY_HEADERS, **headers})
