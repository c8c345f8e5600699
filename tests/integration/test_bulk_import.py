"""Bulk import into a fresh Postgres schema keeps the event store's guarantees."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from adapters.bulk.generator import DatasetGenerator
from adapters.bulk.importer import IMPORT_COMMAND, import_events
from adapters.duckdb_store import DuckStore
from adapters.eventstore.chain import chain_store_for
from application.app import Comptoir
from application.journal import CommandContext
from application.row_audit import audit_rows
from application.sealing import Sealer
from interfaces.settings import Settings
from projections.runner import ProjectionRunner
from tests.conftest import pg_dsn, settings_for

N = 3000


@pytest.fixture
def pg_settings(pg_schema: str, tmp_path: Path) -> Settings:
    return settings_for("postgres", tmp_path, pg_schema)


@pytest.fixture
def app(pg_settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(pg_settings.eventstore_env())
    yield app
    app.close()


def test_import_then_project_then_command(app: Comptoir, pg_schema: str, tmp_path: Path) -> None:
    gen = DatasetGenerator(seed=5, mapper=app.mapper)
    events = list(gen.events(N))
    imported = import_events(app, events, batch_size=1000, sequences=gen.sequences)
    assert (imported.count, imported.first, imported.last, imported.batches) == (N, 1, N, 3)

    with psycopg.connect(**pg_dsn()) as conn:  # type: ignore[arg-type]
        rows = conn.execute(
            f"SELECT notification_id, originator_id, originator_version "
            f"FROM {pg_schema}.comptoir_events ORDER BY notification_id"
        ).fetchall()
        journal = conn.execute(
            f"SELECT command, first_position, last_position FROM {pg_schema}.comptoir_commands "
            "ORDER BY first_position"
        ).fetchall()
        sequences = dict(conn.execute(f"SELECT name, value FROM {pg_schema}.comptoir_sequences"))
    assert [r[0] for r in rows] == list(range(1, N + 1))  # contiguous, in order
    assert [(r[1], r[2]) for r in rows] == [(e.originator_id, e.originator_version) for e in events]
    assert journal == [
        (IMPORT_COMMAND, 1, 1000),
        (IMPORT_COMMAND, 1001, 2000),
        (IMPORT_COMMAND, 2001, 3000),
    ]
    assert sequences == gen.sequences

    store = DuckStore(tmp_path / "views.duckdb")
    try:
        runner = ProjectionRunner(app, store.writer())
        assert runner.catch_up() == N
        cursor = store.reader()
        assert cursor.execute("SELECT count(*) FROM audit_log").fetchone() == (N,)
        actors = cursor.execute("SELECT DISTINCT actor, command FROM audit_log").fetchall()
        assert actors == [("bulk-import", IMPORT_COMMAND)]

        customer = gen.customers[0]
        ctx = CommandContext(actor="alice", at=datetime(2026, 11, 2, 9, tzinfo=UTC))
        drafted = app.quotes.draft(ctx, currency="EUR", customer_id=customer.id)
        assert drafted.position == N + 1
        history = app.history(customer.id)
        assert history[0].journal is not None
        assert history[0].journal.record.command == IMPORT_COMMAND
        assert runner.catch_up() == 1
        assert cursor.execute("SELECT count(*) FROM audit_log").fetchone() == (N + 1,)
        # Imported batches are signed like commands: sealed and audited as authentic.
        assert Sealer(app, chain_store_for(app)).seal() == N + 1
        audit = audit_rows(app)
        assert audit.ok, str(audit)
        assert (audit.events, audit.journal_rows) == (N + 1, 4)
    finally:
        store.close()
