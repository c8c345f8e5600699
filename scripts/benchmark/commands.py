"""Command workloads: the realistic mix, raw commits and the bare library, as baselines."""

from __future__ import annotations

import cProfile
import os
import random
import statistics
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from application.app import Comptoir
from application.journal import CommandContext
from benchmark.common import Figure, Run, alternate, pg, profile_text, record, say

# -- command workloads --------------------------------------------------------------------


def ctx(actor: str, keyed: bool) -> CommandContext:
    return CommandContext(
        actor=actor,
        at=datetime.now(UTC),
        reason="bench",
        idempotency_key=f"bench-{uuid4().hex}" if keyed else None,
    )


class MixClient:
    """One client issuing the realistic mix on its own documents (10 commands a cycle)."""

    def __init__(self, app: Comptoir, name: str, seed: int) -> None:
        self.app = app
        self.name = name
        self.rng = random.Random(seed)
        self.count = 0
        self.errors = 0
        self.affair: UUID | None = None
        self.cycles = 0

    def _c(self) -> CommandContext:
        return ctx(self.name, self.rng.random() < 0.5)

    def cycle(self) -> None:
        app, rng = self.app, self.rng
        if self.affair is None or self.cycles % 20 == 0:
            self.affair = app.affairs.open(
                self._c(),
                name=f"{self.name} deal {self.cycles}",
                customer_id=None,
                prospect=f"Prospect {self.name}",
                salesperson="alice",
                currency="EUR",
                expected_amount=Decimal(25000),
                expected_close=date.today() + timedelta(days=60),
                zone="north",
                country="FR",
                sale_type="product",
                risk="low",
                competitors=[],
            ).aggregate_id
            self.count += 1
        self.cycles += 1
        customer = app.customers.register(
            self._c(), name=f"Client {self.name} {self.cycles}", status="customer"
        ).aggregate_id
        quote = app.quotes.draft(
            self._c(), currency="EUR", customer_id=customer, salesperson="alice"
        ).aggregate_id
        for _ in range(2):
            app.quotes.add_line(
                self._c(),
                quote,
                description="Cash register",
                quantity=Decimal(rng.randint(1, 5)),
                unit_price=Decimal("549.00"),
                vat_rate=Decimal(20),
            )
        app.quotes.send(self._c(), quote)
        for _ in range(2):
            self._log_time()
        app.affairs.record_cost(
            self._c(),
            self.affair,
            category="purchases",
            amount=Decimal(rng.randint(50, 500)),
            document_ref=f"PO-{uuid4().hex[:10]}",
            document_date=date.today(),
        )
        app.quotes.accept(self._c(), quote)
        self._log_time()
        self.count += 10

    def _log_time(self) -> None:
        assert self.affair is not None
        self.app.affairs.log_time(
            self._c(),
            self.affair,
            employee="gina",
            day=date.today(),
            hours=Decimal("1.5"),
            hourly_rate=Decimal(60),
        )


