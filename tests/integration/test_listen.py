"""A follower on Postgres is woken by commands another process records (LISTEN/NOTIFY)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from application.app import Comptoir
from application.journal import CommandContext
from projections.live import LiveViews
from tests.conftest import settings_for


def test_commands_from_another_process_reach_the_views_without_waiting_for_a_poll(
    pg_schema: str, tmp_path: Path
) -> None:
    settings = settings_for("postgres", tmp_path, pg_schema)
    server, other = Comptoir(settings.eventstore_env()), Comptoir(settings.eventstore_env())
    views = LiveViews(server, tmp_path / "views.duckdb")
    views.start(poll_s=60.0)  # a poll would come far too late: only a NOTIFY can wake it
    try:
        time.sleep(0.5)  # let the listener subscribe
        recorded = other.quotes.draft(
            CommandContext(actor="bob", at=datetime.now(UTC)), currency="EUR", prospect="Martin"
        )
        assert recorded.position is not None
        # well before the 60 s poll: only the NOTIFY can have woken the follower
        assert views.wait_for(recorded.position, timeout=10)
    finally:
        views.close()
        server.close()
        other.close()
