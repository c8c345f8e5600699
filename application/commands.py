"""The one path every command takes: idempotency, expected version, journal, save.

A command handler builds an `Outcome` by loading aggregates and calling one verb;
this module records it with its journal row in one transaction and turns storage
conflicts into our errors. No business rule lives here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, DomainEvent
from eventsourcing.persistence import IntegrityError, PersistenceError

from adapters.eventstore.claims import SequenceClaim
from application.errors import (
    REVOKED_MARK,
    ConcurrentUpdate,
    IdempotencyKeyReused,
    KeyRevoked,
    NotAssigned,
    StaleVersion,
)
from application.journal import (
    CommandContext,
    CommandJournal,
    JournalEntry,
    JournalRecord,
    Result,
    fingerprint,
)
from application.trusted_reads import CacheTrust, reading
from domain.errors import DomainError, InvalidInput, NotFound

A = TypeVar("A", bound=Aggregate)

# A lost claim means another command took that number first: building again with the
# next one is always right, so many issuers of one series at once only cost retries.
# Likewise when only a shared document beside the one acted on moved meanwhile (a
# customer's invoice index, an affair's revenue, a voucher): building again reads it anew.
# A change to the document acted on itself is a real conflict: 409, as the client decides.
CLAIM_ATTEMPTS = 64


@dataclass(frozen=True)
class CommandResult:
    """What a command produced: the document, its new version and the log position."""

    aggregate_id: UUID
    version: int
    position: int | None
    result: Result = field(default_factory=dict)
    replayed: bool = False

    @classmethod
    def from_journal(cls, entry: JournalEntry) -> CommandResult:
        record = entry.record
        return cls(record.aggregate_id, record.version, entry.last_position, record.result, True)


@dataclass
class Outcome:
    """Aggregates changed by one command, the primary one first, and what to report."""

    aggregates: Sequence[Aggregate]
    result: Result = field(default_factory=dict)
    claims: Sequence[SequenceClaim] = ()


class CommandRunner:
    """Runs commands against an `eventsourcing` application with a journaling recorder."""

    def __init__(
        self,
        app: Application[UUID],
        on_recorded: Callable[[int], None],
        trust_cache: bool = True,
    ) -> None:
        self.app = app
        self.on_recorded = on_recorded
        # commands built first on the cached documents (see application.trusted_reads)
        self.cache = CacheTrust(app, trust_cache)

    @property
    def journal(self) -> CommandJournal:
        recorder: Any = self.app.recorder
        return recorder  # type: ignore[no-any-return]

    def next_claim(self, sequence: str) -> SequenceClaim:
        """A claim on the value after `sequence`'s current one; refused if taken meanwhile."""
        recorder: Any = self.app.recorder
        return SequenceClaim(sequence, int(recorder.sequence_value(sequence)) + 1)

    def load(self, cls: type[A], aggregate_id: UUID, ctx: CommandContext | None = None) -> A:
        """Get an aggregate of the given type, checking the client's expected version."""
        try:
            aggregate: Aggregate = self.cache.take(aggregate_id) or self.app.repository.get(
                aggregate_id
            )
        except AggregateNotFoundError:
            raise NotFound(f"no {cls.__name__.lower()} with id {aggregate_id}") from None
        if not isinstance(aggregate, cls):
            raise NotFound(f"no {cls.__name__.lower()} with id {aggregate_id}")
        if ctx is not None:
            _refuse_unless_owner(aggregate, ctx)
        expected = None if ctx is None else ctx.expected_version
        if expected is not None and expected != aggregate.version:
            raise StaleVersion(expected, aggregate.version)
        return aggregate

    def load_version(self, cls: type[A], aggregate_id: UUID, version: int) -> A:
        """Get an aggregate as it stood at `version`."""
        try:
            aggregate: Aggregate = self.app.repository.get(aggregate_id, version=version)
        except AggregateNotFoundError:
            raise NotFound(f"no {cls.__name__.lower()} with id {aggregate_id}") from None
        if not isinstance(aggregate, cls) or aggregate.version != version:
            raise NotFound(f"{cls.__name__.lower()} {aggregate_id} has no version {version}")
        return aggregate

    def load_as_of(self, cls: type[A], aggregate_id: UUID, as_of: datetime) -> A:
        """Get an aggregate as it stood at the recorded time `as_of` (timezone-aware): its
        last version whose event was recorded at or before `as_of`."""
        if as_of.utcoffset() is None:
            raise InvalidInput("as_of must carry a timezone offset")
        current = self.load(cls, aggregate_id)
        version = None
        for event in self.app.events.get(aggregate_id):
            if not isinstance(event, DomainEvent) or event.timestamp > as_of:
                break
            version = event.originator_version
        if version is None:
            raise NotFound(
                f"{cls.__name__.lower()} {aggregate_id} did not exist yet at {as_of.isoformat()}"
            )
        if version == current.version:
            return current
        return self.load_version(cls, aggregate_id, version)

    def run(
        self,
        ctx: CommandContext,
        command: str,
        payload: dict[str, Any],
        build: Callable[[], Outcome],
    ) -> CommandResult:
        """Execute `build` once (or again after a lost sequence claim) and record it.

        An idempotency key is not looked up first: the journal's unique (actor, key) index
        refuses a second recording, and only then, or when `build` refuses the command (a
        retry of a command that went through may no longer apply), is the first one read
        and answered again (also when it would record nothing). A first attempt costs no
        extra statement.

        The first attempt is built on the cached documents; whatever the log may decide
        otherwise is built again on the documents read anew (application.trusted_reads)."""
        print_ = fingerprint(command, payload)
        trusting = self.cache.enabled
        for attempt in range(CLAIM_ATTEMPTS):
            unchanged: list[Aggregate] = []
            current: dict[UUID, Aggregate] = {}
            try:
                with reading(trusting) as (taken, current):
                    try:
                        outcome = build()
                    except DomainError:
                        if trusting:  # refused on this process's copies: ask the log
                            trusting = False
                            continue
                        prior = self._recorded(ctx)
                        if prior is None:
                            raise
                        return self._replay(prior, ctx, print_)
                    finally:
                        unchanged = [
                            a for a in (*taken.values(), *current.values()) if not a.pending_events
                        ]
                if trusting and self.cache.behind(taken, outcome.aggregates):
                    trusting = False
                    continue
                if not any(a.pending_events for a in outcome.aggregates):
                    # nothing to record, so nothing the index could refuse: a retry of a
                    # command that changed the document then finds it done already
                    prior = self._recorded(ctx)
                    if prior is not None:
                        return self._replay(prior, ctx, print_)
                primary = outcome.aggregates[0]
                loaded = primary.version - len(primary.pending_events)
                try:
                    return self._record(ctx, command, print_, outcome, current)
                except IntegrityError:
                    prior = self._recorded(ctx)
                    if prior is not None:
                        return self._replay(prior, ctx, print_)
                    if trusting and self.cache.copy_was_behind(taken, primary.id, loaded):
                        trusting = False
                        continue
                    if attempt < CLAIM_ATTEMPTS - 1 and (
                        (outcome.claims and self._claims_lost(outcome))
                        or (len(outcome.aggregates) > 1 and self._version_of(primary.id) == loaded)
                    ):
                        continue
                    self._explain_conflict(ctx, outcome)
                    raise
            finally:
                self.cache.put_back(unchanged, current)
        raise AssertionError("unreachable")  # pragma: no cover

    def _recorded(self, ctx: CommandContext) -> JournalEntry | None:
        """The journal entry of the command recorded with this request's key, if any."""
        if ctx.idempotency_key is None:
            return None
        return self.journal.journal_by_key(ctx.actor, ctx.idempotency_key)

    def _replay(self, prior: JournalEntry, ctx: CommandContext, print_: str) -> CommandResult:
        """The first answer to this key, to the same request from who may still act."""
        self._check_owner(prior.record.aggregate_id, ctx)
        if prior.record.fingerprint != print_:
            raise IdempotencyKeyReused(
                f"idempotency key {ctx.idempotency_key!r} was used for another request"
            )
        return CommandResult.from_journal(prior)

    def _check_owner(self, aggregate_id: UUID, ctx: CommandContext) -> None:
        """A replay is answered only to who may still act on the document."""
        if not ctx.owner_only:
            return
        try:
            aggregate: Aggregate = self.app.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return
        _refuse_unless_owner(aggregate, ctx)

    def _record(
        self,
        ctx: CommandContext,
        command: str,
        print_: str,
        outcome: Outcome,
        current: Iterable[UUID] = (),
    ) -> CommandResult:
        primary = outcome.aggregates[0]
        record = JournalRecord(
            command_id=ctx.command_id or uuid4(),
            command=command,
            actor=ctx.actor,
            reason=ctx.reason,
            idempotency_key=ctx.idempotency_key,
            fingerprint=print_,
            issued_at=ctx.at,
            aggregate_id=primary.id,
            version=primary.version,
            result=outcome.result,
            api_key=ctx.api_key,
        )
        try:
            recordings = self.app.save(*outcome.aggregates, journal=record, claims=outcome.claims)
        except PersistenceError as error:
            if REVOKED_MARK in str(error):
                raise KeyRevoked("the API key was revoked before this command") from None
            raise
        self.cache.put_back(outcome.aggregates, current)
        position = max((r.notification.id for r in recordings), default=None)
        if position is not None:
            self.on_recorded(position)
        return CommandResult(primary.id, primary.version, position, outcome.result)

    def _version_of(self, aggregate_id: UUID) -> int:
        """The stored version of a document, 0 if none is stored."""
        try:
            version: int = self.app.repository.get(aggregate_id).version
        except AggregateNotFoundError:
            return 0
        return version

    def _claims_lost(self, outcome: Outcome) -> bool:
        recorder: Any = self.app.recorder
        return any(recorder.sequence_value(c.name) >= c.value for c in outcome.claims)

    def _explain_conflict(self, ctx: CommandContext, outcome: Outcome) -> None:
        raise ConcurrentUpdate(self._version_of(outcome.aggregates[0].id)) from None


def _refuse_unless_owner(aggregate: Aggregate, ctx: CommandContext) -> None:
    """A salesperson (without a manager's role) acts only on what is assigned to them."""
    owner = getattr(aggregate, "salesperson", None)
    if ctx.owner_only and owner is not None and owner != ctx.actor:
        raise NotAssigned(
            f"this {type(aggregate).__name__.lower()} is assigned to {owner}; "
            "a manager can act on it or reassign it"
        )
