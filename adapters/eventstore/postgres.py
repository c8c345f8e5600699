"""Postgres event store: the library's recorder plus the command journal.

The journal row and any sequence claims are written after the events, inside the
library's insert transaction and under its exclusive table lock (DESIGN.md §2, §4),
so a command's positions are contiguous and its journal row commits with its events.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresFactory,
)
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from adapters.eventstore.claims import SequenceClaim
from application.journal import HistoryRow, JournalEntry, JournalRecord, row_to_entry

_JOURNAL_COLUMNS = (
    "command_id, command, actor, reason, idempotency_key, fingerprint, issued_at, "
    "aggregate_id, version, result, first_position, last_position"
)


# The library retries a failed call 10 times, 0.2 s apart, each attempt waiting for the
# pool: with Postgres down a command would hang for seconds. Two attempts keep a
# transient blip invisible and let an outage surface quickly as a 503.
_fail_fast = retry((InterfaceError, OperationalError), max_attempts=2, wait=0.2)


class FailFastAggregateRecorder(PostgresAggregateRecorder):
    """The snapshot store's recorder, retrying once instead of ten times."""

    select_events = _fail_fast(PostgresAggregateRecorder.select_events.__wrapped__)
    insert_events = _fail_fast(PostgresAggregateRecorder.insert_events.__wrapped__)


class JournalingPostgresRecorder(PostgresApplicationRecorder):
    """Application recorder that writes the command journal with the events."""

    select_events = _fail_fast(PostgresAggregateRecorder.select_events.__wrapped__)
    insert_events = _fail_fast(PostgresApplicationRecorder.insert_events.__wrapped__)
    select_notifications = _fail_fast(PostgresApplicationRecorder.select_notifications.__wrapped__)
    max_notification_id = _fail_fast(PostgresApplicationRecorder.max_notification_id.__wrapped__)

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        prefix = events_table_name.removesuffix("_events")
        schema = Identifier(self.datastore.schema)
        self.journal = SQL("{}.{}").format(schema, Identifier(f"{prefix}_commands"))
        self.sequences = SQL("{}.{}").format(schema, Identifier(f"{prefix}_sequences"))
        self.events = SQL("{}.{}").format(schema, Identifier(events_table_name))
        self.claim_function = SQL("{}.{}").format(schema, Identifier(f"{prefix}_claim"))
        self.sql_create_statements.extend(
            [
                SQL(
                    "CREATE TABLE IF NOT EXISTS {} ("
                    "command_id uuid PRIMARY KEY, command text NOT NULL, actor text NOT NULL, "
                    "reason text, idempotency_key text UNIQUE, fingerprint text NOT NULL, "
                    "issued_at timestamptz NOT NULL, aggregate_id uuid NOT NULL, "
                    "version bigint NOT NULL, result jsonb NOT NULL, "
                    "first_position bigint NOT NULL, last_position bigint NOT NULL)"
                ).format(self.journal),
                SQL("CREATE INDEX IF NOT EXISTS {} ON {} (last_position)").format(
                    Identifier(f"{prefix}_commands_last_position_idx"), self.journal
                ),
                SQL("CREATE INDEX IF NOT EXISTS {} ON {} (first_position)").format(
                    Identifier(f"{prefix}_commands_first_position_idx"), self.journal
                ),
                SQL(
                    "CREATE TABLE IF NOT EXISTS {} (name text PRIMARY KEY, value bigint NOT NULL)"
                ).format(self.sequences),
                # Raising inside the database aborts the transaction, events included.
                SQL(
                    "CREATE OR REPLACE FUNCTION {f}(p_name text, p_value bigint) RETURNS void "
                    "LANGUAGE plpgsql AS $body$ BEGIN "
                    "IF p_value <> 1 AND NOT EXISTS (SELECT 1 FROM {t} WHERE name = p_name) THEN "
                    "RAISE EXCEPTION 'sequence claim refused: % %', p_name, p_value "
                    "USING ERRCODE = 'unique_violation'; END IF; "
                    "INSERT INTO {t} AS s (name, value) VALUES (p_name, p_value) "
                    "ON CONFLICT (name) DO UPDATE SET value = excluded.value "
                    "WHERE s.value = excluded.value - 1; "
                    "IF NOT FOUND THEN "
                    "RAISE EXCEPTION 'sequence claim refused: % %', p_name, p_value "
                    "USING ERRCODE = 'unique_violation'; END IF; END $body$"
                ).format(f=self.claim_function, t=self.sequences),
            ]
        )
        self._insert_journal = SQL(
            "INSERT INTO {} (" + _JOURNAL_COLUMNS + ") "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        ).format(self.journal)
        self._claim = SQL("SELECT {}(%s, %s)").format(self.claim_function)

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        claims: Sequence[SequenceClaim] = kwargs.get("claims", ())
        journal: JournalRecord | None = kwargs.get("journal")
        if not ids or (journal is None and not claims):
            return ids
        # A nested pipeline syncs on exit, so a duplicate idempotency key raises here,
        # inside the library's transaction, which then rolls back the events too.
        with curs.connection.pipeline():
            for claim in claims:
                curs.execute(self._claim, (claim.name, claim.value), prepare=False)
            if journal is not None:
                curs.execute(self._insert_journal, _journal_params(journal, ids), prepare=False)
        return ids

    def journal_by_key(self, idempotency_key: str) -> JournalEntry | None:
        query = SQL("SELECT " + _JOURNAL_COLUMNS + " FROM {} WHERE idempotency_key = %s")
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(query.format(self.journal), (idempotency_key,))
            row = curs.fetchone()
        return None if row is None else row_to_entry(row)

    def journal_between(self, first: int, last: int) -> list[JournalEntry]:
        query = SQL(
            "SELECT " + _JOURNAL_COLUMNS + " FROM {} "
            "WHERE last_position >= %s AND first_position <= %s ORDER BY first_position"
        )
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(query.format(self.journal), (first, last))
            return [row_to_entry(row) for row in curs.fetchall()]

    def history_of(self, aggregate_id: UUID) -> list[HistoryRow]:
        query = SQL(
            "SELECT e.notification_id AS position, e.originator_version, e.topic, e.state, "
            + ", ".join(f"c.{c.strip()}" for c in _JOURNAL_COLUMNS.split(","))
            + " FROM {events} e LEFT JOIN {journal} c "
            "ON e.notification_id BETWEEN c.first_position AND c.last_position "
            "WHERE e.originator_id = %s ORDER BY e.originator_version"
        ).format(events=self.events, journal=self.journal)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(query, (aggregate_id,))
            return [
                HistoryRow(
                    position=row["position"],
                    version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                    journal=None if row["command_id"] is None else row_to_entry(row),
                )
                for row in curs.fetchall()
            ]

    def sequence_value(self, name: str) -> int:
        query = SQL("SELECT value FROM {} WHERE name = %s").format(self.sequences)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(query, (name,))
            row = curs.fetchone()
        return 0 if row is None else int(row["value"])


def _journal_params(journal: JournalRecord, ids: Sequence[int]) -> tuple[Any, ...]:
    return (
        journal.command_id,
        journal.command,
        journal.actor,
        journal.reason,
        journal.idempotency_key,
        journal.fingerprint,
        journal.issued_at,
        journal.aggregate_id,
        journal.version,
        orjson.dumps(journal.result).decode(),
        min(ids),
        max(ids),
    )


class JournalingPostgresFactory(PostgresFactory):
    """Infrastructure factory whose application recorder keeps the journal."""

    application_recorder_class = JournalingPostgresRecorder
    aggregate_recorder_class = FailFastAggregateRecorder
