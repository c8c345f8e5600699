"""Roles (issue 18): command nodes serve commands and documents, query nodes the views.

Several nodes run here in one test process on one event store (SQLite and Postgres),
each app with its own services: its own aggregate cache, read model and locks, as
separate processes would have them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.journal import CommandContext
from interfaces.http.app import create_app
from interfaces.roles import CommandsNotServed, FollowerComptoir
from interfaces.settings import Settings
from interfaces.standalone import head_of
from interfaces.wiring import Services
from tests.api.support import assert_problem, issue_key
from tests.conftest import FrozenClock
from tests.load.harness import line_body


@contextmanager
def nodes(settings: Settings, clock: FrozenClock, *roles: str) -> Iterator[list[TestClient]]:
    """One client per role, each on an app of its own, all with one sales key."""
    with ExitStack() as stack:
        clients = [
            stack.enter_context(
                TestClient(create_app(settings.model_copy(update={"role": role}), clock))
            )
            for role in roles
        ]
        key = issue_key(clients[0], "alice", "sales")
        for client in clients:
            client.headers["X-API-Key"] = key
        yield clients


def services_of(client: TestClient) -> Services:
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    return services


def draft(client: TestClient) -> dict[str, Any]:
    made = client.post("/quotes", json={"currency": "EUR", "prospect": "Roles"})
    assert made.status_code == 201, made.text
    body: dict[str, Any] = made.json()
    return body


def test_a_command_node_serves_commands_and_documents_but_no_views(
    settings: Settings, clock: FrozenClock
) -> None:
    with nodes(settings, clock, "command") as (command,):
        quote = draft(command)
        assert command.get(f"/quotes/{quote['id']}").json()["version"] == quote["version"]
        assert command.get(f"/quotes/{quote['id']}/history").status_code == 200
        for path in ("/views/quotes", "/audit/events", "/admin/views", "/views/quotes/export"):
            assert_problem(command.get(path), 404, "views-not-served")
        health = command.get("/health").json()
        assert health["role"] == "command"
        assert "view_position" not in health
        assert health["log_position"] == quote["position"]
        paths = command.get("/openapi.json").json()["paths"]
        assert "/quotes" in paths
        assert not [p for p in paths if p.startswith(("/views", "/audit", "/admin/views"))]
        assert services_of(command).read_model is None


def test_a_query_node_serves_the_views_and_refuses_commands(
    settings: Settings, clock: FrozenClock
) -> None:
    with nodes(settings, clock, "command", "query") as (command, query):
        quote = draft(command)
        page = query.get("/views/quotes", params={"min_position": quote["position"]})
        assert page.status_code == 200, page.text
        assert [row["quote_id"] for row in page.json()["items"]] == [quote["id"]]
        assert query.get("/views/quotes/export", params={"format": "csv"}).status_code == 200
        assert_problem(
            query.post("/quotes", json={"currency": "EUR", "prospect": "No"}),
            404,
            "commands-not-served",
        )
        assert_problem(query.get(f"/quotes/{quote['id']}"), 404, "commands-not-served")
        assert_problem(
            query.post("/admin/keys", json={"user": "eve", "roles": ["admin"]}),
            404,
            "commands-not-served",
        )
        health = query.get("/health").json()
        assert health["role"] == "query"
        assert health["view_position"] >= quote["position"]
        assert health["runs"] == ""  # no sealer, no scheduler on a query node
        paths = query.get("/openapi.json").json()["paths"]
        assert "/views/quotes" in paths
        assert "/quotes" not in paths


def test_a_query_nodes_application_records_nothing_even_when_asked_directly(
    settings: Settings, clock: FrozenClock
) -> None:
    follower = FollowerComptoir(settings.model_copy(update={"role": "query"}))
    try:
        before = follower.log_position()
        with pytest.raises(CommandsNotServed):
            follower.quotes.draft(
                CommandContext(actor="test", at=clock()), currency="EUR", prospect="No"
            )
        assert follower.log_position() == before
    finally:
        follower.close()


def test_two_command_nodes_writing_one_document_in_turn_never_read_a_stale_copy(
    settings: Settings, clock: FrozenClock
) -> None:
    with nodes(settings, clock, "command", "command") as pair:
        quote = draft(pair[0])
        version = quote["version"]
        for i in range(6):  # each node's cache holds the document, the other writes it
            writer, reader = pair[i % 2], pair[(i + 1) % 2]
            added = writer.post(
                f"/quotes/{quote['id']}/lines",
                json=line_body(f"turn {i}"),
                headers={"If-Match": f'"{version}"'},
            )
            assert added.status_code == 201, added.text  # no false conflict
            version = added.json()["version"]
            seen = reader.get(f"/quotes/{quote['id']}").json()
            assert seen["version"] == version
            assert [line["description"] for line in seen["lines"]][-1] == f"turn {i}"
        stale = pair[0].post(
            f"/quotes/{quote['id']}/lines",
            json=line_body("late"),
            headers={"If-Match": f'"{version - 1}"'},
        )
        body = assert_problem(stale, 409, "stale-version")
        assert body["current_version"] == version


def test_one_command_node_runs_the_sealer_and_another_takes_over_when_it_stops(
    settings: Settings, clock: FrozenClock, tmp_path: Path
) -> None:
    # without Redis a command node runs the scheduled jobs itself (with it, the worker does)
    update = {"role": "command", "worker_duckdb_path": tmp_path / "jobs.duckdb", "redis_url": None}
    command = settings.model_copy(update=update)
    first = Services.build(command, clock)
    second = Services.build(command, clock)
    with ExitStack() as stack:
        stack.callback(second.close)
        first.start()
        second.start()
        assert first.runs() == ["sealer", "scheduler"]
        assert second.runs() == []
        first.close()
        deadline = time.monotonic() + 15
        while second.runs() != ["sealer", "scheduler"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert second.runs() == ["sealer", "scheduler"]
        assert second.sealer is not None
        draft_position = second.app.quotes.draft(
            CommandContext(actor="test", at=clock()), currency="EUR", prospect="Sealed"
        ).position
        assert draft_position is not None
        store = second.sealer.sealer.store
        deadline = time.monotonic() + 15
        while head_of(store) < draft_position:
            assert time.monotonic() < deadline, "the new leader does not seal"
            time.sleep(0.1)
