"""The DuckDB read-model file, owned read-write by one process (DESIGN.md §5).

The projector writes through `writer()`; request threads read through `reader()`,
a cursor per thread on the same database, so they see committed batches only.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path

import duckdb

# A rebuild only appends to a file nobody reads yet: row order is free, memory bounded.
REBUILD_CONFIG = {"preserve_insertion_order": "false", "memory_limit": "128MB"}


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

    def close(self) -> None:
        with self._lock:
            for cursor in self._readers:
                cursor.close()
            self._readers.clear()
        self._writer.close()
        self._con.close()
