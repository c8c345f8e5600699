"""The benchmark's dataset generator: reproducible, valid histories, documented proportions."""

from __future__ import annotations

import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import eventsourcing.domain as es_domain
from eventsourcing.domain import CanMutateAggregate
from eventsourcing.persistence import Mapper, StoredEvent

from adapters.bulk.generator import DatasetGenerator, generate
from adapters.bulk.importer import read_dump, write_dump
from adapters.transcoding import domain_transcoder


def _key(events: list[StoredEvent]) -> list[tuple[Any, ...]]:
    return [(e.originator_id, e.originator_version, e.topic, e.state) for e in events]


def test_the_same_seed_gives_the_same_events() -> None:
    first = list(generate(3000, seed=7))
    again = list(generate(3000, seed=7))
    other = list(generate(3000, seed=8))
    assert len(first) == 3000
    assert _key(first) == _key(again)
    assert _key(first) != _key(other)


def test_the_library_clock_and_ids_are_restored_afterwards() -> None:
    list(generate(200, seed=1))
    assert es_domain.uuid4 is uuid.uuid4
    assert es_domain.datetime_now_with_tzinfo.__module__ == "eventsourcing.domain"


def test_every_history_replays_into_a_valid_aggregate_in_version_order() -> None:
    mapper: Mapper[Any] = Mapper(transcoder=domain_transcoder())
    aggregates: dict[Any, Any] = {}
    for stored in generate(12_000, seed=11):
        event = mapper.to_domain_event(stored)
        assert isinstance(event, CanMutateAggregate)
        current = aggregates.get(stored.originator_id)
        expected = 1 if current is None else current.version + 1
        assert stored.originator_version == expected
        aggregates[stored.originator_id] = event.mutate(current)
    kinds = Counter(type(a).__name__ for a in aggregates.values())
    assert {"Customer", "Affair", "Quote", "Order", "Contract", "Asset"} <= set(kinds)


def test_proportions_are_roughly_as_documented() -> None:
    gen = DatasetGenerator(seed=42)
    events = list(gen.events(20_000))
    by_aggregate = Counter(e.topic.split(":")[1].split(".")[0] for e in events)
    share = {k: v / len(events) for k, v in by_aggregate.items()}
    stories = sum(gen.stats.stories.values())
    assert 0.6 <= gen.stats.stories["affair"] / stories <= 0.8
    assert 0.08 <= gen.stats.stories["contract"] / stories <= 0.22
    assert 0.08 <= gen.stats.stories["asset"] / stories <= 0.22
    assert 0.15 <= gen.stats.by_type["Affair.TimeLogged"] / len(events) <= 0.45
    assert 0.40 <= share["Affair"] <= 0.75
    assert 0.15 <= share["Quote"] <= 0.45
    assert share["Order"] > 0.01
    assert gen.sequences  # invoices were numbered


def test_dump_files_round_trip(tmp_path: Path) -> None:
    events = list(generate(500, seed=3))
    path = tmp_path / "dump.bin"
    assert write_dump(path, events) == 500
    assert list(read_dump(path)) == events
