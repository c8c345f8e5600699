"""Rebuilds into fresh files, switching the live read model, and row-for-row verification."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from application.app import Comptoir
from application.journal import CommandContext
from interfaces.cli import cli
from interfaces.settings import Settings
from projections.live import LiveViews, publish_handoff
from projections.rebuild import rebuild

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    yield app
    app.close()


def sell(app: Comptoir, prospect: str) -> None:
    ctx = CommandContext(actor="alice", at=AT)
    quote = app.quotes.draft(ctx, currency="EUR", prospect=prospect)
    app.quotes.add_line(
        ctx,
        quote.aggregate_id,
        description="Audit",
        quantity=Decimal(2),
        unit_price=Decimal("75.50"),
        vat_rate=Decimal(20),
    )


def test_a_live_read_model_equals_a_rebuild_and_a_tampered_one_does_not(
    app: Comptoir, tmp_path: Path
) -> None:
    sell(app, "Martin")
    sell(app, "Dupont")
    views = LiveViews(app, tmp_path / "views.duckdb")
    views.runner.catch_up()
    _, differences = views.verify()
    assert differences == []
    views.store.writer().execute("UPDATE quotes SET total_net = 1 WHERE prospect = 'Martin'")
    _, differences = views.verify()
    assert [d.table for d in differences] == ["quotes"]
    views.close()


def test_switching_to_a_rebuilt_file_keeps_serving_and_survives_a_restart(
    app: Comptoir, tmp_path: Path
) -> None:
    sell(app, "Martin")
    base = tmp_path / "views.duckdb"
    views = LiveViews(app, base)
    views.start(poll_s=0.05)
    built = views.rebuild_and_switch()
    assert views.path == built.path
    sell(app, "Dupont")
    assert views.wait_for(app.log_position(), timeout=10)
    assert views.reader().execute("SELECT count(*) FROM quotes").fetchone() == (2,)
    views.close()
    reopened = LiveViews(app, base)
    assert reopened.path == built.path
    assert reopened.position == app.log_position()
    reopened.close()


def test_a_server_switches_to_a_file_a_worker_rebuilt(app: Comptoir, tmp_path: Path) -> None:
    sell(app, "Martin")
    base = tmp_path / "views.duckdb"
    views = LiveViews(app, base)
    views.start(poll_s=0.05)
    built = rebuild(app, base.with_name("views.duckdb.worker"))
    publish_handoff(base, built)
    for _ in range(200):
        if views.path == built.path:
            break
        views.wait_for(10**9, 0.05)
    assert views.path == built.path
    views.close()


def test_the_rebuild_command_verifies_and_switches(settings: Settings) -> None:
    app = Comptoir(settings.eventstore_env())
    sell(app, "Martin")
    app.close()
    env = {
        "COMPTOIR_EVENT_STORE": settings.event_store,
        "COMPTOIR_SQLITE_PATH": str(settings.sqlite_path),
        "COMPTOIR_DUCKDB_PATH": str(settings.duckdb_path),
        "COMPTOIR_PG_DBNAME": settings.pg_dbname,
        "COMPTOIR_PG_SCHEMA": settings.pg_schema,
        "COMPTOIR_PG_HOST": settings.pg_host,
        "COMPTOIR_PG_PORT": str(settings.pg_port),
        "COMPTOIR_PG_USER": settings.pg_user,
    }
    runner = CliRunner()
    verified = runner.invoke(cli, ["rebuild", "--verify"], env=env)
    assert verified.exit_code == 0, verified.output
    assert "ok: the views equal a rebuild of 2 events" in verified.output
    switched = runner.invoke(cli, ["rebuild"], env=env)
    assert switched.exit_code == 0, switched.output
    assert "now the live views" in switched.output
