"""Group commit on Postgres: one transaction for many commands, each failing alone."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError

from adapters.eventstore.claims import SequenceClaim, SequenceClaimRefused
from adapters.eventstore.group_commit import Write
from adapters.eventstore.postgres import JournalingPostgresRecorder
from application.app import Comptoir
from application.journal import CommandContext, JournalRecord, fingerprint
from domain.quote import Quote
from tests.conftest import settings_for

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def app(pg_schema: str, tmp_path: Path) -> Iterator[Comptoir]:
    app = Comptoir(settings_for("postgres", tmp_path, pg_schema).eventstore_env())
    yield app
    app.close()


def _journal(quote: Quote, key: str | None) -> JournalRecord:
    return JournalRecord(
        command_id=uuid4(),
        command="quote.draft",
        actor="alice",
        reason=None,
        idempotency_key=key,
        fingerprint=fingerprint("quote.draft", {"key": key}),
        issued_at=AT,
        aggregate_id=quote.id,
        version=quote.version,
        result={},
    )


def _write(app: Comptoir, quote: Quote, key: str | None, **kwargs: Any) -> Write:
    events = [app.mapper.to_stored_event(e) for e in quote.collect_events()]
    return Write(events, {"journal": _journal(quote, key), **kwargs})


def test_the_application_writes_through_group_commit_by_default(app: Comptoir) -> None:
    recorder = app.recorder
    assert isinstance(recorder, JournalingPostgresRecorder)
    assert recorder.group_commit is not None


def test_a_group_without_conflicts_is_written_without_the_screening_query(
    app: Comptoir, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = app.recorder
    assert isinstance(recorder, JournalingPostgresRecorder)

    write = recorder._write_in_one_transaction

    def unscreened_only(writes: list[Write], *, screened: bool) -> list[Any]:
        assert not screened, "a clean group was screened"
        return write(writes, screened=screened)

    monkeypatch.setattr(recorder, "_write_in_one_transaction", unscreened_only)
    quotes = [Quote.draft(at=AT, currency="EUR", prospect=f"Clean {i}") for i in range(3)]
    before = app.log_position()

    outcomes = recorder._write_together(
        [_write(app, q, f"clean-{i}") for i, q in enumerate(quotes)]
    )

    assert outcomes == [[before + 1], [before + 2], [before + 3]]
    for i, quote in enumerate(quotes):
        entry = app.journal.journal_by_key("alice", f"clean-{i}")
        assert entry is not None
        assert (entry.first_position, entry.last_position) == (before + i + 1, before + i + 1)
        assert app.repository.get(quote.id).version == 1


def test_each_conflicting_write_of_a_group_fails_alone_and_the_others_commit(
    app: Comptoir,
) -> None:
    recorder = app.recorder
    assert isinstance(recorder, JournalingPostgresRecorder)
    app.quotes.draft(
        CommandContext(actor="alice", at=AT, idempotency_key="taken"),
        currency="EUR",
        prospect="First",
    )
    existing = Quote.draft(at=AT, currency="EUR", prospect="Existing")
    app.save(existing)
    stale = app.repository.get(existing.id)
    stale.add_line(
        at=AT, description="stale", quantity=Decimal(1), unit_price=Decimal(1), vat_rate=Decimal(0)
    )
    fresh = [Quote.draft(at=AT, currency="EUR", prospect=f"Fresh {i}") for i in range(4)]
    for quote in fresh:
        quote.add_line(
            at=AT,
            description="line",
            quantity=Decimal(1),
            unit_price=Decimal(2),
            vat_rate=Decimal(20),
        )
    rival = app.repository.get(existing.id)
    rival.add_line(
        at=AT, description="rival", quantity=Decimal(1), unit_price=Decimal(1), vat_rate=Decimal(0)
    )
    app.save(rival)  # now `stale` conflicts on its version
    before = app.log_position()
    writes = [
        _write(app, fresh[0], "g-1"),
        _write(app, stale, None),  # version already recorded
        _write(app, fresh[1], "taken"),  # idempotency key already recorded
        _write(app, fresh[2], "g-1"),  # the same key as an earlier write of the group
        _write(app, fresh[3], None, claims=[SequenceClaim("invoice-2026", 2)]),  # not next
    ]
    outcomes = recorder._write_together(writes)
    assert isinstance(outcomes[1], IntegrityError)
    assert isinstance(outcomes[2], IntegrityError)
    assert isinstance(outcomes[3], IntegrityError)
    assert isinstance(outcomes[4], SequenceClaimRefused)
    ids = outcomes[0]
    assert isinstance(ids, list)
    assert ids == list(range(ids[0], ids[0] + 2))
    assert ids[0] > before
    assert app.log_position() == ids[-1]
    entry = app.journal.journal_by_key("alice", "g-1")
    assert entry is not None
    assert (entry.first_position, entry.last_position) == (ids[0], ids[-1])
    assert [h.version for h in app.history(fresh[2].id)] == []
    assert app.repository.get(existing.id).version == rival.version


def test_concurrent_commands_commit_in_groups_with_contiguous_positions_per_command(
    app: Comptoir,
) -> None:
    results: list[Any] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        for i in range(15):
            drafted = app.quotes.draft(
                CommandContext(actor="alice", at=AT, idempotency_key=f"c{n}-{i}"),
                currency="EUR",
                prospect=f"Client {n} {i}",
            )
            with lock:
                results.append(drafted)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 120
    entries = app.journal.journal_between(1, app.log_position())
    assert len(entries) == 120
    covered = sorted(p for e in entries for p in range(e.first_position, e.last_position + 1))
    assert covered == list(range(1, app.log_position() + 1))  # no gap, no overlap
