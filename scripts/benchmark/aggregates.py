"""Aggregate loads: an affair with 10,000 events, with and without snapshots, latest and as of."""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from adapters.bulk.importer import import_events
from application.app import Comptoir
from benchmark.common import CPU_MS, Figure, Run, admin_conn, alternate, comptoir, record, say
from domain.affair import Affair

# -- the hot affair -----------------------------------------------------------------------


def hot_affair(app: Comptoir, events: int) -> UUID:
    """Import one affair with `events` events (opened, then time entries)."""
    at = datetime(2024, 1, 8, 9, tzinfo=UTC)
    affair = Affair.open(
        at,
        name="Hot affair",
        customer_id=None,
        prospect="Big client",
        salesperson="alice",
        currency="EUR",
        expected_amount=Decimal(10_000_000),
        expected_close=None,
        zone="north",
        country="FR",
        sale_type="study",
        risk="low",
        competitors=[],
    )
    stored = [app.mapper.to_stored_event(e) for e in affair.collect_events()]
    for _ in range(events - 1):
        at += timedelta(minutes=30)
        affair.log_time(at, "gina", at.date(), Decimal(1), hourly_rate=Decimal(50))
        stored.extend(app.mapper.to_stored_event(e) for e in affair.collect_events())
        if len(stored) >= events:
            break
    import_events(app, stored[:events], reason="bench hot affair")
    return affair.id


def load_ms(app: Comptoir, aggregate_id: UUID, versions: list[int | None], tag: str = "") -> float:
    """Median wall ms of `repository.get`; the median CPU ms goes to CPU_MS[tag]."""
    times, cpu = [], []
    for version in versions:
        started, cpu_started = time.perf_counter(), time.thread_time()
        app.repository.get(aggregate_id, version=version)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - cpu_started) * 1000)
    if tag:
        CPU_MS[tag] = statistics.median(cpu)
    return statistics.median(times)


def measure_loads(run: Run) -> None:
    """3. Aggregate loads: the latest version and past versions, against no snapshots."""
    big = run.big
    say("aggregate loads: an affair with 10,000 events")
    hot = hot_affair(run.app_big, 10_000)
    plain = comptoir(big, snapshots=False, cache=False)
    snap = comptoir(big, cache=False)
    # the snapshots the product takes as commands reach these versions
    interval = Comptoir.snapshotting_intervals[Affair]
    for version in range(interval, 10_001, interval):
        snap.take_snapshot(hot, version=version)
    rng = random.Random(3)
    latest = [None] * 7
    no_snap_ms, snap_ms = alternate(
        3,
        lambda: load_ms(plain, hot, latest[:3], "load_no_snapshots"),
        lambda: load_ms(snap, hot, latest, "load_snapshots"),
    )
    with admin_conn() as conn:
        row = conn.execute(
            f"SELECT length(state) FROM {big}.comptoir_snapshots "
            "WHERE originator_id = %s ORDER BY originator_version DESC LIMIT 1",
            (hot,),
        ).fetchone()
    snapshot_kb = (row[0] if row else 0) / 1024
    record(
        "aggregate_load_ms",
        Figure(
            statistics.median(snap_ms),
            "ms",
            statistics.median(no_snap_ms),
            "same without snapshots",
            "<= 2 ms",
            note=f"(snapshots every {interval:,} versions; "
            f"latest snapshot {snapshot_kb:,.0f} KB; CPU {CPU_MS['load_snapshots']:.1f} ms)",
        ),
    )
    past = [rng.randint(1, 9999) for _ in range(15)]
    record(
        "as_of_load_ms",
        Figure(
            load_ms(snap, hot, past, "as_of_snapshots"),
            "ms",
            load_ms(plain, hot, past[:5], "as_of_no_snapshots"),
            "same without snapshots",
            "<= 20 ms",
            note=f"(CPU {CPU_MS['as_of_snapshots']:.1f} ms)",
        ),
    )
    plain.close()
    snap.close()
