"""Postgres event store: the library's recorder plus the command journal.

The journal row and any sequence claims are written with the events, inside the
library's insert transaction and under its exclusive table lock (DESIGN.md §2, §4),
so a command's positions are contiguous and its journal row commits with its events.
Events, journal row and claims go to the server in one pipelined batch: the lock is
held for that round trip and the commit's. With group commit (the default), commands
whose writes arrive while another's are in flight are written together in the next
transaction, under one lock and one commit (see `group_commit`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresFactory,
)
from eventsourcing.utils import strtobool
from psycopg import Cursor
from psycopg.rows import DictRow, tuple_row
from psycopg.sql import SQL, Identifier

from adapters.eventstore.breaker import retry_once
from adapters.eventstore.claims import SequenceClaim
from adapters.eventstore.group_commit import GroupCommitter, Pending, Write, screen, taken_params
from adapters.eventstore.guarded import guard
from adapters.eventstore.pool_check import RecentUseCheck
from application.errors import REVOKED_MARK
from application.journal import HistoryRow, JournalEntry, JournalRecord, row_to_entry

_JOURNAL_COLUMNS = (
    "command_id, command, actor, reason, idempotency_key, fingerprint, issued_at, "
    "aggregate_id, version, result, api_key, key_id, mac, first_position, last_position"
)


# The library retries a failed call 10 times, 0.2 s apart, each attempt waiting for the
# pool: with Postgres down a command would hang for seconds. Two attempts keep a
# transient blip invisible; once the breaker knows the store is down (see `guarded`),
# the second is refused at once and the outage surfaces as a 503.
_fail_fast = retry_once


def serialise_ddl(curs: Cursor[DictRow], schema: str) -> None:
    """Hold the schema's DDL lock until the transaction ends. Processes that start at once
    (nodes, workers, a rebuild's processes) would otherwise run the same `IF NOT EXISTS`
    and `OR REPLACE` statements together, and collide on Postgres's catalog ("tuple
    concurrently updated", a duplicate type): the later ones now wait, then find
    everything made."""
    curs.execute(SQL("SELECT pg_advisory_xact_lock(hashtext(%s))"), [f"comptoir-ddl:{schema}"])


def _created_once_retried(create: Callable[[], None]) -> None:
    """The library's `create_table`, again if another process made a type at the same
    moment: its `CREATE TYPE` runs in a transaction of its own, without `IF NOT EXISTS`,
    and two at once collide on the catalog, as a duplicate key (`IntegrityError`) or as
    a duplicate relation (a composite type is one: `ProgrammingError`). The second
    attempt finds the type made; any other error comes back from it."""
    try:
        create()
    except (IntegrityError, ProgrammingError):
        create()


class FailFastAggregateRecorder(PostgresAggregateRecorder):
    """The snapshot store's recorder, retrying once instead of ten times."""

    select_events = _fail_fast(PostgresAggregateRecorder.select_events.__wrapped__)
    insert_events = _fail_fast(PostgresAggregateRecorder.insert_events.__wrapped__)

    def create_table(self) -> None:
        _created_once_retried(super().create_table)

    def _create_table(self, curs: Cursor[DictRow]) -> None:
        serialise_ddl(curs, self.datastore.schema)
        super()._create_table(curs)


class JournalingPostgresRecorder(PostgresApplicationRecorder):
    """Application recorder that writes the command journal with the events."""

    select_events = _fail_fast(PostgresAggregateRecorder.select_events.__wrapped__)
    select_notifications = _fail_fast(PostgresApplicationRecorder.select_notifications.__wrapped__)
    max_notification_id = _fail_fast(PostgresApplicationRecorder.max_notification_id.__wrapped__)

    def create_table(self) -> None:
        _created_once_retried(super().create_table)

    def _create_table(self, curs: Cursor[DictRow]) -> None:
        serialise_ddl(curs, self.datastore.schema)
        super()._create_table(curs)

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        prefix = events_table_name.removesuffix("_events")
        schema = Identifier(self.datastore.schema)
        self.journal = SQL("{}.{}").format(schema, Identifier(f"{prefix}_commands"))
        self.sequences = SQL("{}.{}").format(schema, Identifier(f"{prefix}_sequences"))
        self.events = SQL("{}.{}").format(schema, Identifier(events_table_name))
        self.claim_function = SQL("{}.{}").format(schema, Identifier(f"{prefix}_claim"))
        self.key_check_function = SQL("{}.{}").format(
            schema, Identifier(f"{prefix}_key_not_revoked")
        )
        self.sql_create_statements.extend(
            [
                SQL(
                    "CREATE TABLE IF NOT EXISTS {} ("
                    "command_id uuid PRIMARY KEY, command text NOT NULL, actor text NOT NULL, "
                    "reason text, idempotency_key text, fingerprint text NOT NULL, "
                    "issued_at timestamptz NOT NULL, aggregate_id uuid NOT NULL, "
                    "version bigint NOT NULL, result jsonb NOT NULL, "
                    "api_key uuid, key_id text, mac bytea, "
                    "first_position bigint NOT NULL, last_position bigint NOT NULL)"
                ).format(self.journal),
                # Journals written before signing and per-actor idempotency keys.
                SQL(
                    "ALTER TABLE {} ADD COLUMN IF NOT EXISTS api_key uuid, "
                    "ADD COLUMN IF NOT EXISTS key_id text, ADD COLUMN IF NOT EXISTS mac bytea, "
                    "DROP CONSTRAINT IF EXISTS {}"
                ).format(self.journal, Identifier(f"{prefix}_commands_idempotency_key_key")),
                SQL("CREATE UNIQUE INDEX IF NOT EXISTS {} ON {} (actor, idempotency_key)").format(
                    Identifier(f"{prefix}_commands_actor_key_idx"), self.journal
                ),
                SQL(
                    "CREATE INDEX IF NOT EXISTS {} ON {} (aggregate_id) "
                    "WHERE command = 'key.revoke'"
                ).format(Identifier(f"{prefix}_commands_revoked_idx"), self.journal),
                # Called by the statement that inserts a command's events, under the table
                # lock: a command authenticated by a key revoked before it is refused.
                SQL(
                    "CREATE OR REPLACE FUNCTION {f}(p_key uuid) RETURNS boolean "
                    "LANGUAGE plpgsql AS $body$ BEGIN "
                    "IF p_key IS NOT NULL AND EXISTS (SELECT 1 FROM {t} "
                    "WHERE command = 'key.revoke' AND aggregate_id = p_key) THEN "
                    "RAISE EXCEPTION '" + REVOKED_MARK + ": %', p_key "
                    "USING ERRCODE = 'insufficient_privilege'; END IF; RETURN true; END $body$"
                ).format(f=self.key_check_function, t=self.journal),
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
        # The journal row is written by the statement that inserts the events, from the
        # positions it assigns: no second round trip while the table lock is held, and a
        # duplicate idempotency key fails that statement, so the transaction rolls back.
        self._insert_with_journal = (
            SQL("WITH inserted AS (")
            + self.insert_events_statement
            + SQL(
                "), journal AS (INSERT INTO {} (" + _JOURNAL_COLUMNS + ") "
                "SELECT %s::uuid, %s::text, %s::text, %s::text, %s::text, %s::text, "
                "%s::timestamptz, %s::uuid, %s::bigint, %s::jsonb, %s::uuid, %s::text, "
                "%s::bytea, min(notification_id), max(notification_id) FROM inserted "
                "WHERE {}(%s::uuid)) "
                "SELECT notification_id FROM inserted ORDER BY notification_id"
            ).format(self.journal, self.key_check_function)
        )
        self._insert_with_journal_bytes: bytes | None = None
        self._claim = SQL("SELECT {}(%s, %s)").format(self.claim_function)
        # What a group's writes could collide with, read once under the table lock.
        self._taken = SQL(
            "SELECT 'event' AS kind, e.originator_id::text AS name, e.originator_version AS value "
            "FROM {events} e JOIN unnest(%s::{id_type}[], %s::bigint[]) AS w (id, version) "
            "ON e.originator_id = w.id AND e.originator_version = w.version "
            "UNION ALL SELECT 'key', j.actor || E'\\x1f' || j.idempotency_key, 0 FROM {journal} j "
            "JOIN unnest(%s::text[], %s::text[]) AS k (actor, key) "
            "ON j.actor = k.actor AND j.idempotency_key = k.key "
            "UNION ALL SELECT 'claim', name, value FROM {sequences} WHERE name = ANY(%s::text[])"
        ).format(
            events=self.events,
            id_type=SQL(self.datastore.originator_id_type),
            journal=self.journal,
            sequences=self.sequences,
        )
        self.group_commit: GroupCommitter[Write] | None = None

    @_fail_fast
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        if not stored_events:
            return PostgresApplicationRecorder.insert_events.__wrapped__(self, [], **kwargs)
        write = Write(stored_events, kwargs)
        if self.group_commit is None:
            return self._write_alone(write)
        return self.group_commit.submit(write)

    def _write_alone(self, write: Write) -> Sequence[int]:
        """One write in its own transaction; a refusal raises its error here.

        The same transaction as a group's: the first error of the pipeline is the one
        raised (the library's path could end in `PipelineAborted` for a statement queued
        after the refused one, a claim, when its result was read after the rollback).
        """
        (outcome,) = self._write_in_one_transaction([write], screened=False)
        assert not isinstance(outcome, Exception)
        return outcome

    def _write_group(self, group: list[Pending[Write]]) -> None:
        if len(group) > 1:
            try:
                outcomes = self._write_together([p.request for p in group])
            except Exception:  # unforeseen: each write, written alone, tells its own error
                outcomes = None
            if outcomes is not None:
                for pending, outcome in zip(group, outcomes, strict=True):
                    if isinstance(outcome, Exception):
                        pending.fail(outcome)
                    else:
                        pending.succeed(outcome)
                return
        for pending in group:
            try:
                pending.succeed(self._write_alone(pending.request))
            except Exception as error:  # handed to its caller, who raises it
                pending.fail(error)

    def _write_together(self, writes: list[Write]) -> list[Sequence[int] | Exception]:
        """Write a group in one transaction: one lock, one notification, one commit.

        Conflicts are rare, so the group is first written as it is: the lock, every
        insert and the commit in two round trips. If any write is refused, that
        transaction rolls back as a whole and the group is written again, screened.
        """
        try:
            return self._write_in_one_transaction(writes, screened=False)
        except IntegrityError:
            return self._write_in_one_transaction(writes, screened=True)

    def _write_in_one_transaction(
        self, writes: list[Write], *, screened: bool
    ) -> list[Sequence[int] | Exception]:
        """Lock, notify, insert each write with one statement, commit.

        `screened`: under the exclusive lock nobody else writes events, journal rows or
        claims, so one check of what is taken first tells exactly which writes would
        fail; those are left out and fail alone. Either way each write is one statement,
        so each command's positions are contiguous and its journal row commits with its
        events.
        """
        # Every statement's parameters are built before the lock is taken: once sent,
        # the lock is held until the commit, whatever this process does meanwhile.
        prepared = [self._journal_insert(write.events, write.kwargs) for write in writes]
        with self.datastore.get_connection() as conn, conn.pipeline() as pipeline:
            with conn.transaction():
                refusals: list[IntegrityError | None] = [None] * len(writes)
                with conn.cursor() as curs:
                    self._lock_table(curs)
                    self._notify_channel(curs)
                    if screened:
                        curs.execute(self._taken, taken_params(writes))
                        pipeline.sync()
                        refusals = screen(writes, curs.fetchall())
                cursors: list[Cursor[Any] | None] = []
                for write, refusal, insert in zip(writes, refusals, prepared, strict=True):
                    cursor: Cursor[Any] | None = None
                    if refusal is None:
                        # a journal write reads back its positions only: plain tuples,
                        # without building each result's dictionary maker
                        cursor = conn.cursor(row_factory=tuple_row) if insert else conn.cursor()
                        self._insert_stored_events(
                            cursor, write.events, locked=True, prepared=insert, **write.kwargs
                        )
                    cursors.append(cursor)
            # The lock, the inserts and the commit went in one round trip: the lock was
            # held while Postgres ran them, never while this process waited for its GIL.
            outcomes: list[Sequence[int] | Exception] = []
            for write, refusal, written in zip(writes, refusals, cursors, strict=True):
                if written is None:
                    assert refusal is not None
                    outcomes.append(refusal)
                    continue
                with written:
                    ids = self._fetch_ids_after_insert_events(written, write.events, **write.kwargs)
                outcomes.append(list(ids or ()))
        return outcomes

    def _insert_stored_events(
        self,
        curs: Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        *,
        locked: bool = False,
        prepared: tuple[bytes, tuple[Any, ...]] | None = None,
        **kwargs: Any,
    ) -> None:
        """Queue the inserts; `locked` when the group already holds the lock and notified,
        `prepared` the statement `_journal_insert` built for a write with a journal."""
        if not locked:
            self._lock_table(curs)
            self._notify_channel(curs)
        if prepared is None:
            prepared = self._journal_insert(stored_events, kwargs)
        if prepared is None:
            PostgresAggregateRecorder._insert_stored_events(self, curs, stored_events, **kwargs)
        else:
            curs.execute(*prepared)
        claims: Sequence[SequenceClaim] = kwargs.get("claims", ())
        if claims:
            # Queued in the same pipeline: a refused claim fails the library's sync, which
            # rolls the whole transaction back.
            with curs.connection.cursor() as claiming:
                for claim in claims:
                    claiming.execute(self._claim, (claim.name, claim.value), prepare=False)

    def _journal_insert(
        self, stored_events: Sequence[StoredEvent], kwargs: dict[str, Any]
    ) -> tuple[bytes, tuple[Any, ...]] | None:
        """The statement inserting a write's events with its journal row, and its
        parameters; None for a write without a journal."""
        journal: JournalRecord | None = kwargs.get("journal")
        if journal is None:
            return None
        rows = [
            self.construct_pg_stored_event(e.originator_id, e.originator_version, e.topic, e.state)
            for e in stored_events
        ]
        if self._insert_with_journal_bytes is None:  # composed once, not per command
            self._insert_with_journal_bytes = self._insert_with_journal.as_bytes(None)
        return self._insert_with_journal_bytes, (rows, *_journal_params(journal))

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if kwargs.get("journal") is None:
            return super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        # the cursor gives tuples (`_write_in_one_transaction`), though typed as the library's
        fetched: list[Any] = curs.fetchall()
        ids = [row[0] for row in fetched]
        if len(ids) != len(stored_events):
            raise ProgrammingError(f"got {len(ids)} positions for {len(stored_events)} events")
        return ids

    def journal_by_key(self, actor: str, idempotency_key: str) -> JournalEntry | None:
        query = SQL(
            "SELECT " + _JOURNAL_COLUMNS + " FROM {} WHERE actor = %s AND idempotency_key = %s"
        )
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(query.format(self.journal), (actor, idempotency_key))
            row = curs.fetchone()
        return None if row is None else row_to_entry(row)

    def journal_between(self, first: int, last: int) -> list[JournalEntry]:
        # Journal rows never overlap: the ones that meet [first, last] end from `first` up
        # to the end of the first row ending at or after `last` (or `last` when none does),
        # one range of the last_position index (a condition on first_position as well let
        # the planner scan every earlier row: O(log) per page, not O(journal)).
        query = SQL(
            "SELECT " + _JOURNAL_COLUMNS + " FROM {j} WHERE last_position >= %s "
            "AND last_position <= coalesce("
            "(SELECT min(last_position) FROM {j} WHERE last_position >= %s), %s) "
            "ORDER BY last_position"
        )
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(query.format(j=self.journal), (first, last, last))
            entries = [row_to_entry(row) for row in curs.fetchall()]
        return [e for e in entries if e.first_position <= last]

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


def _journal_params(journal: JournalRecord) -> tuple[Any, ...]:
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
        journal.api_key,
        journal.key_id,
        journal.mac,
        journal.api_key,
    )


class JournalingPostgresFactory(PostgresFactory):
    """Infrastructure factory whose application recorder keeps the journal."""

    application_recorder_class = JournalingPostgresRecorder
    aggregate_recorder_class = FailFastAggregateRecorder
    POSTGRES_PRE_PING_WINDOW = "POSTGRES_PRE_PING_WINDOW"
    POSTGRES_GROUP_COMMIT = "POSTGRES_GROUP_COMMIT"

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.datastore = guard(self.datastore, self.env)  # breaker, timeouts, deadline
        self.group_commit = strtobool(self.env.get(self.POSTGRES_GROUP_COMMIT) or "no")
        window = float(self.env.get(self.POSTGRES_PRE_PING_WINDOW) or 0)
        pool: Any = self.datastore.pool
        if pool._check is not None and window > 0:  # psycopg_pool has no setter for it
            pool._check = RecentUseCheck(window, pool._check)

    def application_recorder(self) -> ApplicationRecorder:
        recorder = super().application_recorder()
        if self.group_commit and isinstance(recorder, JournalingPostgresRecorder):
            recorder.group_commit = GroupCommitter(recorder._write_group)
        return recorder
