"""Concurrent writers and rolled-back transactions never make a follower skip an event.

On Postgres, while a ProjectionRunner and a Sealer tail the log, writers race:
version conflicts on shared quotes, concurrent duplicates of an idempotency key (the
journal insert fails after the events were inserted) and raw transactions that take
the events table's lock, insert and roll back. Each rollback burns notification ids,
so the log has gaps. At the end the projector's audit log holds exactly the committed
events, and the hash chain verifies with every event sealed.
"""

from __future__ import annotations

import random
import threading
import time
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import psycopg

from adapters.duckdb_store import DuckStore
from adapters.eventstore.chain import chain_store_for
from application.app import Comptoir
from application.errors import Conflict
from application.sealing import ChainFollower, Sealer
from application.verification import verify
from interfaces.settings import Settings
from projections.runner import ProjectionRunner
from tests.conftest import settings_for
from tests.fault.workload import ctx

WRITE_SECONDS = 8.0


def connect(settings: Settings) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        host=settings.pg_host,
        port=settings.pg_port,
        user=settings.pg_user,
        password=settings.pg_password or None,
        dbname=settings.pg_dbname,
        autocommit=True,
    )


def test_followers_skip_no_event_under_conflicts_and_rollbacks(
    pg_schema: str, tmp_path: Path
) -> None:
    settings = settings_for("postgres", tmp_path, pg_schema).model_copy(update={"pg_pool_size": 8})
    writers = Comptoir(settings.eventstore_env())
    followers = Comptoir(settings.eventstore_env())
    quotes = [
        writers.quotes.draft(ctx(), currency="EUR", prospect=f"Shared {n}").aggregate_id
        for n in range(2)
    ]
    store = DuckStore(tmp_path / "views.duckdb")
    runner = ProjectionRunner(followers, store.writer(), page_size=50)
    chain = chain_store_for(followers)
    sealer = ChainFollower(Sealer(followers, chain, page_size=50))
    runner.start(poll_s=0.005)
    sealer.start(poll_s=0.005)
    stop = threading.Event()
    errors: list[BaseException] = []
    counts = {"acknowledged": 0, "conflicts": 0, "replayed": 0, "raw_rollbacks": 0}
    lock = threading.Lock()
    seen_positions: set[int] = set()

    def count(name: str) -> None:
        with lock:
            counts[name] += 1

    def conflicting(seed: int) -> None:
        rng = random.Random(seed)
        while not stop.is_set():
            quote: UUID = rng.choice(quotes)
            try:
                writers.quotes.add_line(
                    ctx(),
                    quote,
                    description=f"w{seed}",
                    quantity=Decimal(1),
                    unit_price=Decimal("10.00"),
                    vat_rate=Decimal(20),
                )
                count("acknowledged")
            except Conflict:
                count("conflicts")

    def duplicated(seed: int, barrier: threading.Barrier) -> None:
        n = 0
        while not stop.is_set():
            key = f"dup-{n}"
            n += 1
            try:
                barrier.wait(timeout=5)
            except threading.BrokenBarrierError:
                return
            try:
                result = writers.quotes.draft(ctx(key), currency="EUR", prospect=key)
                count("replayed" if result.replayed else "acknowledged")
            except Conflict:
                count("conflicts")

    def raw_rollbacks() -> None:
        rng = random.Random(5)
        with connect(settings) as conn:
            while not stop.is_set():
                with conn.transaction(force_rollback=True):
                    conn.execute(f"LOCK TABLE {pg_schema}.comptoir_events IN EXCLUSIVE MODE")
                    conn.execute(
                        f"INSERT INTO {pg_schema}.comptoir_events "
                        "(originator_id, originator_version, topic, state) "
                        "SELECT gen_random_uuid(), 1, 'rolled.back:Event', '\\x00'::bytea "
                        "FROM generate_series(1, %s)",
                        (rng.randint(1, 5),),
                    )
                    time.sleep(rng.uniform(0, 0.01))
                count("raw_rollbacks")
                time.sleep(rng.uniform(0, 0.01))

    def watch() -> None:
        while not stop.is_set():
            seen_positions.add(runner.position)
            time.sleep(0.01)

    def guarded(target: object, *args: object) -> threading.Thread:
        def run() -> None:
            try:
                target(*args)  # type: ignore[operator]
            except BaseException as error:
                errors.append(error)
                stop.set()

        return threading.Thread(target=run)

    barrier = threading.Barrier(3)
    threads = [guarded(conflicting, n) for n in range(4)]
    threads += [guarded(duplicated, n, barrier) for n in range(3)]
    threads += [guarded(raw_rollbacks), guarded(watch)]
    for thread in threads:
        thread.start()
    time.sleep(WRITE_SECONDS)
    stop.set()
    barrier.abort()
    for thread in threads:
        thread.join(timeout=30)
    try:
        assert errors == []
        runner.stop()
        sealer.stop()
        assert runner.error is None
        assert sealer.error is None
        runner.catch_up()
        sealer.sealer.seal()
        with connect(settings) as conn:
            committed = [
                int(r[0])  # type: ignore[call-overload]
                for r in conn.execute(
                    f"SELECT notification_id FROM {pg_schema}.comptoir_events "
                    "ORDER BY notification_id"
                ).fetchall()
            ]
        audit = [
            int(r[0])
            for r in store.writer()
            .execute("SELECT position FROM audit_log ORDER BY position")
            .fetchall()
        ]
        report = verify(followers, chain)
    finally:
        store.close()
        followers.close()
        writers.close()
    print(counts, f"events {len(committed)}, last id {committed[-1]}")
    assert counts["conflicts"] > 0
    assert counts["replayed"] > 0
    assert counts["raw_rollbacks"] > 0
    assert committed[-1] > len(committed), "no rolled-back transaction burnt an id"
    assert len(seen_positions) > 5, "the projector did not tail the log while it grew"
    assert audit == committed
    assert report.ok, str(report)
    assert report.sealed == len(committed)
    assert report.unsealed == 0
