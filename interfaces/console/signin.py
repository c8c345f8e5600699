"""Signing in and out, the console's home, and its static files (served by Comptoir
itself: the console needs no internet access)."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from interfaces.console.i18n import LANG_COOKIE, LANGUAGES, Words, language
from interfaces.console.rendering import SECURITY_HEADERS, render
from interfaces.console.session import (
    KEY_COOKIE,
    PREFIX,
    csrf_ok,
    csrf_token,
    local_target,
    posted_form,
    principal_of,
    set_cookie,
    sign_in_cookie,
    sign_out_cookie,
)

router = APIRouter(include_in_schema=False)

HOME = f"{PREFIX}/pipeline"
STATIC = {
    "htmx.min.js": "text/javascript; charset=utf-8",
    "chart.umd.min.js": "text/javascript; charset=utf-8",
    "console.js": "text/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
    "htmx.LICENSE.txt": "text/plain; charset=utf-8",
    "chart.js.LICENSE.txt": "text/plain; charset=utf-8",
    "VENDORED.txt": "text/plain; charset=utf-8",
}


async def home(request: Request) -> Response:
    target = HOME if request.cookies.get(KEY_COOKIE) else f"{PREFIX}/sign-in"
    return RedirectResponse(target, status_code=303)


async def sign_in_page(request: Request) -> Response:
    """The form that asks for an API key."""
    return _sign_in_form(request, None, 200)


def _sign_in_form(request: Request, error: str | None, status: int) -> Response:
    target = local_target(request.query_params.get("next"), HOME)
    context = {"title": "Comptoir", "error": error, "next": target, "csrf": csrf_token(request)}
    response = render(request, "signin.html", context, status=status)
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        set_cookie(response, LANG_COOKIE, str(asked), 365 * 86400)
    return response


async def sign_in(request: Request) -> Response:
    """Check the posted key as the API would, then keep it in the session cookie."""
    words = Words(language(request))
    form = await posted_form(request)
    if not csrf_ok(request, form):
        return _sign_in_form(request, words.gettext("The form has expired: try again."), 403)
    secret = form.get("api_key", "").strip()
    principal = await principal_of(request.app.state.services, secret)
    if principal is None:
        return _sign_in_form(request, words.gettext("This API key is not valid."), 401)
    response = RedirectResponse(local_target(form.get("next"), HOME), status_code=303)
    sign_in_cookie(response, secret)
    return response


async def sign_out(request: Request) -> Response:
    """Forget the key (the form's token must match, so no other site can sign one out)."""
    form = await posted_form(request)
    if not csrf_ok(request, form):
        words = Words(language(request))
        return _sign_in_form(request, words.gettext("The form has expired: try again."), 403)
    response = RedirectResponse(f"{PREFIX}/sign-in", status_code=303)
    sign_out_cookie(response)
    return response


async def choose_language(request: Request) -> Response:
    """Remember the reader's language, then go back to the page they were on."""
    lang = str(request.path_params["lang"])
    target = local_target(request.query_params.get("next"), HOME)
    response = RedirectResponse(target, status_code=303)
    if lang in LANGUAGES:
        set_cookie(response, LANG_COOKIE, lang, 365 * 86400)
    return response


@cache
def _static(name: str) -> tuple[bytes, str]:
    data = resources.files("interfaces.console").joinpath("static", name).read_bytes()
    return data, hashlib.sha256(data).hexdigest()[:16]


async def static_file(request: Request) -> Response:
    """A file of the console's own (scripts, styles, licences), never one outside them."""
    name = str(request.path_params["name"])
    if name not in STATIC:
        return Response(status_code=404, headers=SECURITY_HEADERS)
    data, etag = _static(name)
    headers = {**SECURITY_HEADERS, "ETag": f'"{etag}"', "Cache-Control": "public, max-age=3600"}
    if request.headers.get("if-none-match") == f'"{etag}"':
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=STATIC[name], headers=headers)


# plain routes (not API operations): a session cookie, not an API key, admits here
for path, endpoint, method in (
    (PREFIX, home, "GET"),
    (f"{PREFIX}/sign-in", sign_in_page, "GET"),
    (f"{PREFIX}/sign-in", sign_in, "POST"),
    (f"{PREFIX}/sign-out", sign_out, "POST"),
    (f"{PREFIX}/language/{{lang}}", choose_language, "GET"),
    (f"{PREFIX}/static/{{name}}", static_file, "GET"),
):
    router.add_route(path, endpoint, methods=[method], include_in_schema=False)
