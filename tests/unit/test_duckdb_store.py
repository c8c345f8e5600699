"""The read-model store's side count: run on another cursor, it sees what the caller sees."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.duckdb_store import DuckStore


def test_count_runs_on_a_pool_cursor_and_sees_committed_rows(tmp_path: Path) -> None:
    store = DuckStore(tmp_path / "views.duckdb")
    try:
        writer = store.writer()
        writer.execute("CREATE TABLE t (k INT, v TEXT)")
        writer.execute("INSERT INTO t SELECT i, 'x' || (i % 3) FROM range(10) r(i)")
        counted = store.count("SELECT count(*) FROM t WHERE v = ?", ["x1"])
        assert counted.result(timeout=10) == 3
        writer.begin()
        writer.execute("INSERT INTO t VALUES (99, 'x1')")
        # an open transaction is invisible to readers until it commits
        assert store.count("SELECT count(*) FROM t WHERE v = ?", ["x1"]).result(10) == 3
        writer.commit()
        assert store.count("SELECT count(*) FROM t WHERE v = ?", ["x1"]).result(10) == 4
    finally:
        store.close()


def test_close_stops_the_counting_threads(tmp_path: Path) -> None:
    store = DuckStore(tmp_path / "views.duckdb")
    store.writer().execute("CREATE TABLE t (k INT)")
    assert store.count("SELECT count(*) FROM t", []).result(10) == 0
    store.close()
    with pytest.raises(RuntimeError, match="shutdown"):
        store.count("SELECT count(*) FROM t", [])
