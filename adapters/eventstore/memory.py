"""In-memory event store for unit tests: the library's POPO recorder plus the journal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.popo import POPOApplicationRecorder, POPOFactory

from adapters.eventstore.claims import SequenceClaim, SequenceClaimRefused
from adapters.eventstore.group_commit import scoped_key
from application.errors import REVOKED_MARK
from application.journal import HistoryRow, JournalEntry, JournalRecord


class JournalingMemoryRecorder(POPOApplicationRecorder):
    """Application recorder that keeps the command journal in memory."""

    def __init__(self) -> None:
        super().__init__()
        self._journal: list[JournalEntry] = []
        self._by_key: dict[str, JournalEntry] = {}
        self._sequences: dict[str, int] = {}
        self._revoked: set[UUID] = set()

    def _insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        journal: JournalRecord | None = kwargs.get("journal")
        claims: Sequence[SequenceClaim] = kwargs.get("claims", ())
        with self._database_lock:
            key = scoped_key(journal)
            if key is not None and key in self._by_key:
                msg = f"idempotency key {journal.idempotency_key!r} already recorded"  # type: ignore[union-attr]
                raise IntegrityError(msg)
            if journal is not None and journal.api_key in self._revoked:
                raise ProgrammingError(f"{REVOKED_MARK}: {journal.api_key}")
            for claim in claims:
                if claim.value != self._sequences.get(claim.name, 0) + 1:
                    raise SequenceClaimRefused(claim)
            ids = super()._insert_events(stored_events, **kwargs)
            if not ids:
                return ids
            for claim in claims:
                self._sequences[claim.name] = claim.value
            if journal is not None:
                entry = JournalEntry(journal, min(ids), max(ids))
                self._journal.append(entry)
                if key is not None:
                    self._by_key[key] = entry
                if journal.command == "key.revoke":
                    self._revoked.add(journal.aggregate_id)
            return ids

    def journal_by_key(self, actor: str, idempotency_key: str) -> JournalEntry | None:
        with self._database_lock:
            return self._by_key.get(f"{actor}\x1f{idempotency_key}")

    def journal_between(self, first: int, last: int) -> list[JournalEntry]:
        with self._database_lock:
            return [
                e for e in self._journal if e.last_position >= first and e.first_position <= last
            ]

    def history_of(self, aggregate_id: UUID) -> list[HistoryRow]:
        with self._database_lock:
            rows = []
            for position, stored in enumerate(self._stored_events, start=1):
                if stored.originator_id != aggregate_id:
                    continue
                entry = next(
                    (e for e in self._journal if e.first_position <= position <= e.last_position),
                    None,
                )
                rows.append(
                    HistoryRow(
                        position, stored.originator_version, stored.topic, stored.state, entry
                    )
                )
            return rows

    def sequence_value(self, name: str) -> int:
        with self._database_lock:
            return self._sequences.get(name, 0)


class JournalingMemoryFactory(POPOFactory):
    """Infrastructure factory whose application recorder keeps the journal."""

    def application_recorder(self) -> ApplicationRecorder:
        return JournalingMemoryRecorder()
