"""Bulk import of stored events into the Postgres event store, keeping its guarantees.

The documented path for loading history (a migration, a benchmark dataset) without
going through one command per event:

- each batch is one transaction that first takes the same `LOCK TABLE … IN EXCLUSIVE
  MODE` as the library's recorder (DESIGN.md §4), so no command interleaves with it
  and a tailing projector never sees a hole: the batch's notification ids are assigned
  by the table's bigserial, in COPY order, and commit together after every earlier id;
- rows go in with `COPY … FROM STDIN` (the fastest path psycopg has; DESIGN.md measured
  ~200,000 rows/s) into `{prefix}_events` of the application's own schema;
- the command journal gets **one row per batch** (command `bulk.import`, actor
  `bulk-import`, positions = the batch's first and last notification ids), written in
  the same transaction, so the history and the audit view name the import as the
  command behind every imported event, like any other command, and signed like any
  other (its MAC covers the batch's events);
- gapless sequences the imported history used (e.g. `invoice-2024` → 812) are raised to
  at least those values in the same transaction, so the next real invoice follows on.

The caller guarantees what a command would: every aggregate's versions start at 1 (or
follow what is already stored) and come in order. A duplicate (id, version) violates
the table's key and rolls the whole batch back.

`write_dump`/`read_dump` keep a generated dataset in a compact binary file so a
benchmark can reload it without regenerating it.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO
from uuid import UUID, uuid4

import orjson
from eventsourcing.persistence import StoredEvent
from psycopg.sql import SQL, Identifier

from application.journal import JournalRecord

IMPORT_COMMAND = "bulk.import"
IMPORT_ACTOR = "bulk-import"
DEFAULT_BATCH = 250_000


@dataclass(frozen=True)
class Imported:
    """What an import wrote: notification ids `first`..`last` (contiguous), in `seconds`."""

    count: int
    first: int | None
    last: int | None
    batches: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


def import_events(
    app: Any,
    events: Iterable[StoredEvent],
    *,
    batch_size: int = DEFAULT_BATCH,
    sequences: Mapping[str, int] | None = None,
    reason: str = "bulk import",
) -> Imported:
    """COPY `events` into the app's Postgres event store, batch by batch (see module doc)."""
    recorder = app.recorder
    datastore = recorder.datastore
    schema = Identifier(datastore.schema)
    table = SQL("{}.{}").format(schema, Identifier(recorder.events_table_name))
    prefix = recorder.events_table_name.removesuffix("_events")
    journal = SQL("{}.{}").format(schema, Identifier(f"{prefix}_commands"))
    seqs = SQL("{}.{}").format(schema, Identifier(f"{prefix}_sequences"))
    copy = SQL(
        "COPY {} (originator_id, originator_version, topic, state) FROM STDIN (FORMAT BINARY)"
    ).format(table)
    started = time.perf_counter()
    count, batches = 0, 0
    first: int | None = None
    last: int | None = None
    iterator = iter(events)
    while batch := list(islice(iterator, batch_size)):
        with datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            curs.execute(SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(table))
            curs.execute(SQL("SELECT COALESCE(MAX(notification_id), 0) AS m FROM {}").format(table))
            before = int(curs.fetchone()["m"])
            with curs.copy(copy) as cp:
                cp.set_types(["uuid", "int8", "text", "bytea"])
                for e in batch:
                    cp.write_row((e.originator_id, e.originator_version, e.topic, e.state))
            curs.execute(
                SQL(
                    "SELECT MIN(notification_id) AS lo, MAX(notification_id) AS hi, "
                    "COUNT(*) AS n FROM {} WHERE notification_id > %s"
                ).format(table),
                (before,),
            )
            row = curs.fetchone()
            lo, hi, n = int(row["lo"]), int(row["hi"]), int(row["n"])
            if n != len(batch) or hi - lo + 1 != n:  # pragma: no cover - the lock forbids it
                raise RuntimeError(f"imported ids {lo}..{hi} are not {len(batch)} contiguous ids")
            record = JournalRecord(
                command_id=uuid4(),
                command=IMPORT_COMMAND,
                actor=IMPORT_ACTOR,
                reason=reason,
                idempotency_key=None,
                fingerprint=f"bulk:{lo}-{hi}",
                issued_at=datetime.now(UTC),
                aggregate_id=UUID(str(batch[0].originator_id)),
                version=0,
                result={"events": str(n)},
            )
            key_id, mac = app.keyring.sign_command(record, batch)
            curs.execute(
                SQL(
                    "INSERT INTO {} (command_id, command, actor, reason, idempotency_key, "
                    "fingerprint, issued_at, aggregate_id, version, result, key_id, mac, "
                    "first_position, last_position) "
                    "VALUES (%s, %s, %s, %s, NULL, %s, %s, %s, 0, %s, %s, %s, %s, %s)"
                ).format(journal),
                (
                    record.command_id,
                    IMPORT_COMMAND,
                    IMPORT_ACTOR,
                    reason,
                    record.fingerprint,
                    record.issued_at,
                    record.aggregate_id,
                    orjson.dumps(record.result).decode(),
                    key_id,
                    mac,
                    lo,
                    hi,
                ),
            )
            for name, value in (sequences or {}).items():
                curs.execute(
                    SQL(
                        "INSERT INTO {} AS s (name, value) VALUES (%s, %s) ON CONFLICT (name) "
                        "DO UPDATE SET value = GREATEST(s.value, excluded.value)"
                    ).format(seqs),
                    (name, value),
                )
        first = lo if first is None else first
        last = hi
        count += n
        batches += 1
    if count:
        with datastore.get_connection() as conn:
            conn.execute(SQL("ANALYZE {}").format(table))
    return Imported(count, first, last, batches, time.perf_counter() - started)


# -- dump files ---------------------------------------------------------------------------

_HEAD = struct.Struct(">16sQHI")  # originator id, version, topic length, state length


def write_dump(path: Path, events: Iterable[StoredEvent]) -> int:
    """Write events to `path` (atomically: a .tmp file renamed at the end); return the count."""
    tmp = path.with_name(path.name + ".tmp")
    count = 0
    with tmp.open("wb") as out:
        for e in events:
            topic = e.topic.encode()
            raw_id = e.originator_id if isinstance(e.originator_id, UUID) else UUID(e.originator_id)
            out.write(_HEAD.pack(raw_id.bytes, e.originator_version, len(topic), len(e.state)))
            out.write(topic)
            out.write(e.state)
            count += 1
    tmp.replace(path)
    return count


def read_dump(path: Path) -> Iterator[StoredEvent]:
    """The events of a dump file, in order."""
    with path.open("rb") as f:
        yield from _read(f)


def _read(f: BinaryIO) -> Iterator[StoredEvent]:
    size = _HEAD.size
    while head := f.read(size):
        raw_id, version, topic_len, state_len = _HEAD.unpack(head)
        topic = f.read(topic_len).decode()
        state = f.read(state_len)
        yield StoredEvent(UUID(bytes=raw_id), version, topic, state)
