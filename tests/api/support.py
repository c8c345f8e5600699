"""Helpers for API tests: keys per role and problem+json assertions."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from application.journal import CommandContext

PROBLEM = "application/problem+json"


def issue_key(client: TestClient, user: str, *roles: str) -> str:
    """A fresh API key for `user` with `roles`, issued straight through the application."""
    services = client.app.state.services  # type: ignore[attr-defined]
    secret, _ = services.app.access.issue(
        CommandContext(actor="test", at=services.clock()), user=user, roles=list(roles)
    )
    return str(secret)


def as_role(client: TestClient, user: str, *roles: str) -> dict[str, str]:
    """Headers authenticating as a new user with `roles`."""
    return {"X-API-Key": issue_key(client, user, *roles)}


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response is a problem document of this status and type, with a detail."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{code}"
    assert body["detail"]
    return body


def log_position(client: TestClient) -> int:
    response = client.get("/health")
    assert response.status_code == 200, response.text
    position: int = response.json()["log_position"]
    return position
