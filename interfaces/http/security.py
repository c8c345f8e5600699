"""Authentication by API key (`X-API-Key` or `Authorization: Bearer`) and roles.

The actor recorded in every journal row is the authenticated key's user; nothing
a client writes in a header can change it.

The dependencies are coroutines, so FastAPI runs them on the event loop instead of
handing each to a worker thread; only a key not seen for a few seconds is looked up
in the event store, in a worker thread.
"""

import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from application.access import KEY_PREFIX, Principal, well_formed
from application.journal import CommandContext
from domain.access import Role
from domain.errors import InvalidInput
from interfaces.http.deps import ServicesDep
from interfaces.http.problems import Forbidden, Unauthenticated
from interfaces.http.schemas import NO_NUL

SELLERS = frozenset({Role.SALES, Role.MANAGER})
MANAGERS = frozenset({Role.MANAGER})
BILLING = frozenset({Role.ACCOUNTANT, Role.MANAGER})
READERS = frozenset({Role.SALES, Role.MANAGER, Role.ACCOUNTANT, Role.AUDITOR})
AUDITORS = frozenset({Role.AUDITOR, Role.MANAGER})
ADMINS = frozenset({Role.ADMIN})

_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key")
_bearer = HTTPBearer(auto_error=False, description="An API key as a bearer token")


async def authenticated(
    request: Request,
    services: ServicesDep,
    api_key: Annotated[str | None, Security(_api_key)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> Principal:
    secret = api_key or (bearer.credentials if bearer is not None else None)
    if not secret:
        raise Unauthenticated("send an API key in X-API-Key or Authorization: Bearer")
    if not well_formed(secret):  # refused before any lookup or cache entry
        raise Unauthenticated(
            f"the API key is malformed: a key is {KEY_PREFIX!r} followed by 43 characters"
            " (letters, digits, '-' and '_')"
        )
    access = services.app.access
    known, principal = access.recently_authenticated(secret)
    if not known:
        principal = await run_in_threadpool(access.authenticate, secret)
    if principal is None:
        raise Unauthenticated("the API key is unknown or revoked")
    request.state.actor = principal.user  # for the request log
    return principal


def allow(roles: frozenset[str]) -> Callable[..., Awaitable[Principal]]:
    """A dependency that admits principals holding any of `roles`."""
    allowed = ", ".join(sorted(roles))

    async def check(principal: Annotated[Principal, Depends(authenticated)]) -> Principal:
        if not principal.has_any(roles):
            raise Forbidden(f"this needs one of the roles: {allowed}")
        return principal

    check.allowed_roles = roles  # type: ignore[attr-defined]  # read by the role matrix test
    return check


IF_MATCH = r'^(W/)?("[0-9]{1,12}"|[0-9]{1,12})$'
"""The `If-Match` forms accepted: a version as the ETag gives it, weak or not, or bare."""


def parse_if_match(value: str | None) -> int | None:
    """`If-Match: "3"`, `If-Match: W/"3"` or `If-Match: 3` → 3; anything else is a 422."""
    if value is None:
        return None
    if not re.fullmatch(IF_MATCH, value):
        raise InvalidInput(f'If-Match must be a version such as "3", W/"3" or 3, got {value!r}')
    return int(value.removeprefix("W/").strip('"'))


def command(roles: frozenset[str]) -> Any:
    """A dependency giving the `CommandContext` of an authenticated, allowed user."""

    async def context(
        services: ServicesDep,
        principal: Annotated[Principal, Depends(allow(roles))],
        idempotency_key: Annotated[
            str | None,
            Header(min_length=1, max_length=200, pattern=NO_NUL, description="Retry-safe key"),
        ] = None,
        if_match: Annotated[
            str | None,
            Header(
                max_length=40,
                json_schema_extra={"pattern": IF_MATCH},
                description=(
                    'The version the client expects, as the ETag gave it: "3", W/"3" or 3; '
                    "409 stale-version with the current version when it moved on"
                ),
            ),
        ] = None,
    ) -> CommandContext:
        return CommandContext(
            actor=principal.user,
            at=services.clock(),
            idempotency_key=idempotency_key,
            expected_version=parse_if_match(if_match),
            owner_only=Role.SALES in principal.roles and Role.MANAGER not in principal.roles,
            api_key=principal.key,
        )

    return Depends(context)


def reader(roles: frozenset[str]) -> Any:
    """A dependency admitting readers holding any of `roles`."""
    return Depends(allow(roles))
