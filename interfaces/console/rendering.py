"""Server-rendered pages: the Jinja2 templates of the console, whole or as a fragment.

A request that htmx makes to swap the page's main region (`HX-Request` with
`HX-Target: main`) gets only the template's `content` block; any other gets the whole
page. Every answer forbids framing and caching and allows only this server's scripts,
styles and images (Content-Security-Policy), so a value shown on a page can never run.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from domain.access import Role
from interfaces.console.i18n import Words, language
from interfaces.console.session import Console, keep_csrf
from interfaces.http.security import AUDITORS

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "Vary": "HX-Request, HX-Target, Cookie, Accept-Language",
}

NAVIGATION = (
    ("pipeline", "Pipeline"),
    ("forecast", "Forecast"),
    ("quotes", "Quotes"),
    ("budget", "Budgets"),
    ("orders", "Orders"),
    ("contracts", "Contracts"),
    ("service", "Service"),
    ("documents", "Documents"),
)


@cache
def environment() -> Environment:
    """The templates, escaped as HTML; an undefined name is an error, not a blank."""
    env = Environment(
        loader=PackageLoader("interfaces.console", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["urlencode"] = urlencode
    for name in ("number", "money", "percent", "day", "instant"):
        env.filters[name] = _in_language(name)
    return env


def _in_language(name: str) -> Any:
    """A filter that formats in the language of the page being rendered."""

    @pass_context
    def formatted(context: Context, value: Any, *args: Any) -> str:
        text: str = getattr(context["words"], name)(value, *args)
        return text

    return formatted


def fragment_only(request: Request) -> bool:
    """Whether htmx asks for the page's content only (to swap the main region or a panel)."""
    target = request.headers.get("hx-target")
    return request.headers.get("hx-request") == "true" and target in ("main", "diff")


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    console: Console | None = None,
    status: int = 200,
) -> Response:
    """The page (or its `content` block for htmx) with the console's security headers."""
    words = console.words if console is not None else Words(language(request))
    page = environment().get_template(template)
    values = {
        **context,
        "_": words.gettext,
        "words": words,
        "term": lambda value: words.gettext(str(value or "—")).replace("_", " "),
        "lang": words.lang,
        "user": None if console is None else console.principal.user,
        "roles": [] if console is None else sorted(console.principal.roles),
        "auditor": console is not None and console.principal.has_any(AUDITORS),
        "seller_only": console is not None
        and Role.SALES in console.principal.roles
        and Role.MANAGER not in console.principal.roles,
        "csrf": context.get("csrf", "") if console is None else console.csrf,
        "navigation": NAVIGATION,
        "path": request.url.path,
        "page_link": lambda pager, number: pager.link(request, number),
        "query": str(request.url.query),
    }
    # the macros every template uses as `m`, bound to this page's values
    values["m"] = environment().get_template("macros.html").make_module(values)
    if fragment_only(request) and "content" in page.blocks:
        body = "".join(page.blocks["content"](page.new_context(values)))
    else:
        body = page.render(values)
    response = HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)
    keep_csrf(request, response)
    return response
