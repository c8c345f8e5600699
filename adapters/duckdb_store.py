"""The DuckDB read-model file, owned read-write by one process (DESIGN.md §5).

The projector writes through `writer()`; request threads read through `reader()`,
a cursor per thread on the same database, so they see committed batches only.
`count()` runs a count on a pool thread's cursor while the caller runs its page query:
DuckDB releases the GIL, so the two scans overlap.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import duckdb

# A rebuild only appends to a file nobody reads yet: row order is free, memory bounded.
REBUILD_CONFIG = {"preserve_insertion_order": "false", "memory_limit": "128MB"}
# Counts of concurrent requests run side by side, not queued behind one another.
COUNT_THREADS = 8


class DuckStore:
    """One open DuckDB database: a writer cursor and per-thread reader cursors.

    `config` holds DuckDB settings for the database (`memory_limit`, `threads` …).
    """

    def __init__(self, path: Path | str, config: Mapping[str, str] | None = None) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._con = duckdb.connect(self.path, config=dict(config or {}))
        self._writer = self._con.cursor()
        self._local = threading.local()
        self._readers: list[duckdb.DuckDBPyConnection] = []
        self._lock = threading.Lock()
        self._counting = ThreadPoolExecutor(
            max_workers=COUNT_THREADS, thread_name_prefix="duckdb-count"
        )

    def writer(self) -> duckdb.DuckDBPyConnection:
        """The cursor the projector writes with; use it from one thread only."""
        return self._writer

    def reader(self) -> duckdb.DuckDBPyConnection:
        """A cursor for the calling thread."""
        cursor: duckdb.DuckDBPyConnection | None = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._con.cursor()
            self._local.cursor = cursor
            with self._lock:
                self._readers.append(cursor)
        return cursor

    def count(self, sql: str, params: Sequence[object]) -> Future[int]:
        """Run `SELECT count(*) …` on a pool thread; its result when ready."""
        return self._counting.submit(self._count, sql, params)

    def _count(self, sql: str, params: Sequence[object]) -> int:
        row = self.reader().execute(sql, list(params)).fetchone()
        return 0 if row is None else int(row[0])

    def close(self) -> None:
        self._counting.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            for cursor in self._readers:
                cursor.close()
            self._readers.clear()
        self._writer.close()
        self._con.close()
