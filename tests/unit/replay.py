"""Replay helpers: rebuild an aggregate from its events, through storage encoding."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from eventsourcing.domain import Aggregate, CanMutateAggregate
from eventsourcing.persistence import Mapper

from adapters.transcoding import domain_transcoder

A = TypeVar("A", bound=Aggregate)

_mapper: Mapper[Any] = Mapper(transcoder=domain_transcoder())


def stored_and_back(events: Sequence[Any]) -> list[Any]:
    """Encode each event as the event store would, then decode it again."""
    return [_mapper.to_domain_event(_mapper.to_stored_event(e)) for e in events]


def replay(events: Sequence[Any], cls: type[A]) -> A:
    """Rebuild an aggregate by applying its (stored and decoded) events in order."""
    aggregate: Any = None
    for event in stored_and_back(events):
        assert isinstance(event, CanMutateAggregate)
        aggregate = event.mutate(aggregate)
    assert isinstance(aggregate, cls)
    return aggregate


def state_of(aggregate: Aggregate) -> dict[str, Any]:
    """The aggregate's state as a dict, comparable across replays."""
    return {k: v for k, v in vars(aggregate).items() if not k.startswith("_pending")}
