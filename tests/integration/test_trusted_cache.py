"""Commands built on cached documents (application/trusted_reads.py), with two
applications on one store standing for two command nodes: whatever one records, the
other's next command decides on, though its cache was behind the log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

import application.repository as repository_module
from application.app import Comptoir
from application.commands import Outcome
from application.errors import ConcurrentUpdate
from application.journal import CommandContext
from domain.errors import DomainError
from domain.quote import Quote
from interfaces.settings import Settings

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
ALICE = CommandContext(actor="alice", at=AT)


@pytest.fixture
def nodes(settings: Settings) -> Iterator[tuple[Comptoir, Comptoir]]:
    first, second = Comptoir(settings.eventstore_env()), Comptoir(settings.eventstore_env())
    yield first, second
    first.close()
    second.close()


def add_line(app: Comptoir, quote: UUID, description: str) -> None:
    app.quotes.add_line(
        ALICE,
        quote,
        description=description,
        quantity=Decimal(1),
        unit_price=Decimal("450.00"),
        vat_rate=Decimal(20),
    )


def draft(app: Comptoir, *lines: str) -> UUID:
    quote = app.quotes.draft(ALICE, currency="EUR", prospect="Martin").aggregate_id
    for line in lines:
        add_line(app, quote, line)
    return quote


def descriptions(app: Comptoir, quote: UUID) -> list[str]:
    return sorted(line.description for line in app.quotes.get(quote).lines.values())


def test_a_command_on_a_copy_behind_the_log_is_built_again_on_the_log(
    nodes: tuple[Comptoir, Comptoir],
) -> None:
    a, b = nodes
    quote = draft(a, "till")  # cached by a at version 2
    add_line(b, quote, "printer")  # version 3, a's copy is now behind
    add_line(a, quote, "scanner")
    assert descriptions(b, quote) == ["printer", "scanner", "till"]
    assert b.quotes.get(quote).version == 4
    assert descriptions(a, quote) == ["printer", "scanner", "till"]


def test_a_refusal_on_a_stale_copy_is_decided_on_the_log(
    nodes: tuple[Comptoir, Comptoir],
) -> None:
    a, b = nodes
    quote = draft(a)  # a's copy has no line: sending it would be refused
    add_line(b, quote, "till")
    a.quotes.send(ALICE, quote)
    assert str(b.quotes.get(quote).status) == "sent"


def test_what_the_log_refuses_is_refused_though_the_stale_copy_allowed_it(
    nodes: tuple[Comptoir, Comptoir],
) -> None:
    a, b = nodes
    quote = draft(a, "till")  # a's copy is a draft
    b.quotes.send(ALICE, quote)
    with pytest.raises(DomainError):
        add_line(a, quote, "printer")
    assert b.quotes.get(quote).version == 3  # drafted, a line, sent: nothing more
    assert descriptions(b, quote) == ["till"]


def test_a_document_only_read_is_read_again_when_the_log_moved_it(
    nodes: tuple[Comptoir, Comptoir],
) -> None:
    a, b = nodes
    quote = draft(a, "till")
    add_line(b, quote, "printer")
    copied = a.quotes.copy(ALICE, quote).aggregate_id  # the source is only read
    assert descriptions(b, copied) == ["printer", "till"]


def counting_reads(app: Comptoir) -> list[Any]:
    """The store reads of one document's events, as they are made."""
    reads: list[Any] = []
    recorder: Any = app.recorder
    select = recorder.select_events

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(args)
        return select(*args, **kwargs)

    recorder.select_events = counted
    return reads


@pytest.mark.parametrize("trusting", [True, False])
def test_a_command_on_a_document_this_node_holds_reads_nothing_from_the_store(
    settings: Settings, trusting: bool
) -> None:
    env = settings.model_copy(update={"commands_trust_cache": trusting}).eventstore_env()
    app = Comptoir(env)
    try:
        quote = draft(app, "till")
        reads = counting_reads(app)
        add_line(app, quote, "printer")
        app.quotes.send(ALICE, quote)
        assert len(reads) == (0 if trusting else 2)
        assert descriptions(app, quote) == ["printer", "till"]
    finally:
        app.close()


def test_two_commands_racing_on_one_node_still_end_in_a_conflict(
    nodes: tuple[Comptoir, Comptoir],
) -> None:
    a, _ = nodes
    quote = draft(a, "till")

    def build() -> Outcome:
        taken = a.runner.load(Quote, quote)  # from the cache, at version 2
        add_line(a, quote, "printer")  # another command of this node records version 3
        taken.add_line(
            at=AT,
            description="scanner",
            quantity=Decimal(1),
            unit_price=Decimal(10),
            vat_rate=Decimal(20),
        )
        return Outcome([taken])

    with pytest.raises(ConcurrentUpdate):
        a.runner.run(ALICE, "quote.add_line", {"quote_id": quote}, build)
    assert descriptions(a, quote) == ["printer", "till"]


def test_a_document_another_node_writes_is_read_from_the_store_for_a_while(
    nodes: tuple[Comptoir, Comptoir],
) -> None:
    a, b = nodes
    quote = draft(a, "till")
    add_line(b, quote, "printer")
    add_line(a, quote, "scanner")  # a's copy was behind: a now reads this quote anew
    reads = counting_reads(a)
    add_line(a, quote, "dock")
    assert len(reads) == 1  # the events after the cached version: none were refused
    assert descriptions(b, quote) == ["dock", "printer", "scanner", "till"]


def test_a_document_another_node_writes_is_brought_up_to_the_log_without_a_copy(
    nodes: tuple[Comptoir, Comptoir], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = nodes
    quote = draft(a, "till")
    add_line(b, quote, "printer")
    add_line(a, quote, "scanner")  # a's copy was behind: a now reads this quote anew
    add_line(b, quote, "cable")
    copies: list[object] = []
    real_deepcopy = repository_module.deepcopy

    def counted_deepcopy(value: object) -> object:
        copies.append(value)
        return real_deepcopy(value)

    monkeypatch.setattr(repository_module, "deepcopy", counted_deepcopy)
    reads = counting_reads(a)
    add_line(a, quote, "dock")  # b's line read, the cached copy changed in place
    assert len(reads) == 1
    assert copies == []
    repository: Any = a.repository
    assert repository.cached_version(quote) == 6  # back in the cache as recorded
    assert descriptions(b, quote) == ["cable", "dock", "printer", "scanner", "till"]
    with pytest.raises(DomainError):  # refused on the log's state: nothing changed
        a.quotes.remove_line(ALICE, quote, "no-such-line")
    assert repository.cached_version(quote) == 6
    add_line(b, quote, "stand")
    add_line(a, quote, "mount")
    assert descriptions(a, quote) == [
        "cable",
        "dock",
        "mount",
        "printer",
        "scanner",
        "stand",
        "till",
    ]


def test_a_document_a_command_only_reads_goes_back_to_the_cache(
    nodes: tuple[Comptoir, Comptoir],
) -> None:
    a, _ = nodes
    quote = draft(a, "till")
    repository: Any = a.repository
    a.quotes.copy(ALICE, quote)  # takes the quote out of the cache, reads it, gives it back
    assert repository.cached_version(quote) == 2
    with pytest.raises(DomainError):
        a.quotes.remove_line(ALICE, quote, "no-such-line")  # refused: nothing changed
    assert repository.cached_version(quote) == 2
