"""What every console page shares: signing in first, the as-of day, server-side paging,
the filters carried from the query string to the JSON views, and error pages."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from interfaces.console.client import Refused
from interfaces.console.rendering import render
from interfaces.console.session import PREFIX, Console, NotSignedIn, signed_in

PAGE_ROWS = 20
MAX_PAGE = 100_000
DAY = re.compile(r"(19\d{2}|2\d{3})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")
Handler = Callable[[Console], Awaitable[Response]]


class BadFilter(Exception):
    """A filter of the console's own (a day, a page number) is not well formed."""


def page_route(router: APIRouter, path: str) -> Callable[[Handler], Handler]:
    """Register a console page: signed-in users only (others go to the sign-in page),
    and the app's refusals shown as pages with the app's status."""

    def register(handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            try:
                console = await signed_in(request)
            except NotSignedIn:
                target = urlencode({"next": request.url.path + _query(request)})
                return RedirectResponse(f"{PREFIX}/sign-in?{target}", status_code=303)
            try:
                return await handler(console)
            except Refused as refused:
                return error_page(console, refused.status, refused.detail)
            except BadFilter as bad:
                return error_page(console, 422, str(bad))

        endpoint.__name__ = handler.__name__
        endpoint.__doc__ = handler.__doc__
        # a plain route: the cookie signs in here, and the API's own routes check roles
        router.add_route(path, endpoint, methods=["GET"], include_in_schema=False)
        return handler

    return register


def _query(request: Request) -> str:
    return f"?{request.url.query}" if request.url.query else ""


def error_page(console: Console, status: int, detail: str) -> Response:
    words = console.words
    titles = {
        401: words.gettext("Please sign in again"),
        403: words.gettext("Your role does not allow this page"),
        404: words.gettext("Not found"),
        422: words.gettext("This request cannot be answered"),
    }
    title = titles.get(status, words.gettext("Something went wrong"))
    context = {"title": title, "status": status, "detail": detail}
    return render(console.request, "error.html", context, console, status=status)


def as_of_day(console: Console) -> date | None:
    """The page's as-of day (`as_of=YYYY-MM-DD`), or None for now."""
    return day_param(console, "as_of")


def day_param(console: Console, name: str) -> date | None:
    text = console.request.query_params.get(name, "").strip()
    if not text:
        return None
    if not DAY.fullmatch(text):
        raise BadFilter(console.words.gettext("A day is written YYYY-MM-DD."))
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadFilter(console.words.gettext("A day is written YYYY-MM-DD.")) from None


def instant(day: date | None) -> str | None:
    """The last moment of `day` (UTC) as the views' `as_of`: the day as it ended."""
    if day is None:
        return None
    return f"{day.isoformat()}T23:59:59.999999Z"


def today(console: Console) -> date:
    """The day the page answers for: the as-of day, else the server's today."""
    services = console.request.app.state.services
    clock_today: date = services.clock().date()
    return as_of_day(console) or clock_today


def chosen(console: Console, names: Iterable[str]) -> dict[str, str]:
    """The filters among `names`, as the user set them ("" for those left blank; the
    client leaves blank ones out of the JSON requests)."""
    params = console.request.query_params
    return {name: params.get(name, "").strip()[:200] for name in names}


@dataclass(frozen=True)
class Pager:
    """Which rows of a view a page shows, and the links to the pages around it."""

    number: int
    total: int
    rows: int = PAGE_ROWS
    param: str = "page"

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.rows

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.rows))

    @property
    def first_row(self) -> int:
        return 0 if self.total == 0 else self.offset + 1

    @property
    def last_row(self) -> int:
        return min(self.total, self.offset + self.rows)

    def link(self, request: Request, number: int) -> str:
        params = dict(request.query_params)
        params[self.param] = str(number)
        return f"{request.url.path}?{urlencode(params)}"


def page_number(console: Console, param: str = "page") -> int:
    text = console.request.query_params.get(param, "1")
    if not text.isdigit() or not 1 <= int(text) <= MAX_PAGE:
        raise BadFilter(console.words.gettext("A page is a number from 1."))
    return int(text)


async def view_page(
    console: Console, path: str, params: dict[str, Any], param: str = "page", rows: int = PAGE_ROWS
) -> tuple[dict[str, Any], Pager]:
    """One page of a paged JSON view, and its pager."""
    number = page_number(console, param)
    asked = {**params, "limit": rows, "offset": (number - 1) * rows}
    body: dict[str, Any] = await console.client.json(path, asked)
    return body, Pager(number, int(body.get("total", 0)), rows, param)


def export_link(view: str, params: dict[str, Any]) -> str:
    """The console's link to a view's export with the page's filters (format added)."""
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{PREFIX}/export/{view}?{urlencode(kept)}"


def month_start(day: date, shift: int = 0) -> date:
    """The first day of `day`'s month, `shift` months later (earlier if negative)."""
    index = day.year * 12 + day.month - 1 + shift
    return date(index // 12, index % 12 + 1, 1)


def next_day(day: date) -> date:
    return day + timedelta(days=1)


def chart(kind: str, labels: list[str], *series: tuple[Any, ...], **extra: Any) -> dict[str, Any]:
    """A chart's data for console.js: `series` are (label, values) or (label, values,
    "line") for a line drawn over bars; `extra` says currency, horizontal, stacked."""
    datasets = [
        {"label": s[0], "data": list(s[1]), **({"kind": s[2]} if len(s) > 2 else {})}
        for s in series
    ]
    return {"type": kind, "labels": labels, "datasets": datasets, **extra}
