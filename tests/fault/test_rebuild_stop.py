"""A server stopped (SIGTERM) in the middle of a parallel rebuild of its views.

The rebuild runs beside the server in a thread, with a share of the documents folded in
a second process. Stopped, the server ends the rebuild: it exits promptly, the process
folding a share ends with it, no file of the unfinished rebuild stays beside the live
one, and the live file is as it was. Started again, the server serves the same views and
rebuilds from scratch.
"""

from __future__ import annotations

import os
import re
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from application.journal import CommandContext
from interfaces.settings import Settings
from tests.conftest import generated_company, settings_for
from tests.fault.topology_support import Node, postgres_environment
from tests.integration.test_parallel_rebuild import alive, children_of

# Enough for the rebuild to fold in two processes (`projections.parallel.PARALLEL_FROM`)
# for a few seconds.
EVENTS = 30_000
NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
EXIT_S = 20.0


@pytest.fixture
def company(pg_schema: str, tmp_path: Path) -> tuple[Settings, str]:
    app = generated_company(tmp_path, pg_schema, seed=31, events=EVENTS)
    try:
        key, _ = app.access.issue(
            CommandContext(actor="test", at=NOW), user="a", roles=["admin", "auditor"]
        )
    finally:
        app.close()
    return settings_for("postgres", tmp_path, pg_schema), key


def server(settings: Settings, tmp_path: Path) -> Node:
    env = postgres_environment(settings, rebuild_workers="2", pg_pool_size="4")
    node = Node("server", tmp_path, env, "serve")
    node.env["COMPTOIR_SIGNING_KEY_FILE"] = str(settings.signing_key_file)
    return node


def rebuild_files(home: Path) -> list[str]:
    """Files of a rebuild beside the live one: `views.duckdb.<ns>`, its WAL and shares."""
    return sorted(p.name for p in home.iterdir() if re.fullmatch(r"views\.duckdb\.\d+.*", p.name))


def test_a_server_stopped_mid_rebuild_ends_it_and_leaves_nothing_behind(
    company: tuple[Settings, str], tmp_path: Path
) -> None:
    settings, key = company
    node = server(settings, tmp_path).start()
    shares: list[int] = []
    try:
        node.wait_ready()
        with node.client(key) as http:
            node.wait_until(
                lambda: http.get("/admin/views").json()["position"] >= EVENTS, "caught up"
            )
            before = http.get("/admin/views").json()
            quotes = http.get("/views/quotes", params={"limit": 1}).json()["total"]
            assert http.post("/admin/views/rebuild").status_code == 202

            def sharing() -> bool:  # the share's process, once it has opened its file
                if any(".share1" in name for name in rebuild_files(node.home)):
                    shares.extend(children_of(node.process.pid))  # type: ignore[union-attr]
                return bool(shares)

            node.wait_until(sharing, "folding a share in a second process", timeout=60)
        assert node.process is not None
        began = time.monotonic()
        node.process.send_signal(signal.SIGTERM)
        code = node.process.wait(timeout=EXIT_S)
        took = time.monotonic() - began
        # uvicorn shuts down gracefully, then raises the signal it caught again
        assert code in (0, -signal.SIGTERM), node.output()
        assert took < EXIT_S
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in shares) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in shares), "a share's process outlived the server"
        assert rebuild_files(node.home) == [], node.output()
        assert "Traceback" not in node.output(), node.output()

        node.start().wait_ready()
        with node.client(key) as http:
            after = http.get("/admin/views").json()
            assert after["file"] == before["file"]
            assert after["position"] >= before["position"]
            assert http.get("/views/quotes", params={"limit": 1}).json()["total"] == quotes
            assert http.post("/admin/views/rebuild").status_code == 202
            node.wait_until(
                lambda: http.get("/admin/views").json()["rebuild"].startswith("done"),
                "rebuilt",
                timeout=120,
            )
            switched = http.get("/admin/views").json()
            assert switched["file"] != before["file"]
            assert http.get("/views/quotes", params={"limit": 1}).json()["total"] == quotes
            assert http.post("/admin/views/verify").json()["equal"] is True
    finally:
        node.stop()
        for pid in shares:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
