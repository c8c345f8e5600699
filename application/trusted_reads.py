"""Commands built on the cached documents, checked against the log when they record.

A command node keeps the documents it used in memory (`application.repository`). Reading
the events recorded since the cached version, before every command, costs a statement
per document: a third of a command's time. So a command is first built on the cached
copies as this process last knew them, and only what the log would refuse is built again
on the documents read anew from the store:

- a document the command records: its new events take the next version numbers, so if
  another process recorded that version first, the store refuses the write
  (`IntegrityError`) and the command is built again;
- a document the command only read (a customer named on a quote, an order billed by a
  new invoice): before recording, the store is asked whether it has events after the
  version read (`read_behind`, a statement for each); if it has, the command is built
  again;
- a command refused by a rule, or that would record nothing, on the cached copies: it is
  built again on the log's state before the refusal is answered.

So a stale copy never decides anything, and the common command (one document, cached)
costs no read at all. `CommandRunner.run` holds the loop; `reading` marks the loads of
one attempt.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

# The documents this attempt took from the cache unread, by id: the version taken. None
# outside a command, or when the attempt reads everything from the store.
_TRUSTED: ContextVar[dict[UUID, int] | None] = ContextVar("trusted_reads", default=None)


@contextmanager
def reading(trusting: bool) -> Iterator[dict[UUID, int]]:
    """Mark the loads of one attempt at a command: from the cache when `trusting`."""
    taken: dict[UUID, int] = {}
    token = _TRUSTED.set(taken if trusting else None)
    try:
        yield taken
    finally:
        _TRUSTED.reset(token)


def cached_for_command(repository: Any, aggregate_id: UUID) -> Aggregate | None:
    """The cached copy, when this load belongs to a command that trusts the cache."""
    taken = _TRUSTED.get()
    cached_copy = getattr(repository, "cached_copy", None)
    if taken is None or cached_copy is None:
        return None
    aggregate: Aggregate | None = cached_copy(aggregate_id)
    if aggregate is not None:
        taken.setdefault(aggregate_id, aggregate.version)
    return aggregate


def read_behind(recorder: Any, taken: dict[UUID, int], recorded: set[UUID]) -> bool:
    """Whether the store has events after the version taken of a document the command
    read from the cache but does not record (those it records, the write checks)."""
    for aggregate_id, version in taken.items():
        if aggregate_id in recorded:
            continue
        if recorder.select_events(aggregate_id, gt=version, limit=1):
            return True
    return False
