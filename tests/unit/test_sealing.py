"""The hash chain's canonical encoding and maths, on the in-memory event store."""

from __future__ import annotations

import hashlib
import struct
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import pytest
from eventsourcing.persistence import Notification, StoredEvent

from adapters.eventstore.chain import MemoryChainStore, chain_store_for
from adapters.eventstore.memory import JournalingMemoryRecorder
from application.app import Comptoir
from application.journal import CommandContext
from application.sealing import (
    GENESIS,
    Anchor,
    ChainFollower,
    ChainLink,
    ChainMoved,
    Sealer,
    chain_links,
    encode_record,
)
from application.verification import verify

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
MEMORY = {"PERSISTENCE_MODULE": "adapters.eventstore.memory:JournalingMemoryFactory"}
EVENT = Notification(
    id=7,
    originator_id=UUID("12345678-1234-5678-1234-567812345678"),
    originator_version=2,
    topic="domain.quote:Quote.LineAdded",
    state=b'{"x":1}',
)


@pytest.fixture
def app() -> Iterator[Comptoir]:
    app = Comptoir(MEMORY)
    yield app
    app.close()


def record_commands(app: Comptoir, quotes: int = 3) -> None:
    ctx = CommandContext(actor="alice", at=AT)
    for n in range(quotes):
        drafted = app.quotes.draft(ctx, currency="EUR", prospect=f"Prospect {n}")
        app.quotes.add_line(
            ctx,
            drafted.aggregate_id,
            description="Cash register",
            quantity=Decimal(1),
            unit_price=Decimal("450.00"),
            vat_rate=Decimal(20),
        )


def stored_events(app: Comptoir) -> list[StoredEvent]:
    recorder = app.recorder
    assert isinstance(recorder, JournalingMemoryRecorder)
    return recorder._stored_events


def head_of(notifications: list[Notification]) -> bytes:
    return chain_links(GENESIS, notifications)[-1].link


def test_the_canonical_record_is_length_prefixed_fields_with_big_endian_integers() -> None:
    topic, state = EVENT.topic.encode(), EVENT.state
    expected = (
        struct.pack(">Q", 7)
        + struct.pack(">Q", 16)
        + EVENT.originator_id.bytes  # type: ignore[union-attr]
        + struct.pack(">Q", 2)
        + struct.pack(">Q", len(topic))
        + topic
        + struct.pack(">Q", len(state))
        + state
    )
    assert encode_record(EVENT) == expected


def test_a_link_is_the_sha256_of_the_previous_link_and_the_record() -> None:
    first, second = chain_links(GENESIS, [EVENT, replace(EVENT, id=8, originator_version=3)])
    assert first.link == hashlib.sha256(bytes(32) + encode_record(EVENT)).digest()
    assert first.content_digest == hashlib.sha256(encode_record(EVENT)[8:]).digest()
    assert (
        second.link
        == hashlib.sha256(
            first.link + encode_record(replace(EVENT, id=8, originator_version=3))
        ).digest()
    )
    # Pinned so that an outside re-implementation can check itself against ours.
    assert first.link.hex() == ("6264f8082cb9053a5c2f8f26cb175638879087f9389569d3a1d29b2bee02497a")


def test_the_same_events_give_the_same_head_in_another_store(app: Comptoir) -> None:
    record_commands(app)
    Sealer(app, chain_store_for(app)).seal()
    copy = Comptoir(MEMORY)
    copy.recorder.insert_events(stored_events(app))
    # The copy has no journal rows, so its sealer would refuse it: chain it directly.
    links = chain_links(GENESIS, copy.recorder.select_notifications(start=1, limit=100))
    assert links[-1] == chain_store_for(app).head()
    copy.close()


@pytest.mark.parametrize(
    "change",
    [
        {"id": 8},
        {"originator_id": UUID(int=1)},
        {"originator_version": 3},
        {"topic": "domain.quote:Quote.Sent"},
        {"state": b'{"x":2}'},
    ],
)
def test_any_change_to_an_event_gives_a_different_head(change: dict[str, object]) -> None:
    later = replace(EVENT, id=9, originator_version=4)
    assert head_of([replace(EVENT, **change), later]) != head_of([EVENT, later])  # type: ignore[arg-type]


def test_sealing_in_batches_of_two_gives_the_same_head_as_one_batch(app: Comptoir) -> None:
    record_commands(app)
    store = chain_store_for(app)
    assert Sealer(app, store, page_size=2).seal() == 6
    other = MemoryChainStore()
    assert Sealer(app, other, page_size=1000).seal() == 6
    assert store.head() == other.head()
    assert [k.notification_id for k in store.links(0, 100)] == [1, 2, 3, 4, 5, 6]


