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
  version read (`CacheTrust.behind`, a statement for each); if it has, the command is built
  again;
- a command refused by a rule, or that would record nothing, on the cached copies: it is
  built again on the log's state before the refusal is answered.

So a stale copy never decides anything, and the common command (one document, cached)
costs no read at all. `CommandRunner.run` holds the loop, `reading` marks the loads of
one attempt, and `CacheTrust` takes the documents out of the cache and puts them back.

A document that several processes write in turn (an affair whose time is logged through
every node) would make most attempts on it wasted. A document found behind the log is
therefore read from the store by this process's commands for a while (`WrittenElsewhere`,
a minute): its cached copy is taken out and brought up to the log (the events recorded
since its version, one statement), and the command changes it without a copy
(`CacheTrust.take`); once recorded, or left unchanged, it goes back.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

# The documents this attempt took from the cache unread, by id. None outside a command,
# or when the attempt reads everything from the store.
_TRUSTED: ContextVar[dict[UUID, Aggregate] | None] = ContextVar("trusted_reads", default=None)
# The documents this attempt took from the cache and brought up to the log, by id. None
# outside a command.
_CURRENT: ContextVar[dict[UUID, Aggregate] | None] = ContextVar("current_reads", default=None)


@contextmanager
def reading(trusting: bool) -> Iterator[tuple[dict[UUID, Aggregate], dict[UUID, Aggregate]]]:
    """Mark the loads of one attempt at a command: from the cache when `trusting`; gives
    the documents taken unread and those taken and brought up to the log."""
    taken: dict[UUID, Aggregate] = {}
    current: dict[UUID, Aggregate] = {}
    token = _TRUSTED.set(taken if trusting else None)
    current_token = _CURRENT.set(current)
    try:
        yield taken, current
    finally:
        _CURRENT.reset(current_token)
        _TRUSTED.reset(token)


class WrittenElsewhere:
    """Documents found behind the log lately: another process writes them too."""

    def __init__(self, seconds: float = 60.0, size: int = 1000) -> None:
        self.seconds = seconds
        self.size = size
        self._until: OrderedDict[UUID, float] = OrderedDict()
        self._lock = threading.Lock()

    def mark(self, ids: Iterable[UUID]) -> None:
        until = time.monotonic() + self.seconds
        with self._lock:
            for aggregate_id in ids:
                self._until[aggregate_id] = until
                self._until.move_to_end(aggregate_id)
            while len(self._until) > self.size:
                self._until.popitem(last=False)

    def __contains__(self, aggregate_id: object) -> bool:
        until = self._until.get(aggregate_id)  # type: ignore[call-overload]
        return until is not None and until > time.monotonic()


class CacheTrust:
    """A command runner's use of the cache: documents taken, checked, put back."""

    def __init__(self, app: Any, enabled: bool) -> None:
        self.repository = app.repository
        self.recorder = app.recorder
        self.enabled = (
            enabled and hasattr(self.repository, "take") and self.repository.cache is not None
        )
        self.written_elsewhere = WrittenElsewhere()

    def take(self, aggregate_id: UUID) -> Aggregate | None:
        """The cached document for a load of a command's attempt, out of the cache (None
        outside a command, or when it is not cached: read it from the store).

        An attempt that trusts the cache takes it unread, unless another process wrote it
        lately; otherwise it is brought up to the log first. Either way the command
        changes it without a copy; it goes back once recorded or left unchanged
        (`put_back`), and meanwhile other loads of it in this process read the store."""
        taken, current = _TRUSTED.get(), _CURRENT.get()
        if current is None or not self.enabled:
            return None
        aggregate: Aggregate | None
        if taken is not None and aggregate_id not in self.written_elsewhere:
            aggregate = self.repository.take(aggregate_id)
            if aggregate is not None:
                taken.setdefault(aggregate_id, aggregate)
            return aggregate
        aggregate = self.repository.take_forwarded(aggregate_id)
        if aggregate is not None:
            current.setdefault(aggregate_id, aggregate)
        return aggregate

    def behind(self, taken: dict[UUID, Aggregate], aggregates: Sequence[Aggregate]) -> bool:
        """Whether an attempt on cached documents must be built again on the log's state:
        it would record nothing, or a document it only read has events after the version
        taken (a statement for each; those it records, the write checks)."""
        recorded = {a.id for a in aggregates if a.pending_events}
        if not recorded:
            return True
        behind = [
            aggregate_id
            for aggregate_id, aggregate in taken.items()
            if aggregate_id not in recorded
            and self.recorder.select_events(aggregate_id, gt=aggregate.version, limit=1)
        ]
        self.written_elsewhere.mark(behind)
        return bool(behind)

    def copy_was_behind(self, taken: dict[UUID, Aggregate], primary: UUID, loaded: int) -> bool:
        """After a refused write: whether the document was taken from the cache and no
        command of this process recorded it since (it would be back, later), so the copy
        was behind the log rather than a command of this process racing this one."""
        if primary not in taken:
            return False
        cached: int | None = self.repository.cached_version(primary)
        if cached is not None and cached > loaded:
            return False
        self.written_elsewhere.mark([primary])
        return True

    def put_back(self, aggregates: Iterable[Aggregate], current: Iterable[UUID] = ()) -> None:
        """Put documents back in the cache: as recorded, or as taken when unchanged (not
        those found behind the log, unless `current`: brought up to the log when taken)."""
        if not self.enabled:
            return
        up_to_date = set(current)
        for aggregate in aggregates:
            if aggregate.id in up_to_date or aggregate.id not in self.written_elsewhere:
                self.repository.remember(aggregate)
