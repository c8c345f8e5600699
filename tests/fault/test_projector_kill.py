"""A projector process killed with SIGKILL at random moments loses and doubles nothing.

A standalone projector (`tests/fault/projector_process.py`, pages of 7 events) follows
the Postgres log into its own DuckDB file while commands keep flowing; it is killed
with `kill -9` many times, mid-batch or between batches, and restarted. After the last
restart has caught up, every view equals a fresh rebuild row for row, and the audit
log holds every committed event exactly once.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

from adapters.duckdb_store import DuckStore
from application.app import Comptoir
from interfaces.settings import Settings
from projections.rebuild import compare, rebuild
from tests.conftest import settings_for, store_env
from tests.fault.workload import business_round

ROOT = Path(__file__).resolve().parents[2]


def process_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        **store_env(settings, COMPTOIR_EVENT_STORE="postgres", COMPTOIR_PG_POOL_SIZE="2"),
    }


class Projector:
    """One run of the projector process, its output lines collected by a thread."""

    def __init__(self, path: Path, env: dict[str, str], *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.fault.projector_process", str(path), *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.strip())
            self.ready.set()

    def positions(self) -> list[int]:
        return [int(line.split()[1]) for line in list(self.lines)]

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.reader.join(timeout=10)


def log_positions(settings: Settings) -> list[int]:
    with psycopg.connect(
        host=settings.pg_host,
        port=settings.pg_port,
        user=settings.pg_user,
        password=settings.pg_password or None,
        dbname=settings.pg_dbname,
        autocommit=True,
    ) as conn:
        rows = conn.execute(
            f"SELECT notification_id FROM {settings.pg_schema}.comptoir_events "
            "ORDER BY notification_id"
        ).fetchall()
    return [int(r[0]) for r in rows]


def run_kill_cycles(
    settings: Settings, work: Path, *, cycles: int, seed: int, backlog_rounds: int = 25
) -> dict[str, int]:
    """Kill the projector `cycles` times while commands flow; check it against a rebuild.

    Returns the figures; raises AssertionError on any loss, doubling or difference.
    """
    rng = random.Random(seed)
    app = Comptoir(settings.eventstore_env())
    env = process_env(settings)
    path = work / "projector.duckdb"
    done = [backlog_rounds, sum(business_round(app, n) for n in range(backlog_rounds))]
    stop = threading.Event()
    errors: list[BaseException] = []

    def write() -> None:
        try:
            while not stop.is_set():
                done[1] += business_round(app, done[0])
                done[0] += 1
                stop.wait(0.05)
        except BaseException as error:
            errors.append(error)

    writer = threading.Thread(target=write)
    writer.start()
    kills = 0
    resumed_from: list[tuple[int, int]] = []  # (last committed before the kill, resumed at)
    last_committed = 0
    try:
        for _ in range(cycles):
            projector = Projector(path, env)
            assert projector.ready.wait(60), "the projector process did not start"
            started = projector.positions()[0]
            resumed_from.append((last_committed, started))
            time.sleep(rng.uniform(0.05, 0.6))
            projector.kill()
            kills += 1
            seen = projector.positions()
            last_committed = max(seen[-1], last_committed)
    finally:
        stop.set()
        writer.join()
    if errors:
        raise errors[0]
    # a restart resumes from what it had committed, never from the start, never behind
    for committed, started in resumed_from:
        assert started >= committed, f"resumed at {started} after committing {committed}"
    assert last_committed > 0, "the projector never committed a batch"
    end = app.log_position()
    final = Projector(path, env, "--catch-up", "--page-size", "500")
    assert final.process.wait(timeout=120) == 0
    final.reader.join(timeout=10)
    assert final.positions()[-1] == end
    store = DuckStore(path)
    try:
        cursor = store.writer()
        audit = [
            int(r[0])
            for r in cursor.execute("SELECT position FROM audit_log ORDER BY 1").fetchall()
        ]
        committed = log_positions(settings)
        assert audit == committed, "the audit view is not exactly the committed events"
        built = rebuild(app, work / "rebuilt.duckdb", page_size=500, until=end)
        differences = compare(cursor, built.path)
        assert differences == [], [str(d) for d in differences]
        tables = cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_catalog = current_database()"
        ).fetchall()
        rows = sum(
            int(cursor.execute(f"SELECT count(*) FROM main.{t}").fetchone()[0])  # type: ignore[index]
            for (t,) in tables
        )
    finally:
        store.close()
        app.close()
    return {
        "kills": kills,
        "commands": done[1],
        "events": len(committed),
        "rows_compared": rows,
        "resumed_mid_log": sum(1 for _, s in resumed_from if s > 0),
    }


def test_a_projector_killed_fifteen_times_ends_equal_to_a_rebuild(
    pg_schema: str, tmp_path: Path
) -> None:
    settings = settings_for("postgres", tmp_path, pg_schema)
    figures = run_kill_cycles(settings, tmp_path, cycles=15, seed=11)
    print(figures)
    assert figures["kills"] == 15
    assert figures["resumed_mid_log"] >= 10  # most restarts resumed from a tracked position
