"""Chain stores: the hash chain's links in a table beside the events, same database.

Postgres `{prefix}_chain` in the event store's schema, SQLite `chain`, memory a list.
The sealer's tracking is the table's largest notification id, so a batch of links and
its tracking commit together; the primary key refuses a second sealer's overlap.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.sql import SQL, Identifier

from adapters.eventstore.postgres import serialise_ddl
from application.sealing import ChainLink, ChainMoved, ChainStore


def chain_store_for(app: Application[Any]) -> ChainStore:
    """The chain store beside this application's event store."""
    recorder = app.recorder
    if isinstance(recorder, PostgresApplicationRecorder):
        return PostgresChainStore(recorder)
    if isinstance(recorder, SQLiteApplicationRecorder):
        return SQLiteChainStore(recorder)
    if isinstance(recorder, POPOApplicationRecorder):
        return MemoryChainStore.of(recorder)
    raise TypeError(f"no chain store for {type(recorder).__name__}")


class PostgresChainStore(ChainStore):
    """Links in `{schema}.{prefix}_chain`, beside `{prefix}_events`."""

    def __init__(self, recorder: PostgresApplicationRecorder) -> None:
        self.datastore = recorder.datastore
        prefix = recorder.events_table_name.removesuffix("_events")
        table = SQL("{}.{}").format(
            Identifier(self.datastore.schema), Identifier(f"{prefix}_chain")
        )
        self._create = SQL(
            "CREATE TABLE IF NOT EXISTS {} (notification_id bigint PRIMARY KEY, "
            "content_digest bytea NOT NULL, link bytea NOT NULL)"
        ).format(table)
        self._head = SQL(
            "SELECT notification_id, content_digest, link FROM {} "
            "ORDER BY notification_id DESC LIMIT 1"
        ).format(table)
        self._insert = SQL(
            "INSERT INTO {} (notification_id, content_digest, link) VALUES (%s, %s, %s)"
        ).format(table)
        self._links = SQL(
            "SELECT notification_id, content_digest, link FROM {} "
            "WHERE notification_id > %s AND notification_id <= %s "
            "ORDER BY notification_id LIMIT %s"
        ).format(table)
        self._sealed_at = SQL(
            "SELECT notification_id FROM {} WHERE content_digest = %s "
            "ORDER BY notification_id LIMIT 1"
        ).format(table)
        self._create_table()

    def _create_table(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            # under the schema's DDL lock: two processes making the table at the same
            # moment would collide on Postgres's catalog, `IF NOT EXISTS` or not
            serialise_ddl(curs, self.datastore.schema)
            curs.execute(self._create)

    def head(self) -> ChainLink | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._head)
            row = curs.fetchone()
        return None if row is None else _link(row)

    def append(self, links: Sequence[ChainLink]) -> None:
        rows = [(k.notification_id, k.content_digest, k.link) for k in links]
        try:
            with self.datastore.transaction(commit=True) as curs:
                curs.executemany(self._insert, rows)
        except IntegrityError:  # the datastore's name for the primary key's refusal
            raise ChainMoved("these events were sealed meanwhile") from None

    def links(self, after: int, limit: int, stop: int | None = None) -> Sequence[ChainLink]:
        upper = 2**63 - 1 if stop is None else stop
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._links, (after, upper, limit))
            return [_link(row) for row in curs.fetchall()]

    def sealed_at(self, content_digest: bytes) -> int | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sealed_at, (content_digest,))
            row = curs.fetchone()
        return None if row is None else int(row["notification_id"])


class SQLiteChainStore(ChainStore):
    """Links in the `chain` table of the event store's SQLite file."""

    def __init__(self, recorder: SQLiteApplicationRecorder) -> None:
        self.datastore = recorder.datastore
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                "CREATE TABLE IF NOT EXISTS chain (notification_id INTEGER PRIMARY KEY, "
                "content_digest BLOB NOT NULL, link BLOB NOT NULL)"
            )

    def head(self) -> ChainLink | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT notification_id, content_digest, link FROM chain "
                "ORDER BY notification_id DESC LIMIT 1"
            )
            row = c.fetchone()
        return None if row is None else _link(row)

    def append(self, links: Sequence[ChainLink]) -> None:
        rows = [(k.notification_id, k.content_digest, k.link) for k in links]
        try:
            with self.datastore.transaction(commit=True) as c:
                c.executemany(
                    "INSERT INTO chain (notification_id, content_digest, link) VALUES (?, ?, ?)",
                    rows,
                )
        except IntegrityError:  # the datastore's name for the primary key's refusal
            raise ChainMoved("these events were sealed meanwhile") from None

    def links(self, after: int, limit: int, stop: int | None = None) -> Sequence[ChainLink]:
        upper = 2**63 - 1 if stop is None else stop
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT notification_id, content_digest, link FROM chain "
                "WHERE notification_id > ? AND notification_id <= ? "
                "ORDER BY notification_id LIMIT ?",
                (after, upper, limit),
            )
            return [_link(row) for row in c.fetchall()]

    def sealed_at(self, content_digest: bytes) -> int | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT notification_id FROM chain WHERE content_digest = ? "
                "ORDER BY notification_id LIMIT 1",
                (content_digest,),
            )
            row = c.fetchone()
        return None if row is None else int(row["notification_id"])


class MemoryChainStore(ChainStore):
    """Links in a list, one list per in-memory recorder."""

    def __init__(self) -> None:
        self._links: list[ChainLink] = []
        self._lock = threading.Lock()

    @classmethod
    def of(cls, recorder: POPOApplicationRecorder) -> MemoryChainStore:
        """The one chain of this recorder, so every sealer and verifier shares it."""
        return _MEMORY_CHAINS.setdefault(recorder, cls())

    def head(self) -> ChainLink | None:
        with self._lock:
            return self._links[-1] if self._links else None

    def append(self, links: Sequence[ChainLink]) -> None:
        with self._lock:
            last = self._links[-1].notification_id if self._links else 0
            if links and links[0].notification_id <= last:
                raise ChainMoved("these events were sealed meanwhile")
            self._links.extend(links)

    def links(self, after: int, limit: int, stop: int | None = None) -> Sequence[ChainLink]:
        with self._lock:
            found = [
                k
                for k in self._links
                if k.notification_id > after and (stop is None or k.notification_id <= stop)
            ]
        return found[:limit]

    def sealed_at(self, content_digest: bytes) -> int | None:
        with self._lock:
            return next(
                (k.notification_id for k in self._links if k.content_digest == content_digest),
                None,
            )


_MEMORY_CHAINS: weakref.WeakKeyDictionary[POPOApplicationRecorder, MemoryChainStore] = (
    weakref.WeakKeyDictionary()
)


def _link(row: Any) -> ChainLink:
    return ChainLink(int(row["notification_id"]), bytes(row["content_digest"]), bytes(row["link"]))
