"""The command journal and idempotency on the real SQLite and Postgres stores."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from adapters.eventstore.claims import SequenceClaim
from application.app import Comptoir
from application.errors import ConcurrentUpdate, IdempotencyKeyReused, StaleVersion
from application.journal import CommandContext
from interfaces.settings import Settings

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    yield app
    app.close()


def ctx(**kwargs: object) -> CommandContext:
    return CommandContext(actor="alice", at=AT, **kwargs)  # type: ignore[arg-type]


def add_line(app: Comptoir, quote_id: object, context: CommandContext) -> object:
    return app.quotes.add_line(
        context,
        quote_id,  # type: ignore[arg-type]
        description="Cash register",
        quantity=Decimal(1),
        unit_price=Decimal("450.00"),
        vat_rate=Decimal(20),
    )


def test_every_command_records_who_when_why_with_its_events(app: Comptoir) -> None:
    drafted = app.quotes.draft(
        CommandContext(actor="alice", at=AT, reason="trade fair lead"),
        currency="EUR",
        prospect="Boulangerie Martin",
    )
    history = app.history(drafted.aggregate_id)
    assert [h.type for h in history] == ["Quote.Drafted"]
    journal = history[0].journal
    assert journal is not None
    assert journal.record.actor == "alice"
    assert journal.record.reason == "trade fair lead"
    assert journal.record.command == "quote.draft"
    assert journal.record.issued_at == AT
    assert journal.first_position == journal.last_position == drafted.position


def test_a_retry_with_the_same_key_and_body_returns_the_first_result_and_appends_nothing(
    app: Comptoir,
) -> None:
    first = app.quotes.draft(ctx(idempotency_key="k-1"), currency="EUR", prospect="Martin")
    before = app.log_position()
    again = app.quotes.draft(ctx(idempotency_key="k-1"), currency="EUR", prospect="Martin")
    assert again.replayed
    assert (again.aggregate_id, again.version, again.position) == (
        first.aggregate_id,
        first.version,
        first.position,
    )
    assert app.log_position() == before


def test_the_same_key_with_another_body_is_refused_and_appends_nothing(app: Comptoir) -> None:
    app.quotes.draft(ctx(idempotency_key="k-2"), currency="EUR", prospect="Martin")
    before = app.log_position()
    with pytest.raises(IdempotencyKeyReused):
        app.quotes.draft(ctx(idempotency_key="k-2"), currency="EUR", prospect="Dupont")
    assert app.log_position() == before


def test_a_stale_expected_version_is_refused_with_the_current_version(app: Comptoir) -> None:
    drafted = app.quotes.draft(ctx(), currency="EUR", prospect="Martin")
    add_line(app, drafted.aggregate_id, ctx())
    with pytest.raises(StaleVersion) as refused:
        add_line(app, drafted.aggregate_id, ctx(expected_version=1))
    assert refused.value.current == 2


def test_concurrent_writers_on_one_quote_each_succeed_or_conflict_and_nothing_is_lost(
    app: Comptoir,
) -> None:
    drafted = app.quotes.draft(ctx(), currency="EUR", prospect="Martin")
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def writer() -> None:
        barrier.wait()
        for _ in range(5):
            try:
                add_line(app, drafted.aggregate_id, ctx())
                outcomes.append("ok")
            except ConcurrentUpdate:
                outcomes.append("conflict")

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    quote = app.quotes.get(drafted.aggregate_id)
    assert len(quote.lines) == outcomes.count("ok")
    assert quote.version == 1 + outcomes.count("ok")
    assert len(app.history(drafted.aggregate_id)) == quote.version


def test_a_duplicate_key_racing_in_the_same_transaction_window_rolls_back_its_events(
    app: Comptoir,
) -> None:
    from application.journal import JournalRecord, fingerprint
    from domain.quote import Quote

    app.quotes.draft(ctx(idempotency_key="k-3"), currency="EUR", prospect="Martin")
    before = app.log_position()
    quote = Quote.draft(at=AT, currency="EUR", prospect="Racer")
    record = JournalRecord(
        command_id=uuid4(),
        command="quote.draft",
        actor="alice",
        reason=None,
        idempotency_key="k-3",
        fingerprint=fingerprint("quote.draft", {}),
        issued_at=AT,
        aggregate_id=quote.id,
        version=1,
        result={},
    )
    with pytest.raises(Exception, match=r"(?i)unique|already"):
        app.save(quote, journal=record)
    assert app.log_position() == before
    assert app.history(quote.id) == []


def test_sequence_claims_are_gapless_under_concurrent_claimers(app: Comptoir) -> None:
    drafted = app.quotes.draft(ctx(), currency="EUR", prospect="Martin")
    recorder = app.recorder
    claimed: list[int] = []
    lock = threading.Lock()

    def claimer() -> None:
        for _ in range(5):
            while True:
                value = recorder.sequence_value("invoice-2026") + 1  # type: ignore[attr-defined]
                quote = app.quotes.get(drafted.aggregate_id)
                try:
                    quote.add_line(
                        at=AT,
                        description=f"line for {value}",
                        quantity=Decimal(1),
                        unit_price=Decimal(1),
                        vat_rate=Decimal(0),
                    )
                    app.save(quote, claims=[SequenceClaim("invoice-2026", value)])
                except Exception:  # a lost race on the claim or the version: try again
                    continue
                with lock:
                    claimed.append(value)
                break

    threads = [threading.Thread(target=claimer) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == list(range(1, 16))
    assert recorder.sequence_value("invoice-2026") == 15  # type: ignore[attr-defined]


def test_a_duplicate_key_fails_as_an_integrity_error_and_leaves_no_trace(app: Comptoir) -> None:
    from eventsourcing.persistence import IntegrityError

    from application.journal import JournalRecord, fingerprint
    from domain.quote import Quote

    app.quotes.draft(ctx(idempotency_key="k-4"), currency="EUR", prospect="Martin")
    before = app.log_position()
    quote = Quote.draft(at=AT, currency="EUR", prospect="Racer")
    record = JournalRecord(
        command_id=uuid4(),
        command="quote.draft",
        actor="alice",
        reason=None,
        idempotency_key="k-4",
        fingerprint=fingerprint("quote.draft", {}),
        issued_at=AT,
        aggregate_id=quote.id,
        version=1,
        result={},
    )
    with pytest.raises(IntegrityError):
        app.save(quote, journal=record, claims=[SequenceClaim("invoice-2027", 1)])
    assert app.log_position() == before
    assert app.journal.journal_between(before + 1, before + 10) == []
    assert app.recorder.sequence_value("invoice-2027") == 0  # type: ignore[attr-defined]


def test_a_refused_claim_rolls_back_the_events_and_the_journal_row(app: Comptoir) -> None:
    from eventsourcing.persistence import IntegrityError

    from domain.quote import Quote

    before = app.log_position()
    quote = Quote.draft(at=AT, currency="EUR", prospect="Early")
    with pytest.raises(IntegrityError):
        app.save(quote, claims=[SequenceClaim("invoice-2028", 2)])
    assert app.log_position() == before
    assert app.history(quote.id) == []


def test_a_command_of_several_events_journals_its_first_and_last_positions(
    app: Comptoir,
) -> None:
    first = app.quotes.draft(ctx(idempotency_key="k-5"), currency="EUR", prospect="Martin")
    added = add_line(app, first.aggregate_id, ctx(idempotency_key="k-6"))
    entry = app.journal.journal_by_key("alice", "k-6")
    assert entry is not None
    assert entry.last_position == added.position  # type: ignore[attr-defined]
    history = app.history(first.aggregate_id)
    positions = [
        h.position
        for h in history
        if h.journal and h.journal.record.command_id == entry.record.command_id
    ]
    assert positions == list(range(entry.first_position, entry.last_position + 1))


def test_the_journal_rows_meeting_a_range_of_positions_are_found_whatever_their_span(
    app: Comptoir,
) -> None:
    from application.journal import JournalRecord, fingerprint
    from domain.quote import Quote

    app.quotes.draft(ctx(), currency="EUR", prospect="Alone")
    first = app.log_position()
    pair = [Quote.draft(at=AT, currency="EUR", prospect=name) for name in ("One", "Two")]
    record = JournalRecord(
        command_id=uuid4(),
        command="quote.draft",
        actor="alice",
        reason=None,
        idempotency_key=None,
        fingerprint=fingerprint("quote.draft", {}),
        issued_at=AT,
        aggregate_id=pair[0].id,
        version=1,
        result={},
    )
    app.save(*pair, journal=record)  # one journal row over two positions
    app.quotes.draft(ctx(), currency="EUR", prospect="After")
    last = app.log_position()
    assert last == first + 3

    def spans(lo: int, hi: int) -> list[tuple[int, int]]:
        return [(e.first_position, e.last_position) for e in app.journal.journal_between(lo, hi)]

    both = (first + 1, first + 2)
    assert spans(first, first + 1) == [(first, first), both]  # the pair runs past the range
    assert spans(first + 2, first + 2) == [both]  # a range inside one command
    assert spans(first + 1, last) == [both, (last, last)]
    assert spans(1, last + 100) == [*spans(1, first - 1), (first, first), both, (last, last)]
    assert spans(last + 1, last + 10) == []
