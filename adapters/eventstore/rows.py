"""Raw row counts and snapshot rows of each event store, for `audit verify`.

The log (notifications with ids above 0) is what the projectors and the chain walk;
documents read every row of their id. Counting the rows of each table lets the audit
catch rows the log walk never sees (an event stored with notification id 0, a journal
row that covers no event).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.popo import POPOAggregateRecorder
from eventsourcing.postgres import PostgresAggregateRecorder
from eventsourcing.sqlite import SQLiteAggregateRecorder
from psycopg.sql import SQL, Identifier


@dataclass(frozen=True)
class RowCounts:
    """The events of the log up to a position, the events outside the log, and the
    journal rows whose positions hold no event at all."""

    events: int
    events_outside_log: int
    journal_without_events: int


def row_counts(app: Any, end: int) -> RowCounts:
    """Count the rows as stored: events with notification ids 1 to `end` (what a walk of
    the log up to `end` must see), events at 0 or below, and journal rows covering no
    event. A command records its journal row and its events in one transaction, so
    commands recorded meanwhile count for nothing here."""
    recorder = app.recorder
    if isinstance(recorder, PostgresAggregateRecorder):
        events = SQL("{}.{}").format(
            Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name)
        )
        journal = recorder.journal  # type: ignore[attr-defined]
        with recorder.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL(
                    "SELECT (SELECT count(*) FROM {e} WHERE notification_id BETWEEN 1 AND %s)"
                    " AS events, "
                    "(SELECT count(*) FROM {e} WHERE notification_id <= 0) AS outside, "
                    "(SELECT count(*) FROM {j} c WHERE NOT EXISTS (SELECT 1 FROM {e} WHERE "
                    "notification_id BETWEEN c.first_position AND c.last_position)) AS orphans"
                ).format(e=events, j=journal),
                (end,),
            )
            row = curs.fetchone()
        assert row is not None
        return RowCounts(int(row["events"]), int(row["outside"]), int(row["orphans"]))
    if isinstance(recorder, SQLiteAggregateRecorder):
        table = recorder.events_table_name
        with recorder.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT (SELECT count(*) FROM {table} WHERE rowid BETWEEN 1 AND ?), "
                f"(SELECT count(*) FROM {table} WHERE rowid <= 0), "
                f"(SELECT count(*) FROM command_journal c WHERE NOT EXISTS (SELECT 1 FROM "
                f"{table} WHERE rowid BETWEEN c.first_position AND c.last_position))",
                (end,),
            )
            row = c.fetchone()
        return RowCounts(int(row[0]), int(row[1]), int(row[2]))
    if isinstance(recorder, POPOAggregateRecorder):
        stored = len(recorder._stored_events)
        entries: list[Any] = recorder._journal  # type: ignore[attr-defined]
        orphans = len([entry for entry in entries if entry.first_position > stored])
        return RowCounts(min(stored, end), 0, orphans)
    raise TypeError(f"no row counts for {type(recorder).__name__}")


def snapshot_rows(app: Any) -> Iterator[StoredEvent]:
    """Every stored snapshot, as stored (with its MAC trailer)."""
    if app.snapshots is None:
        return
    recorder = app.snapshots.recorder
    if isinstance(recorder, PostgresAggregateRecorder):
        table = SQL("{}.{}").format(
            Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name)
        )
        query = SQL(
            "SELECT originator_id, originator_version, topic, state FROM {} "
            "ORDER BY originator_id, originator_version"
        ).format(table)
        with recorder.datastore.transaction(commit=False) as curs:
            curs.execute(query)
            rows = curs.fetchall()
        for row in rows:
            yield StoredEvent(
                row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"])
            )
    elif isinstance(recorder, SQLiteAggregateRecorder):
        with recorder.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT originator_id, originator_version, topic, state FROM "
                f"{recorder.events_table_name} ORDER BY originator_id, originator_version"
            )
            rows = c.fetchall()
        for row in rows:
            yield StoredEvent(recorder.convert_originator_id(row[0]), row[1], row[2], bytes(row[3]))
    elif isinstance(recorder, POPOAggregateRecorder):
        yield from list(recorder._stored_events)
    else:
        raise TypeError(f"no snapshot rows for {type(recorder).__name__}")


def sign_journal_row(app: Any, command_id: UUID, key_id: str, mac: bytes) -> None:
    """Write the MAC of a journal row written before signing (see `application.adoption`)."""
    recorder = app.recorder
    if isinstance(recorder, PostgresAggregateRecorder):
        journal = recorder.journal  # type: ignore[attr-defined]
        with recorder.datastore.transaction(commit=True) as curs:
            curs.execute(
                SQL(
                    "UPDATE {} SET key_id = %s, mac = %s WHERE command_id = %s AND mac IS NULL"
                ).format(journal),
                (key_id, mac, command_id),
            )
    elif isinstance(recorder, SQLiteAggregateRecorder):
        with recorder.datastore.transaction(commit=True) as c:
            c.execute(
                "UPDATE command_journal SET key_id = ?, mac = ? "
                "WHERE command_id = ? AND mac IS NULL",
                (key_id, mac, command_id.hex),
            )
    else:
        raise TypeError(f"no journal rows to sign in {type(recorder).__name__}")


def replace_snapshot_state(app: Any, stored: StoredEvent) -> None:
    """Store a snapshot's state anew, at the same document and version."""
    recorder = app.snapshots.recorder
    if isinstance(recorder, PostgresAggregateRecorder):
        table = SQL("{}.{}").format(
            Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name)
        )
        with recorder.datastore.transaction(commit=True) as curs:
            curs.execute(
                SQL(
                    "UPDATE {} SET state = %s WHERE originator_id = %s AND originator_version = %s"
                ).format(table),
                (stored.state, stored.originator_id, stored.originator_version),
            )
    elif isinstance(recorder, SQLiteAggregateRecorder):
        with recorder.datastore.transaction(commit=True) as c:
            c.execute(
                f"UPDATE {recorder.events_table_name} SET state = ? "
                "WHERE originator_id = ? AND originator_version = ?",
                (stored.state, UUID(str(stored.originator_id)).hex, stored.originator_version),
            )
    else:
        raise TypeError(f"no snapshots to replace in {type(recorder).__name__}")
