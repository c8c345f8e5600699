"""One poison event never stops the read side: its document is quarantined, the rest moves on.

The poison events are written straight into the store through the application's recorder,
as someone with database access (or a past bug) could leave them: a `Quote.LineRemoved`
for a line the quote never had (its fold raises `KeyError`), and an event whose topic
names no class (it cannot even be decoded).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
from dramatiq.brokers.stub import StubBroker
from eventsourcing.persistence import StoredEvent
from typer.testing import CliRunner

from application.app import Comptoir
from application.journal import CommandContext
from domain.quote import Quote
from interfaces.cli import cli
from interfaces.export import export_views
from interfaces.settings import Settings
from interfaces.worker import WorkerState, declare_actors
from projections.live import LiveViews
from projections.quarantine import quarantined_documents
from projections.rebuild import rebuild
from tests.conftest import store_env

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    yield app
    app.close()


def sell(app: Comptoir, prospect: str) -> UUID:
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
    return quote.aggregate_id


def last_version(app: Comptoir, document: UUID) -> int:
    (last,) = app.recorder.select_events(document, desc=True, limit=1)
    return int(last.originator_version)


def write_poison(app: Comptoir, quote_id: UUID) -> int:
    """Record a `LineRemoved` for a line the quote never had; return its log position."""
    event = Quote.LineRemoved(  # type: ignore[attr-defined]
        originator_id=quote_id,
        originator_version=last_version(app, quote_id) + 1,
        timestamp=AT,
        at=AT,
        line_id="no-such-line",
    )
    app.recorder.insert_events([app.mapper.to_stored_event(event)])
    return app.log_position()


def write_undecodable(app: Comptoir, quote_id: UUID) -> int:
    """Record an event whose topic names no class; return its log position."""
    stored = StoredEvent(
        originator_id=quote_id,
        originator_version=last_version(app, quote_id) + 1,
        topic="domain.quote:Quote.NeverDefined",
        state=b"{}",
    )
    app.recorder.insert_events([stored])
    return app.log_position()


def quote_rows(views: LiveViews) -> dict[str, tuple[str, int]]:
    found = views.reader().execute("SELECT prospect, line_count, position FROM quotes").fetchall()
    return {prospect: (lines, position) for prospect, lines, position in found}


def test_a_poison_event_quarantines_its_document_and_every_other_document_moves_on(
    app: Comptoir, tmp_path: Path
) -> None:
    martin = sell(app, "Martin")
    before = app.log_position()
    poison_at = write_poison(app, martin)
    sell(app, "Dupont")
    views = LiveViews(app, tmp_path / "views.duckdb", page_size=1)
    views.runner.catch_up()
    assert views.position == app.log_position()
    rows = quote_rows(views)
    assert rows["Martin"] == (1, before)  # as it stood before the failing event
    assert rows["Dupont"][0] == 1
    (entry,) = quarantined_documents(views.reader())
    assert entry.document_id == str(martin)
    assert entry.document_type == "Quote"
    assert entry.position == poison_at
    assert "KeyError" in entry.error
    assert views.runner.quarantined_count == 1
    views.close()


def test_later_events_of_a_quarantined_document_are_skipped_and_recorded(
    app: Comptoir, tmp_path: Path
) -> None:
    martin = sell(app, "Martin")
    views = LiveViews(app, tmp_path / "views.duckdb")
    views.runner.catch_up()
    write_poison(app, martin)
    views.runner.catch_up()
    later = write_undecodable(app, martin)
    dupont = sell(app, "Dupont")
    views.runner.catch_up()
    skipped = (
        views.reader().execute("SELECT document_id, position FROM quarantine_skipped").fetchall()
    )
    assert skipped == [(str(martin), later)]
    assert set(quote_rows(views)) == {"Martin", "Dupont"}
    assert views.reader().execute(
        "SELECT count(*) FROM audit_log WHERE document_id = ?", [str(dupont)]
    ).fetchone() == (2,)
    views.close()


def test_a_fold_failing_mid_batch_leaves_the_documents_before_and_after_it_in_the_views(
    app: Comptoir, tmp_path: Path
) -> None:
    martin = sell(app, "Martin")
    sell(app, "Leroy")
    write_poison(app, martin)
    sell(app, "Dupont")
    views = LiveViews(app, tmp_path / "views.duckdb", page_size=5000)
    assert views.runner.run_batch() == app.log_position()  # one batch holds every event
    assert set(quote_rows(views)) == {"Martin", "Leroy", "Dupont"}
    assert [e.document_id for e in quarantined_documents(views.reader())] == [str(martin)]
    history = (
        views.reader()
        .execute("SELECT count(*) FROM quotes_history WHERE prospect = 'Martin'")
        .fetchone()
    )
    assert history == (2,)  # drafted, then its line: the failing state is not kept
    views.close()


def test_an_undecodable_event_quarantines_its_document(app: Comptoir, tmp_path: Path) -> None:
    martin = sell(app, "Martin")
    at = write_undecodable(app, martin)
    sell(app, "Dupont")
    views = LiveViews(app, tmp_path / "views.duckdb")
    views.runner.catch_up()
    (entry,) = quarantined_documents(views.reader())
    assert (entry.document_id, entry.position, entry.event_type) == (
        str(martin),
        at,
        "Quote.NeverDefined",
    )
    assert set(quote_rows(views)) == {"Martin", "Dupont"}
    views.close()


def test_a_rebuild_quarantines_the_same_documents_and_verify_finds_no_difference(
    app: Comptoir, tmp_path: Path
) -> None:
    martin = sell(app, "Martin")
    views = LiveViews(app, tmp_path / "views.duckdb", page_size=1)
    views.runner.catch_up()
    write_poison(app, martin)
    sell(app, "Dupont")
    views.runner.catch_up()
    built, differences = views.verify()
    assert differences == []
    assert [e.document_id for e in built.quarantined] == [str(martin)]
    views.close()
    rebuilt = rebuild(app, tmp_path / "fresh.duckdb", page_size=3)
    assert [e.document_id for e in rebuilt.quarantined] == [str(martin)]


def test_rebuild_verify_and_export_complete_and_list_the_quarantined_document(
    settings: Settings, app: Comptoir, tmp_path: Path
) -> None:
    martin = sell(app, "Martin")
    position = write_poison(app, martin)
    sell(app, "Dupont")
    env = store_env(settings, COMPTOIR_DUCKDB_PATH=str(tmp_path / "views.duckdb"))
    runner = CliRunner()
    line = f"quarantined: Quote {martin} at log position {position}"
    for args in (["rebuild"], ["rebuild", "--verify"], ["export", "--to", str(tmp_path / "x")]):
        result = runner.invoke(cli, args, env=env)
        assert result.exit_code == 0, result.output
        assert line in result.output
        assert "1 document quarantined" in result.output
    written = export_views(app, tmp_path / "again", excel=True)
    assert [e.document_id for e in written.quarantined] == [str(martin)]


def test_the_worker_catch_up_completes_past_a_poison_event(
    settings: Settings, app: Comptoir, tmp_path: Path
) -> None:
    martin = sell(app, "Martin")
    write_poison(app, martin)
    sell(app, "Dupont")
    state = WorkerState(settings.model_copy(update={"worker_duckdb_path": tmp_path / "w.duckdb"}))
    actors = declare_actors(StubBroker(), state)  # type: ignore[no-untyped-call]
    actors.catch_up.fn()
    with state as (_, views):
        assert views.position == app.log_position()
        assert views.runner.quarantined_count == 1
    state.close()