def run_threads(
    work: Callable[[int, Callable[[], bool]], int], threads: int, seconds: float
) -> float:
    """Run `work(i, running)` in `threads` threads for `seconds`; return total count / s."""
    deadline = time.perf_counter() + seconds
    counts = [0] * threads
    errors: list[BaseException] = []

    def running() -> bool:
        return time.perf_counter() < deadline

    def body(i: int) -> None:
        try:
            counts[i] = work(i, running)
        except BaseException as error:
            errors.append(error)

    started = time.perf_counter()
    pool = [threading.Thread(target=body, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if errors:
        raise errors[0]
    return sum(counts) / (time.perf_counter() - started)


def comptoir_commands(app: Comptoir, threads: int, seconds: float, tag: str) -> float:
    def work(i: int, running: Callable[[], bool]) -> int:
        client = MixClient(app, f"{tag}-c{i}", i)
        while running():
            client.cycle()
        return client.count

    return run_threads(work, threads, seconds)


def raw_commits(schema: str, threads: int, seconds: float) -> float:
    payload = os.urandom(300)

    def work(_i: int, running: Callable[[], bool]) -> int:
        n = 0
        with psycopg.connect(**pg()) as conn:
            while running():
                conn.execute(f"INSERT INTO {schema}.raw_commits (payload) VALUES (%s)", (payload,))
                conn.commit()
                n += 1
        return n

    return run_threads(work, threads, seconds)


class Counter(Aggregate):
    """The bare library's trivial aggregate."""

    def __init__(self) -> None:
        self.n = 0

    @event("Incremented")
    def increment(self) -> None:
        self.n += 1


def bare_app(schema: str) -> Application[UUID]:
    c = pg()
    return Application(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": c["dbname"],
            "POSTGRES_HOST": c["host"],
            "POSTGRES_PORT": str(c["port"]),
            "POSTGRES_USER": c["user"],
            "POSTGRES_PASSWORD": c["password"],
            "POSTGRES_SCHEMA": schema,
            "POSTGRES_POOL_SIZE": "10",
        }
    )


def bare_commands(app: Application[UUID], threads: int, seconds: float) -> float:
    def work(_i: int, running: Callable[[], bool]) -> int:
        n = 0
        aggregate_id: UUID | None = None
        while running():
            if n % 50 == 0:
                fresh = Counter()
                app.save(fresh)
                aggregate_id = fresh.id
            assert aggregate_id is not None
            counter: Any = app.repository.get(aggregate_id)
            counter.increment()
            app.save(counter)
            n += 1
        return n

    return run_threads(work, threads, seconds)


def measure_commands(run: Run) -> None:
    """4. Commands against raw commits and the bare library, and their cost as the store grows."""
    app_big, threads, cmd_s, reps = run.app_big, run.threads, run.cmd_s, run.reps
    say(f"commands: {threads} threads, {cmd_s:.0f} s per run, {reps} alternating reps")
    bare_application = bare_app(run.bare)
    raw_r, cmd_r, bare_r = alternate(
        reps,
        lambda: raw_commits(run.raw, threads, cmd_s),
        lambda: comptoir_commands(app_big, threads, cmd_s, f"mix{time.time_ns()}"),
        lambda: bare_commands(bare_application, threads, cmd_s),
    )
    bare_application.close()
    raw_rate = statistics.median(raw_r)
    cmd_rate = statistics.median(cmd_r)
    bare_rate = statistics.median(bare_r)
    record("raw_commit_per_s", Figure(raw_rate, "commits/s"))
    record(
        "commands_per_s",
        Figure(cmd_rate, "commands/s", raw_rate, "raw_commit_per_s", "ratio >= 0.40"),
    )
    record(
        "commands_vs_bare_library",
        Figure(
            cmd_rate / bare_rate,
            "x",
            bare_rate,
            "bare library commands/s",
            ">= 3",
            fixed_ratio=cmd_rate / bare_rate,
        ),
    )

    say("command cost growth: 1 client, store with all events vs 10,000")
    big_s, small_s = alternate(
        reps,
        lambda: 1000 / comptoir_commands(app_big, 1, cmd_s / 2, f"gb{time.time_ns()}"),
        lambda: 1000 / comptoir_commands(run.app_small, 1, cmd_s / 2, f"gs{time.time_ns()}"),
    )
    growth = statistics.median(big_s) / statistics.median(small_s)
    record(
        "command_cost_growth",
        Figure(
            growth,
            "x",
            statistics.median(small_s),
            "ms per command with 10,000 events",
            "<= 1.2",
            note=f"({statistics.median(big_s):.2f} ms per command with {run.n:,} events)",
            fixed_ratio=growth,
        ),
    )
    if run.args.profile:
        client = MixClient(app_big, f"prof{time.time_ns()}", 99)
        profiler = cProfile.Profile()
        deadline = time.perf_counter() + 3.0
        profiler.enable()
        while time.perf_counter() < deadline:
            client.cycle()
        profiler.disable()
        (run.run_dir / "profile-commands.txt").write_text(profile_text(profiler))
    run.app_small.close()
