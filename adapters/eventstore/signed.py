"""Event and snapshot stores that sign what they write and check what they read.

The event store signs each command's journal row over the journal's fields and the
exact bytes of the events stored with it (`application.signing`). The snapshot store
appends a MAC to each snapshot's state and, on reading, drops any snapshot whose MAC
fails: the document is then folded from its events, which are what the hash chain
covers, and the rejection is logged and counted.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import EventStore, Recording, StoredEvent

from application.journal import JournalRecord
from application.signing import Keyring

log = logging.getLogger(__name__)

# stored snapshot state = state || MAGIC || key id || u8(len(key id)) || MAC (32 bytes)
MAGIC = b"\x00cpt-mac1"
_MAC_SIZE = 32


class SigningEventStore(EventStore[UUID]):
    """Signs the journal row a command writes with its events."""

    def __init__(self, mapper: Any, recorder: Any, keyring: Keyring) -> None:
        super().__init__(mapper, recorder)
        self.keyring = keyring

    def put(
        self, domain_events: Sequence[DomainEventProtocol[UUID]], **kwargs: Any
    ) -> list[Recording[UUID]]:
        journal: JournalRecord | None = kwargs.get("journal")
        if journal is None:
            return super().put(domain_events, **kwargs)
        stored = [self.mapper.to_stored_event(e) for e in domain_events]
        key_id, mac = self.keyring.sign_command(journal, stored)
        kwargs["journal"] = replace(journal, key_id=key_id, mac=mac)
        return _record(self, domain_events, stored, kwargs)


def _record(
    store: EventStore[UUID],
    domain_events: Sequence[DomainEventProtocol[UUID]],
    stored: list[StoredEvent],
    kwargs: dict[str, Any],
) -> list[Recording[UUID]]:
    """The library's `EventStore.put`, from events already mapped."""
    from eventsourcing.persistence import Notification

    ids = store.recorder.insert_events(stored, **kwargs)
    recordings = []
    for d, s, n_id in zip(domain_events, stored, ids or (), strict=False):
        notification = Notification(
            originator_id=s.originator_id,
            originator_version=s.originator_version,
            topic=s.topic,
            state=s.state,
            id=n_id,
        )
        recordings.append(Recording(d, notification))
    return recordings


def sign_snapshot(keyring: Keyring, stored: StoredEvent) -> StoredEvent:
    """The stored snapshot with its MAC appended to the state."""
    key_id, mac = keyring.sign_snapshot(stored)
    trailer = MAGIC + key_id.encode() + bytes([len(key_id)]) + mac
    return StoredEvent(
        stored.originator_id, stored.originator_version, stored.topic, stored.state + trailer
    )


def open_snapshot(keyring: Keyring, stored: StoredEvent) -> StoredEvent | None:
    """The snapshot as it was signed, or None when its MAC is missing or fails."""
    state = bytes(stored.state)
    if len(state) < _MAC_SIZE + 1 + len(MAGIC):
        return None
    mac, kid_len = state[-_MAC_SIZE:], state[-_MAC_SIZE - 1]
    head = state[: -_MAC_SIZE - 1]
    key_id, head = head[len(head) - kid_len :], head[: len(head) - kid_len]
    if not head.endswith(MAGIC):
        return None
    inner = StoredEvent(
        stored.originator_id, stored.originator_version, stored.topic, head[: -len(MAGIC)]
    )
    try:
        kid = key_id.decode()
    except UnicodeDecodeError:
        return None
    return inner if keyring.snapshot_is_authentic(inner, kid, mac) else None


class SigningSnapshotStore(EventStore[UUID]):
    """Signs snapshots; serves only those whose MAC holds."""

    def __init__(self, mapper: Any, recorder: Any, keyring: Keyring) -> None:
        super().__init__(mapper, recorder)
        self.keyring = keyring
        self.rejected = 0
        self._lock = threading.Lock()

    def put(
        self, domain_events: Sequence[DomainEventProtocol[UUID]], **kwargs: Any
    ) -> list[Recording[UUID]]:
        stored = [
            sign_snapshot(self.keyring, self.mapper.to_stored_event(e)) for e in domain_events
        ]
        return _record(self, domain_events, stored, kwargs)

    def get(
        self,
        originator_id: UUID,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Iterator[DomainEventProtocol[UUID]]:
        rows = self.recorder.select_events(
            originator_id=originator_id, gt=gt, lte=lte, desc=desc, limit=limit
        )
        opened = []
        for row in rows:
            inner = open_snapshot(self.keyring, row)
            if inner is None:
                with self._lock:
                    self.rejected += 1
                log.error(
                    "snapshot of %s at version %s fails its MAC: ignored, the document is "
                    "folded from its events (run `comptoir audit verify`)",
                    originator_id,
                    row.originator_version,
                )
                # Fall back to the events alone rather than to an older snapshot.
                return iter(())
            opened.append(inner)
        return map(self.mapper.to_domain_event, opened)
