"""`POST /admin/views/rebuild` over HTTP: the views are rebuilt into a fresh file and
served from it, and requests that arrive together start one rebuild."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

from fastapi.testclient import TestClient

from interfaces.settings import Settings
from tests.api.support import as_role


def rebuilt_files(settings: Settings) -> list[str]:
    folder = settings.duckdb_path.parent
    return [p.name for p in folder.iterdir() if re.fullmatch(r"views\.duckdb\.\d+", p.name)]


def test_requests_arriving_together_start_one_rebuild_and_the_views_switch(
    client: TestClient, settings: Settings
) -> None:
    for prospect in ("Martin", "Dupont"):
        drafted = client.post("/quotes", json={"currency": "EUR", "prospect": prospect})
        assert drafted.status_code == 201
    admin = as_role(client, "root", "admin")
    before = client.get("/admin/views", headers=admin).json()
    assert before["rebuild"] == "none yet"

    answers: list[Any] = []
    start = threading.Barrier(8)

    def ask() -> None:
        start.wait()
        answers.append(client.post("/admin/views/rebuild", headers=admin))

    askers = [threading.Thread(target=ask) for _ in range(8)]
    for asker in askers:
        asker.start()
    for asker in askers:
        asker.join()
    assert [a.status_code for a in answers] == [202] * 8
    deadline = time.monotonic() + 60
    while (state := client.get("/admin/views", headers=admin).json())["rebuild"] == "running":
        assert time.monotonic() < deadline, "the rebuild never ended"
        time.sleep(0.05)
    assert state["rebuild"].startswith("done: "), state
    assert len(rebuilt_files(settings)) == 1  # one rebuild, however many asked
    assert state["file"] == rebuilt_files(settings)[0] != before["file"]
    quotes = client.get("/views/quotes").json()
    assert sorted(q["prospect"] for q in quotes["items"]) == ["Dupont", "Martin"]
