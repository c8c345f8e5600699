"""API fixtures: the app on each event store, and a client authenticated as a salesperson."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from interfaces.http.app import create_app
from interfaces.settings import Settings
from tests.api.support import issue_key
from tests.conftest import FrozenClock


@pytest.fixture
def client(settings: Settings, clock: FrozenClock) -> Iterator[TestClient]:
    """A client authenticated as alice, a salesperson, on SQLite and on Postgres."""
    with TestClient(create_app(settings, clock)) as client:
        client.headers["X-API-Key"] = issue_key(client, "alice", "sales")
        yield client
