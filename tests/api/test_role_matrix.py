"""Every route × every role (issue 5): who may call what is what the code declares.

Each route's allowed roles are read from its dependency tree: `security.allow(roles)`
marks its check with `allowed_roles` (`command(...)` and `reader(...)` both go through
it). Then every route is called anonymously and with a key of each role:

- anonymous → 401 (problem+json, `WWW-Authenticate`), except the public routes (`/health`
  answers anyone whether the service is up, and shows its positions to a key of any role);
- a role outside the allowed set → 403 problem+json, and no event appended;
- a role inside → anything but 401/403 (usually 404 for the random ids, or 422 for `{}`).

And no route is left without a role check, except the public ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from interfaces.http.app import create_app
from interfaces.settings import Settings
from tests.api.support import PROBLEM, issue_key
from tests.conftest import settings_for

ROLES = ["sales", "manager", "accountant", "auditor", "admin"]
PUBLIC = {"/health", "/docs", "/openapi.json", "/docs-assets/swagger-ui.css"}
# The docs page and its assets: public, and kept out of the OpenAPI document.
DOCS_PAGE = {"/docs", "/docs-assets/{name}"}
# Started in a background thread; calling it with the admin key proves nothing more.
NOT_CALLED_WHEN_ALLOWED = {("POST", "/admin/views/rebuild")}


def allowed_roles(dependant: Dependant) -> frozenset[str] | None:
    """The roles every check in the tree admits (their intersection); None if no check."""
    found: frozenset[str] | None = None
    for dependency in dependant.dependencies:
        roles = getattr(dependency.call, "allowed_roles", None)
        if roles is not None:
            roles = frozenset(str(role) for role in roles)
            found = roles if found is None else found & roles
        below = allowed_roles(dependency)
        if below is not None:
            found = below if found is None else found & below
    return found


def api_routes(app: Any) -> Iterator[tuple[str, str, Any, Dependant]]:
    """(method, path, the route, its dependant) for every APIRoute, included routers too."""
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute):
            continue
        if str(context.path) in DOCS_PAGE:
            assert not context.original_route.include_in_schema
            continue
        dependant = context.dependant
        assert dependant is not None
        for method in sorted(context.methods or ()):
            yield method, str(context.path), context, dependant


APP = create_app(Settings())  # nothing starts: only the routes are read here
ROUTES = sorted((method, path) for method, path, _, _ in api_routes(APP))
DEPENDANTS = {(method, path): dependant for method, path, _, dependant in api_routes(APP)}


def plausible_path(path: str, dependant: Dependant) -> str:
    """Path parameters filled in: a random UUID where a UUID is expected, else "1"."""
    for param in dependant.path_params:
        value = str(uuid4()) if param.field_info.annotation is UUID else "1"
        if param.field_info.annotation not in (UUID, int, str):
            value = "1"
        # `{quote_id:uuid}`: a path convertor keeps `/quotes/bulk-actions` off that route
        path = re.sub(r"\{" + param.alias + r"(:[a-z_]+)?\}", value, path)
    return path


class Keys:
    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.by_role = {role: issue_key(client, f"{role}-user", role) for role in ROLES}

    def call(self, method: str, path: str, role: str | None) -> Any:
        headers = {} if role is None else {"X-API-Key": self.by_role[role]}
        dependant = DEPENDANTS[(method, path)]
        url = plausible_path(path, dependant)
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            return self.client.request(method, url, json={}, headers=headers)
        return self.client.request(method, url, headers=headers)

    def position(self) -> int:
        services = self.client.app.state.services  # type: ignore[attr-defined]
        position: int = services.app.log_position()
        return position


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Keys]:
    config = settings_for("sqlite", tmp_path_factory.mktemp("roles"))
    config = config.model_copy(update={"jobs_interval_s": 1e9})
    with TestClient(create_app(config)) as client:
        yield Keys(client)


def test_the_matrix_covers_every_route() -> None:
    assert len(ROUTES) > 100
    assert {path for _, path in ROUTES} >= {"/quotes", "/orders", "/admin/keys", "/health"}
    assert {"/invoices", "/invoices/{invoice_id}/credit-notes"} <= {path for _, path in ROUTES}
    assert {"/payments", "/payments/{payment_id}/history"} <= {path for _, path in ROUTES}
    assert {path for _, path in ROUTES} >= {"/company", "/company/history", "/company/logo"}


def test_no_route_is_left_without_a_role_check() -> None:
    unguarded = [
        f"{method} {path}"
        for method, path in ROUTES
        if path not in PUBLIC and allowed_roles(DEPENDANTS[(method, path)]) is None
    ]
    assert unguarded == []


def test_the_public_routes_need_no_key(keys: Keys) -> None:
    for path in sorted(PUBLIC):
        assert keys.client.get(path).status_code == 200, path


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_each_role_gets_what_the_route_declares(keys: Keys, method: str, path: str) -> None:
    if path in PUBLIC:
        assert allowed_roles(DEPENDANTS[(method, path)]) is None
        assert keys.call(method, path, None).status_code == 200
        return
    allowed = allowed_roles(DEPENDANTS[(method, path)])
    assert allowed, f"{method} {path} has no role check"
    assert allowed <= set(ROLES), allowed

    anonymous = keys.call(method, path, None)
    assert anonymous.status_code == 401, f"{method} {path}: {anonymous.text}"
    assert anonymous.headers["content-type"].startswith(PROBLEM)
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")

    for role in ROLES:
        if role in allowed:
            if (method, path) in NOT_CALLED_WHEN_ALLOWED:
                continue
            response = keys.call(method, path, role)
            assert response.status_code not in (401, 403), (
                f"{role} is allowed on {method} {path} but got {response.status_code}: "
                f"{response.text}"
            )
            assert response.status_code < 500, f"{role} {method} {path}: {response.text}"
        else:
            before = keys.position()
            response = keys.call(method, path, role)
            assert response.status_code == 403, (
                f"{role} is not allowed on {method} {path} but got {response.status_code}: "
                f"{response.text}"
            )
            assert response.headers["content-type"].startswith(PROBLEM)
            assert response.json()["type"] == "/problems/forbidden"
            assert keys.position() == before


def test_a_revoked_or_unknown_key_is_a_401(keys: Keys) -> None:
    for headers in (
        {"X-API-Key": "cpt_not-a-key"},
        {"Authorization": "Bearer cpt_not-a-key"},
        {"Authorization": "Basic YWxpY2U6c2VjcmV0"},
        {"X-API-Key": ""},
    ):
        response = keys.client.get("/views/quotes", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["content-type"].startswith(PROBLEM)


def test_health_shows_the_service_state_to_every_role_and_only_liveness_to_anyone(
    keys: Keys,
) -> None:
    """Issue 13, finding 12: log positions are for users; a probe without a key sees up."""
    assert keys.client.get("/health").json() == {"status": "ok"}
    for role in ROLES:
        shown = keys.client.get("/health", headers={"X-API-Key": keys.by_role[role]}).json()
        assert {"status", "log_position", "view_position"} <= set(shown), role
