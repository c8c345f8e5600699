"""Every row checked: events, journal and snapshots, beyond what the hash chain walks.

- Events: every event in the log has exactly one journal row whose MAC covers it; the
  events table holds no row the log walk does not see (notification id 0 or below).
- Journal: every row's MAC holds over its fields and its events; every row covers at
  least one event of the log (rows covering none are counted in the table).
- Snapshots: each one's MAC holds, and its state equals the document folded from its
  events up to the snapshot's version (so even a snapshot forged with the key is
  caught, as long as the events are intact: the chain and the kept anchor prove that).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from eventsourcing.domain import Snapshot
from eventsourcing.persistence import StoredEvent

from adapters.eventstore.rows import row_counts, snapshot_rows
from adapters.eventstore.signed import open_snapshot
from application.authenticity import first_forgery
from application.signing import Keyring


@dataclass
class RowAudit:
    """What the row audit checked and the problems it found (one line each)."""

    events: int = 0
    journal_rows: int = 0
    snapshots: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        counts = (
            f"{self.events} events, {self.journal_rows} journal rows and "
            f"{self.snapshots} snapshots checked"
        )
        if self.ok:
            return f"rows ok: {counts}"
        return f"{len(self.problems)} row problems ({counts}): " + "; ".join(self.problems[:20])


def audit_rows(app: Any, *, page_size: int = 1000, stop: int | None = None) -> RowAudit:
    """Check every row of the events, journal and snapshot tables."""
    audit = RowAudit()
    keyring: Keyring = app.keyring
    recorder = app.recorder
    end = stop if stop is not None else (recorder.max_notification_id() or 0)
    after, previous_last, journal_rows = 0, 0, 0
    while after < end:
        page = recorder.select_notifications(
            start=after, limit=page_size, stop=end, inclusive_of_start=False
        )
        if not page:
            break
        forgery = first_forgery(recorder, keyring, page)
        if forgery is not None:
            audit.problems.append(str(forgery))
        entries = recorder.journal_between(page[0].id, page[-1].id)
        journal_rows += sum(1 for e in entries if e.first_position > previous_last)
        audit.events += len(page)
        previous_last = after = page[-1].id
    audit.journal_rows = journal_rows
    if stop is None:
        counts = row_counts(app, end)  # bounded by `end`: commands meanwhile are not rows missed
        if counts.events_outside_log:
            audit.problems.append(
                f"{counts.events_outside_log} stored events are outside the log "
                "(notification id 0 or below): documents would fold them unsealed"
            )
        if counts.events != audit.events:
            audit.problems.append(
                f"the events table holds {counts.events} rows, the log walk saw {audit.events}"
            )
        if counts.journal_without_events:
            audit.problems.append(
                f"{counts.journal_without_events} journal rows cover no event of the log"
            )
    audit_snapshots(app, snapshot_rows(app), audit)
    return audit


def audit_snapshots(app: Any, rows: Iterable[StoredEvent], audit: RowAudit) -> None:
    """Check each snapshot's MAC and recompute it from the document's events."""
    for stored in rows:
        audit.snapshots += 1
        where = f"snapshot of {stored.originator_id} at version {stored.originator_version}"
        inner = open_snapshot(app.keyring, stored)
        if inner is None:
            audit.problems.append(f"{where}: its MAC fails")
            continue
        try:
            snapshot: Any = app.mapper.to_domain_event(inner)
            events = app.events.get(stored.originator_id, lte=stored.originator_version)
            folded = reduce(lambda aggregate, event: event.mutate(aggregate), events, None)
        except Exception as error:  # a snapshot that cannot even be read is a finding
            audit.problems.append(f"{where}: cannot be recomputed ({error})")
            continue
        if folded is None or folded.version != stored.originator_version:
            audit.problems.append(f"{where}: its document has no such version")
            continue
        snapshot_type = getattr(type(folded), "Snapshot", Snapshot)
        expected = snapshot_type.take(folded)
        encode = app.mapper.transcoder.encode
        if encode(expected.state) != encode(snapshot.state):
            audit.problems.append(f"{where}: differs from its events")
