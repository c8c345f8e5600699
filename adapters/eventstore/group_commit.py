"""Group commit: writes that arrive while another is in flight share the next transaction.

One caller at a time leads: it takes every write queued so far (its own first) and
hands them to `write`, which records each one's result or error. The others wait;
when the leader is done it promotes the oldest write still queued, whose caller then
leads the next group. A caller therefore waits for at most the group in flight plus
its own, and nobody keeps leading on behalf of others.

`screen` decides, from what is already recorded, which writes of a group would have
been refused had each run in its own transaction, so that those fail alone with the
same kind of error while the others commit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from threading import Event, Lock
from typing import Any, Generic, TypeVar

from eventsourcing.persistence import IntegrityError, StoredEvent

from adapters.eventstore.claims import SequenceClaim, SequenceClaimRefused
from application.journal import JournalRecord

R = TypeVar("R")


@dataclass(eq=False)
class Pending(Generic[R]):
    """One caller's write, waiting in the queue or being written."""

    request: R
    result: Any = None
    error: BaseException | None = None
    finished: bool = False
    wake: Event = field(default_factory=Event)

    def succeed(self, result: Any) -> None:
        self.result, self.finished = result, True

    def fail(self, error: BaseException) -> None:
        self.error, self.finished = error, True


class GroupCommitter(Generic[R]):
    """Serializes writes through `write(group)`, batching those that queue up meanwhile."""

    def __init__(self, write: Callable[[list[Pending[R]]], None], max_group: int = 64) -> None:
        self.write = write
        self.max_group = max_group
        self._queue: list[Pending[R]] = []
        self._mutex = Lock()
        self._leading = False

    def submit(self, request: R) -> Any:
        """Write `request` alone or with others; return its result or raise its error."""
        mine: Pending[R] = Pending(request)
        with self._mutex:
            self._queue.append(mine)
            lead = not self._leading
            self._leading = True
        if not lead:
            mine.wake.wait()
        if not mine.finished:  # we lead: our write is the oldest queued
            self._lead()
        if mine.error is not None:
            raise mine.error
        return mine.result

    def _lead(self) -> None:
        with self._mutex:
            group = self._queue[: self.max_group]
            del self._queue[: len(group)]
        try:
            self.write(group)
        except BaseException as error:
            for pending in group:
                if not pending.finished:
                    pending.fail(error)
            raise
        finally:
            for pending in group:
                if not pending.finished:  # pragma: no cover - write() records every write
                    pending.fail(RuntimeError("the group was not written"))
                pending.wake.set()
            with self._mutex:
                if self._queue:
                    self._queue[0].wake.set()  # promoted: it leads the next group
                else:
                    self._leading = False


@dataclass(frozen=True)
class Write:
    """One caller's events with the journal row and claims that go with them."""

    events: Sequence[StoredEvent]
    kwargs: dict[str, Any]

    @property
    def journal(self) -> JournalRecord | None:
        journal: JournalRecord | None = self.kwargs.get("journal")
        return journal

    @property
    def claims(self) -> Sequence[SequenceClaim]:
        claims: Sequence[SequenceClaim] = self.kwargs.get("claims", ())
        return claims


def scoped_key(journal: JournalRecord | None) -> str | None:
    """An idempotency key with its actor: keys are unique per actor."""
    if journal is None or journal.idempotency_key is None:
        return None
    return f"{journal.actor}\x1f{journal.idempotency_key}"


def taken_params(writes: list[Write]) -> tuple[Any, ...]:
    """The ids, versions, idempotency keys and sequence names a group's writes use."""
    events = [e for w in writes for e in w.events]
    keyed = [w.journal for w in writes if w.journal and w.journal.idempotency_key]
    return (
        [e.originator_id for e in events],
        [e.originator_version for e in events],
        [j.actor for j in keyed],
        [j.idempotency_key for j in keyed],
        sorted({c.name for w in writes for c in w.claims}),
    )


def screen(writes: list[Write], taken: Sequence[Mapping[str, Any]]) -> list[IntegrityError | None]:
    """Refuse, in order, each write that collides with what is recorded or accepted before
    it, exactly as its own transaction would have been refused."""
    versions = {(row["name"], row["value"]) for row in taken if row["kind"] == "event"}
    keys = {row["name"] for row in taken if row["kind"] == "key"}
    sequences = {row["name"]: row["value"] for row in taken if row["kind"] == "claim"}
    refusals: list[IntegrityError | None] = []
    for write in writes:
        mine = {(str(e.originator_id), e.originator_version) for e in write.events}
        key = scoped_key(write.journal)
        claimed = dict(sequences)
        refusal: IntegrityError | None = None
        if mine & versions or len(mine) < len(write.events):
            refusal = IntegrityError(
                "duplicate key value violates unique constraint: "
                f"{sorted(mine & versions)} already recorded"
            )
        elif key is not None and key in keys:
            refusal = IntegrityError(
                f"duplicate key value violates unique constraint: idempotency key {key!r}"
            )
        else:
            for claim in write.claims:
                if claimed.get(claim.name, 0) != claim.value - 1:
                    refusal = SequenceClaimRefused(claim)
                    break
                claimed[claim.name] = claim.value
        refusals.append(refusal)
        if refusal is None:
            versions |= mine
            if key is not None:
                keys.add(key)
            sequences = claimed
    return refusals
