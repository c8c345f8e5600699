"""Signing in to the console: the API key in a cookie, and CSRF tokens for the forms.

The key a user posts on the sign-in page is checked exactly as the API checks it, then
kept in a `Secure; HttpOnly; SameSite=Strict` cookie scoped to `/console`: page scripts
cannot read it, and no other site's page can make the browser send it. Every page is a
GET that changes nothing; the three POSTs (sign in, sign out, run verify) also carry a
token equal to a random cookie of their own (double submit) and, when the browser says
where the form came from (`Origin`), it must be this server.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from fastapi.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from application.access import Principal, well_formed
from interfaces.console.client import InternalClient
from interfaces.console.i18n import Words, language
from interfaces.wiring import Services

KEY_COOKIE = "comptoir_console"
CSRF_COOKIE = "comptoir_console_csrf"
CSRF_FIELD = "csrf"
PREFIX = "/console"
SESSION_SECONDS = 8 * 3600
MAX_FORM_BYTES = 4096


@dataclass(frozen=True)
class Console:
    """One console request: who asks, in which language, and the client that asks the
    app's JSON routes for them."""

    request: Request
    principal: Principal
    client: InternalClient
    words: Words
    csrf: str


class NotSignedIn(Exception):
    """No key cookie, or one the API no longer accepts."""


async def principal_of(services: Services, secret: str) -> Principal | None:
    """The key's principal as the API would find it (malformed, unknown, revoked: None)."""
    if not well_formed(secret):
        return None
    access = services.app.access
    known, principal = access.recently_authenticated(secret)
    if not known:
        principal = await run_in_threadpool(access.authenticate, secret)
    return principal


async def signed_in(request: Request) -> Console:
    """The console context of a request whose cookie holds a key the API accepts."""
    secret = request.cookies.get(KEY_COOKIE, "")
    principal = await principal_of(request.app.state.services, secret)
    if principal is None:
        raise NotSignedIn
    request.state.actor = principal.user  # for the request log
    client = InternalClient(request.app, secret)
    return Console(request, principal, client, Words(language(request)), csrf_token(request))


def csrf_token(request: Request) -> str:
    """The form token: the browser's CSRF cookie, or a new one that `keep_csrf` sets."""
    token = request.cookies.get(CSRF_COOKIE, "")
    if len(token) != 43:
        token = getattr(request.state, "new_csrf", "") or secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


def keep_csrf(request: Request, response: Response) -> None:
    """Set the CSRF cookie when this request made a new token."""
    token = getattr(request.state, "new_csrf", "")
    if token:
        set_cookie(response, CSRF_COOKIE, token, SESSION_SECONDS)


def set_cookie(response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=PREFIX,
        secure=True,
        httponly=True,
        samesite="strict",
    )


def sign_in_cookie(response: Response, secret: str) -> None:
    set_cookie(response, KEY_COOKIE, secret, SESSION_SECONDS)


def sign_out_cookie(response: Response) -> None:
    response.delete_cookie(KEY_COOKIE, path=PREFIX, secure=True, httponly=True, samesite="strict")


async def posted_form(request: Request) -> dict[str, str]:
    """A small url-encoded form (the console's forms hold a key and a token at most)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    fields = parse_qs(body.decode(errors="replace"), max_num_fields=10)
    return {name: values[0] for name, values in fields.items() if values}


def csrf_ok(request: Request, form: dict[str, str]) -> bool:
    """The form's token matches the CSRF cookie, and it was posted from this origin."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    posted = form.get(CSRF_FIELD, "")
    if len(cookie) != 43 or not hmac.compare_digest(cookie.encode(), posted.encode()):
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None  # an opaque origin ("null") is never ours
    return urlsplit(origin).netloc == request.headers.get("host", "")


def local_target(target: str | None, default: str) -> str:
    """Where to go after signing in: a console path of this server, never elsewhere."""
    if target and target.startswith(PREFIX + "/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return default
