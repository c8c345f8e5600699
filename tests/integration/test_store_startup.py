"""Processes that start at once on one Postgres schema (nodes, workers, a rebuild's
processes) all make the event store's tables, types and functions without colliding."""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg

from application.app import Comptoir
from tests.conftest import pg_dsn, settings_for

STARTING = 8


def start_at_once(env: dict[str, str]) -> list[str]:
    """Start `STARTING` applications on `env` at the same moment; their errors."""
    errors: list[str] = []
    together = threading.Barrier(STARTING)

    def start() -> None:
        together.wait()
        try:
            Comptoir(env).close()
        except Exception as error:  # every failure is the finding
            errors.append(repr(error))

    threads = [threading.Thread(target=start) for _ in range(STARTING)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_applications_starting_at_once_on_a_new_and_an_existing_schema(
    pg_schema: str, tmp_path: Path
) -> None:
    env = settings_for("postgres", tmp_path, pg_schema).eventstore_env()
    assert start_at_once(env) == []  # the schema is empty: every one makes everything
    assert start_at_once(env) == []  # everything exists: every one replaces its functions
    with psycopg.connect(**pg_dsn()) as conn:  # type: ignore[arg-type]
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s",
            [pg_schema],
        ).fetchone()
    assert tables is not None
    assert tables[0] >= 4  # events, snapshots, journal, sequences