def test_a_restarted_sealer_resumes_after_the_last_seal(app: Comptoir) -> None:
    record_commands(app, quotes=1)
    store = chain_store_for(app)
    assert Sealer(app, store).seal() == 2
    record_commands(app, quotes=2)
    assert Sealer(app, chain_store_for(app)).seal() == 4
    assert Sealer(app, store).seal() == 0
    one_go = MemoryChainStore()
    Sealer(app, one_go).seal()
    assert store.head() == one_go.head()


def test_a_second_sealer_cannot_append_links_for_events_already_sealed(app: Comptoir) -> None:
    record_commands(app, quotes=1)
    store = chain_store_for(app)
    Sealer(app, store).seal()
    stale = chain_links(GENESIS, list(app.recorder.select_notifications(start=1, limit=10)))
    with pytest.raises(ChainMoved):
        store.append(stale)


def test_a_clean_log_verifies_and_counts_events_recorded_after_the_last_seal(
    app: Comptoir,
) -> None:
    record_commands(app, quotes=2)
    store = chain_store_for(app)
    Sealer(app, store).seal()
    record_commands(app, quotes=1)
    report = verify(app, store, page_size=3)
    assert report.ok
    assert (report.sealed, report.unsealed) == (4, 2)
    head = store.head()
    assert head is not None
    assert str(report) == f"ok: 4 events sealed, head {head.link.hex()}, unsealed 2"


def test_a_changed_event_is_reported_as_altered_at_its_notification_id(app: Comptoir) -> None:
    record_commands(app)
    store = chain_store_for(app)
    Sealer(app, store).seal()
    events = stored_events(app)
    events[3] = replace(events[3], state=events[3].state.replace(b"450", b"045"))
    report = verify(app, store, page_size=2)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.notification_id) == ("altered", 4)
    assert str(report) == "altered event at notification 4"


def test_two_swapped_events_are_reported_as_reordered_at_the_first(app: Comptoir) -> None:
    record_commands(app)
    store = chain_store_for(app)
    Sealer(app, store).seal()
    events = stored_events(app)
    events[1], events[4] = events[4], events[1]
    problem = verify(app, store).problem
    assert problem is not None
    assert (problem.kind, problem.notification_id) == ("reordered", 2)
    assert str(problem) == "reordered event at notification 2 (holds the event sealed at 5)"


def test_a_rewritten_chain_link_is_reported_as_a_chain_problem(app: Comptoir) -> None:
    record_commands(app, quotes=1)
    store = chain_store_for(app)
    assert isinstance(store, MemoryChainStore)
    Sealer(app, store).seal()
    store._links[0] = ChainLink(1, store._links[0].content_digest, bytes(32))
    problem = verify(app, store).problem
    assert problem is not None
    assert (problem.kind, problem.notification_id) == ("chain", 1)


def test_a_deleted_chain_link_is_told_apart_from_an_inserted_event(app: Comptoir) -> None:
    record_commands(app, quotes=2)
    store = chain_store_for(app)
    assert isinstance(store, MemoryChainStore)
    Sealer(app, store).seal()
    del store._links[1]
    problem = verify(app, store).problem
    assert problem is not None
    assert (problem.kind, problem.notification_id) == ("chain", 2)
    assert str(problem) == "altered chain link at notification 2 (the chain lost its link there)"


def test_a_kept_anchor_that_the_chain_no_longer_matches_is_reported(app: Comptoir) -> None:
    record_commands(app, quotes=1)
    store = chain_store_for(app)
    Sealer(app, store).seal()
    head = store.head()
    assert head is not None
    assert verify(app, store, anchor=head.anchor).ok
    forged = Anchor(head.notification_id, bytes(32))
    problem = verify(app, store, anchor=forged).problem
    assert problem is not None
    assert (problem.kind, problem.notification_id) == ("anchor", 2)
    beyond = verify(app, store, anchor=Anchor(9, head.link)).problem
    assert beyond is not None
    assert (beyond.kind, beyond.notification_id) == ("anchor", 9)


def test_an_anchor_reads_back_from_what_anchor_prints() -> None:
    anchor = Anchor(42, bytes(range(32)))
    assert Anchor.parse(str(anchor)) == anchor
    with pytest.raises(ValueError, match="not an anchor"):
        Anchor.parse("42:abcd")


def test_the_follower_seals_new_events_in_the_background(app: Comptoir) -> None:
    store = chain_store_for(app)
    follower = ChainFollower(Sealer(app, store, page_size=2))
    follower.start(poll_s=0.01)
    try:
        record_commands(app)
        follower.wake()
        deadline = time.monotonic() + 5
        while (head := store.head()) is None or head.notification_id < 6:
            assert time.monotonic() < deadline, "the follower did not seal the log"
            time.sleep(0.01)
    finally:
        follower.stop()
    assert follower.error is None
    assert verify(app, store).ok
