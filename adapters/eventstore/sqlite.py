"""SQLite event store for the embedded default: the library's recorder plus the journal.

SQLite serialises writers, so the rowids of one transaction are contiguous and the
journal row written in `_insert_events` commits or rolls back with the events.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import ProgrammingError, StoredEvent
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteCursor,
    SQLiteDatastore,
    SQLiteFactory,
)

from adapters.eventstore.claims import SequenceClaim, SequenceClaimRefused
from application.errors import REVOKED_MARK
from application.journal import HistoryRow, JournalEntry, JournalRecord, row_to_entry

_JOURNAL_COLUMNS = (
    "command_id, command, actor, reason, idempotency_key, fingerprint, issued_at, "
    "aggregate_id, version, result, api_key, key_id, mac, first_position, last_position"
)


class JournalingSQLiteRecorder(SQLiteApplicationRecorder):
    """Application recorder that writes the command journal with the events."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name)

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS command_journal ("
            "command_id TEXT PRIMARY KEY, command TEXT NOT NULL, actor TEXT NOT NULL, "
            "reason TEXT, idempotency_key TEXT, fingerprint TEXT NOT NULL, "
            "issued_at TEXT NOT NULL, aggregate_id TEXT NOT NULL, version INTEGER NOT NULL, "
            "result TEXT NOT NULL, api_key TEXT, key_id TEXT, mac BLOB, "
            "first_position INTEGER NOT NULL, last_position INTEGER NOT NULL)",
            "CREATE UNIQUE INDEX IF NOT EXISTS command_journal_actor_key "
            "ON command_journal (actor, idempotency_key)",
            "CREATE INDEX IF NOT EXISTS command_journal_revoked "
            "ON command_journal (aggregate_id) WHERE command = 'key.revoke'",
            "CREATE INDEX IF NOT EXISTS command_journal_positions "
            "ON command_journal (first_position, last_position)",
            "CREATE INDEX IF NOT EXISTS command_journal_ends ON command_journal (last_position)",
            "CREATE TABLE IF NOT EXISTS sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
        ]

    def _create_table(self, c: SQLiteCursor) -> None:
        super()._create_table(c)
        # A journal written before signing: add its columns (its idempotency keys stay
        # unique across actors, as they were).
        c.execute("SELECT name FROM pragma_table_info('command_journal')")
        present = {row[0] for row in c.fetchall()}
        for column, kind in (("api_key", "TEXT"), ("key_id", "TEXT"), ("mac", "BLOB")):
            if column not in present:
                c.execute(f"ALTER TABLE command_journal ADD COLUMN {column} {kind}")

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        if not ids:
            return ids
        for claim in kwargs.get("claims", ()):
            self._claim(c, claim)
        journal: JournalRecord | None = kwargs.get("journal")
        if journal is not None:
            if journal.api_key is not None:
                self._check_key(c, journal.api_key)
            c.execute(
                f"INSERT INTO command_journal ({_JOURNAL_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    journal.command_id.hex,
                    journal.command,
                    journal.actor,
                    journal.reason,
                    journal.idempotency_key,
                    journal.fingerprint,
                    journal.issued_at.isoformat(),
                    journal.aggregate_id.hex,
                    journal.version,
                    orjson.dumps(journal.result).decode(),
                    None if journal.api_key is None else journal.api_key.hex,
                    journal.key_id,
                    journal.mac,
                    min(ids),
                    max(ids),
                ),
            )
        return ids

    @staticmethod
    def _check_key(c: SQLiteCursor, api_key: UUID) -> None:
        """Refuse, inside the writing transaction, a command whose key was revoked."""
        c.execute(
            "SELECT 1 FROM command_journal WHERE command = 'key.revoke' AND aggregate_id = ?",
            (api_key.hex,),
        )
        if c.fetchone() is not None:
            raise ProgrammingError(f"{REVOKED_MARK}: {api_key}")

    @staticmethod
    def _claim(c: SQLiteCursor, claim: SequenceClaim) -> None:
        c.execute("SELECT value FROM sequences WHERE name = ?", (claim.name,))
        row = c.fetchone()
        current = 0 if row is None else int(row[0])
        if claim.value != current + 1:
            raise SequenceClaimRefused(claim)
        c.execute(
            "INSERT INTO sequences (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (claim.name, claim.value),
        )

    def journal_by_key(self, actor: str, idempotency_key: str) -> JournalEntry | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT {_JOURNAL_COLUMNS} FROM command_journal "
                "WHERE actor = ? AND idempotency_key = ?",
                (actor, idempotency_key),
            )
            row = c.fetchone()
        return None if row is None else row_to_entry(dict(row))

    def journal_between(self, first: int, last: int) -> list[JournalEntry]:
        with self.datastore.transaction(commit=False) as c:
            # as on Postgres: one range of the last_position index
            c.execute(
                f"SELECT {_JOURNAL_COLUMNS} FROM command_journal WHERE last_position >= ? "
                "AND last_position <= coalesce((SELECT min(last_position) FROM command_journal "
                "WHERE last_position >= ?), ?) ORDER BY last_position",
                (first, last, last),
            )
            entries = [row_to_entry(dict(row)) for row in c.fetchall()]
        return [e for e in entries if e.first_position <= last]

    def history_of(self, aggregate_id: UUID) -> list[HistoryRow]:
        columns = ", ".join(f"c.{name.strip()}" for name in _JOURNAL_COLUMNS.split(","))
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT e.rowid AS position, e.originator_version, e.topic, e.state, {columns} "
                f"FROM {self.events_table_name} e LEFT JOIN command_journal c "
                "ON e.rowid BETWEEN c.first_position AND c.last_position "
                "WHERE e.originator_id = ? ORDER BY e.originator_version",
                (aggregate_id.hex,),
            )
            rows = [dict(row) for row in c.fetchall()]
        return [
            HistoryRow(
                position=row["position"],
                version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
                journal=None if row["command_id"] is None else row_to_entry(row),
            )
            for row in rows
        ]

    def sequence_value(self, name: str) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT value FROM sequences WHERE name = ?", (name,))
            row = c.fetchone()
        return 0 if row is None else int(row[0])


class JournalingSQLiteFactory(SQLiteFactory):
    """Infrastructure factory whose application recorder keeps the journal."""

    application_recorder_class = JournalingSQLiteRecorder
