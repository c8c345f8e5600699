"""Soak: the storm, the retry storm and the projector kills, over and over, with figures.

    scripts/soak --minutes 2

Each phase gets a third of the time and runs rounds with bigger numbers than the test
suite, each round in a fresh Postgres schema (dropped afterwards). Exits 1 if any round
lost, doubled or half-wrote anything.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg

from interfaces.settings import Settings
from tests.conftest import pg_dsn, settings_for
from tests.fault.test_projector_kill import run_kill_cycles
from tests.load.harness import LiveServer, retry_storm, storm


@contextmanager
def fresh_schema() -> Iterator[tuple[Settings, Path]]:
    name = f"soak_{uuid.uuid4().hex[:10]}"
    conn = psycopg.connect(**pg_dsn(), autocommit=True)  # type: ignore[arg-type]
    conn.execute(f"CREATE SCHEMA {name}")
    try:
        with tempfile.TemporaryDirectory(prefix="comptoir-soak-") as tmp:
            settings = settings_for("postgres", Path(tmp), name).model_copy(
                update={"pg_pool_size": 8}
            )
            yield settings, Path(tmp)
    finally:
        conn.execute(f"DROP SCHEMA {name} CASCADE")
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(prog="scripts/soak")
    parser.add_argument("--minutes", type=float, default=2.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    figures = dict.fromkeys(
        (
            "commands acknowledged",
            "conflicts",
            "retries",
            "faults injected (projector kills)",
            "events checked",
            "rows compared",
            "lost",
            "doubled",
        ),
        0,
    )
    problems: list[str] = []
    rounds = {"storm": 0, "retries": 0, "kills": 0}
    slice_s = args.minutes * 60 / 3
    started = time.monotonic()

    def phase(name: str, one_round: Callable[[int], None]) -> None:
        end = time.monotonic() + slice_s
        while True:
            one_round(rounds[name])
            rounds[name] += 1
            if time.monotonic() >= end:
                return

    def storm_round(n: int) -> None:
        with fresh_schema() as (settings, _), LiveServer(settings) as server:
            report = storm(server, documents=3, clients=16, requests_each=50, seed=n)
        figures["commands acknowledged"] += report.acknowledged
        figures["conflicts"] += report.conflicts
        figures["events checked"] += report.events_checked
        figures["rows compared"] += report.rows_compared
        figures["lost"] += report.lost
        figures["doubled"] += report.doubled
        problems.extend(f"storm {n}: {p}" for p in report.problems)

    def retry_round(n: int) -> None:
        with fresh_schema() as (settings, _), LiveServer(settings) as server:
            report = retry_storm(server, keys=1000, copies=5, threads=12)
        figures["commands acknowledged"] += report.first
        figures["retries"] += report.requests - report.keys
        figures["events checked"] += report.events_added
        figures["lost"] += report.lost
        figures["doubled"] += report.doubled + max(0, report.events_added - report.events_expected)
        problems.extend(f"retries {n}: {p}" for p in report.problems)

    def kill_round(n: int) -> None:
        with fresh_schema() as (settings, tmp):
            try:
                result = run_kill_cycles(settings, tmp, cycles=30, seed=1000 + n)
            except AssertionError as error:
                problems.append(f"kills {n}: {error}")
                return
        figures["commands acknowledged"] += result["commands"]
        figures["faults injected (projector kills)"] += result["kills"]
        figures["events checked"] += result["events"]
        figures["rows compared"] += result["rows_compared"]

    phase("storm", storm_round)
    phase("retries", retry_round)
    phase("kills", kill_round)
    elapsed = time.monotonic() - started
    print(f"soak: {elapsed / 60:.1f} min, rounds {rounds}")
    for name, value in figures.items():
        print(f"  {name:<36} {value:>9,}")
    for problem in problems:
        print(f"  PROBLEM {problem}")
    return 1 if problems or figures["lost"] or figures["doubled"] else 0


if __name__ == "__main__":
    sys.exit(main())
