"""Adopting a store written before the writer signed: `comptoir audit adopt`.

Journal rows and snapshots written by an earlier version carry no MAC, so the sealer
would stop at the first such event and `audit verify` would name every one. What the
hash chain already covers was proved unaltered since it was sealed (and since any kept
anchor): adoption signs the journal rows whose events are all sealed and whose chain
verifies, and re-signs each unsigned snapshot whose state equals its document folded
from its events. Nothing unsealed and nothing that disagrees is ever signed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adapters.eventstore.rows import (
    replace_snapshot_state,
    sign_journal_row,
    snapshot_rows,
)
from adapters.eventstore.signed import open_snapshot, sign_snapshot
from application.row_audit import RowAudit, audit_snapshots
from application.sealing import ChainStore
from application.verification import verify


class AdoptionRefused(Exception):
    """The chain does not verify: nothing can be vouched for."""


@dataclass(frozen=True)
class Adopted:
    """How many journal rows and snapshots were signed."""

    journal_rows: int
    snapshots: int

    def __str__(self) -> str:
        return f"signed {self.journal_rows} journal rows and {self.snapshots} snapshots"


def adopt(app: Any, store: ChainStore, *, page_size: int = 1000) -> Adopted:
    """Sign what the chain vouches for and was written before signing."""
    report = verify(app, store)
    if not report.ok:
        raise AdoptionRefused(f"the chain does not verify: {report}")
    sealed_to = 0 if report.head is None else report.head.notification_id
    journal_rows = 0
    after = 0
    while after < sealed_to:
        page = app.recorder.select_notifications(
            start=after, limit=page_size, stop=sealed_to, inclusive_of_start=False
        )
        if not page:
            break
        for entry in app.recorder.journal_between(page[0].id, page[-1].id):
            if entry.record.mac is not None or entry.first_position <= after:
                continue  # signed already, or seen on the previous page
            if entry.last_position > sealed_to:
                continue  # not all of its events are sealed
            events = app.recorder.select_notifications(
                start=entry.first_position,
                limit=entry.last_position - entry.first_position + 1,
                stop=entry.last_position,
                inclusive_of_start=True,
            )
            key_id, mac = app.keyring.sign_command(entry.record, events)
            sign_journal_row(app, entry.record.command_id, key_id, mac)
            journal_rows += 1
        after = page[-1].id
    return Adopted(journal_rows, _adopt_snapshots(app))


def _adopt_snapshots(app: Any) -> int:
    signed = 0
    for stored in list(snapshot_rows(app)):
        if open_snapshot(app.keyring, stored) is not None:
            continue
        # As it stands it has no MAC: check it against its events as if it had one.
        resigned = sign_snapshot(app.keyring, stored)
        audit = RowAudit()
        audit_snapshots(app, [resigned], audit)
        if audit.ok:
            replace_snapshot_state(app, resigned)
            signed += 1
    return signed
