"""A page of the log as the views see it: each event decoded, with its command's journal
entry, and only the documents of the runner's share when a rebuild is split."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from application.app import Comptoir
from projections.base import LoggedEvent
from projections.quarantine import Undecodable


def in_share(notifications: Sequence[Any], share: tuple[int, int] | None) -> Sequence[Any]:
    """The notifications of the documents whose id is `index` modulo `count` (all if None)."""
    if share is None:
        return notifications
    index, count = share
    return [n for n in notifications if _number(n.originator_id) % count == index]


def logged_events(app: Comptoir, notifications: Sequence[Any]) -> list[LoggedEvent]:
    """Decode each notification, with the journal entry of the command that recorded it.

    An event that cannot be decoded becomes `Undecodable` (its document is quarantined)."""
    if not notifications:
        return []
    journal = app.journal.journal_between(notifications[0].id, notifications[-1].id)
    events = []
    cursor_j = 0
    for n in notifications:
        while cursor_j < len(journal) and journal[cursor_j].last_position < n.id:
            cursor_j += 1
        entry = journal[cursor_j] if cursor_j < len(journal) else None
        if entry is not None and entry.first_position > n.id:
            entry = None
        try:
            event: Any = app.mapper.to_domain_event(n)
        except MemoryError:
            raise
        except Exception as error:  # decoding is pure: this event's own fault
            event = Undecodable(n.topic, error)
        events.append(LoggedEvent(n.id, n.originator_id, n.originator_version, event, entry))
    return events


def fold_stored(app: Comptoir, document: UUID, version: int) -> Any:
    """The document after its events up to `version`, folded afresh from the store."""
    state: Any = None
    if version < 1:
        return state
    for stored in app.recorder.select_events(document, lte=version):
        event: Any = app.mapper.to_domain_event(stored)
        state = event.mutate(state)
    return state


def _number(document: UUID | str) -> int:
    return document.int if isinstance(document, UUID) else UUID(document).int
