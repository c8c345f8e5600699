"""Whether stored events were written by Comptoir: each one's journal row and its MAC.

Every event a command stores is covered by exactly one journal row (its first and
last positions), and that row's MAC (`application.signing`) covers the row's fields
and the exact bytes of those events. An event appended by hand, a journal row
rewritten (actor, reason, result…) or an event whose bytes changed after it was
written fails here. The sealer checks each page before chaining it; authentication
checks an API key's events; `comptoir audit verify` checks every row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Notification

from application.journal import JournalEntry
from application.signing import Keyring


@dataclass(frozen=True)
class Forgery:
    """The first event, in log order, that Comptoir cannot have written as it stands."""

    notification_id: int
    reason: str
    document_id: UUID | None = None

    def __str__(self) -> str:
        return f"unauthenticated event at notification {self.notification_id} ({self.reason})"


def first_forgery(
    recorder: ApplicationRecorder, keyring: Keyring, notifications: Sequence[Notification]
) -> Forgery | None:
    """The first of these consecutive events whose journal row is missing or fails its MAC."""
    if not notifications:
        return None
    journal: Any = recorder
    entries: list[JournalEntry] = journal.journal_between(notifications[0].id, notifications[-1].id)
    by_id = {n.id: n for n in notifications}
    verdicts: dict[int, str | None] = {}  # first position of an entry → why it fails
    for entry in entries:
        events = [
            by_id[i] for i in range(entry.first_position, entry.last_position + 1) if i in by_id
        ]
        if entry.first_position < notifications[0].id or entry.last_position > notifications[-1].id:
            events = _events_between(recorder, entry.first_position, entry.last_position)
        verdicts[entry.first_position] = _why_not_authentic(keyring, entry, events)
    starts = sorted((e.first_position, e.last_position) for e in entries)
    for notification in notifications:
        covering = [s for s in starts if s[0] <= notification.id <= s[1]]
        if len(covering) != 1:
            reason = "no journal row" if not covering else "claimed by two journal rows"
            return Forgery(notification.id, reason, _uuid(notification.originator_id))
        why = verdicts[covering[0][0]]
        if why is not None:
            return Forgery(notification.id, why, _uuid(notification.originator_id))
    return None


def document_forgery(
    recorder: ApplicationRecorder, keyring: Keyring, aggregate_id: UUID
) -> str | None:
    """Why one document's stored events are not all authentic, or None when they are.

    Reads every event of the document (including rows outside the log, which a
    document load would fold) with its journal row.
    """
    journal: Any = recorder
    rows = journal.history_of(aggregate_id)
    if not rows:
        return None
    checked: dict[int, str | None] = {}
    for row in rows:
        if row.journal is None or row.position <= 0:
            return f"version {row.version} has no journal row"
        entry: JournalEntry = row.journal
        if entry.first_position not in checked:
            events = _events_between(recorder, entry.first_position, entry.last_position)
            checked[entry.first_position] = _why_not_authentic(keyring, entry, events)
        why = checked[entry.first_position]
        if why is not None:
            return f"version {row.version}: {why}"
    return None


def _why_not_authentic(
    keyring: Keyring, entry: JournalEntry, events: Sequence[Notification]
) -> str | None:
    if entry.record.mac is None:
        return "its journal row is not signed"
    if len(events) != entry.last_position - entry.first_position + 1:
        return "its command's events are not all in the log"
    if not keyring.command_is_authentic(entry.record, events):
        return "its journal row's MAC fails"
    return None


def _events_between(recorder: ApplicationRecorder, first: int, last: int) -> list[Notification]:
    return list(
        recorder.select_notifications(
            start=first, limit=last - first + 1, stop=last, inclusive_of_start=True
        )
    )


def _uuid(value: UUID | str) -> UUID | None:
    if isinstance(value, UUID):
        return value
    try:
        return UUID(value)
    except ValueError:
        return None
