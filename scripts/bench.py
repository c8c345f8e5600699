"""Comptoir's benchmark: every figure measured against a baseline taken in the same run.

Run it with `scripts/bench` (full: 1,000,000 events) or `scripts/bench --quick`
(100,000 events). It builds its own Postgres schemas in database `test` (or
`COMPTOIR_PG_DBNAME`), drops them at the end, prints a table and writes
`var/bench/latest.json`. docs/benchmarks.md explains every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import hashlib
import io
import json
import os
import platform
import pstats
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from eventsourcing.application import Application  # noqa: E402
from eventsourcing.domain import Aggregate, event  # noqa: E402

from adapters.bulk.generator import START, DatasetGenerator  # noqa: E402
from adapters.bulk.importer import import_events, read_dump, write_dump  # noqa: E402
from application.app import Comptoir  # noqa: E402
from application.journal import CommandContext  # noqa: E402
from domain.affair import Affair  # noqa: E402
from interfaces.settings import Settings  # noqa: E402

BENCH_DIR = ROOT / "var" / "bench"
PAGE = 5000


# -- configuration ------------------------------------------------------------------------


def pg() -> dict[str, Any]:
    return {
        "host": os.environ.get("COMPTOIR_PG_HOST", "127.0.0.1"),
        "port": int(os.environ.get("COMPTOIR_PG_PORT", "5432")),
        "user": os.environ.get("COMPTOIR_PG_USER", "postgres"),
        "password": os.environ.get("COMPTOIR_PG_PASSWORD", ""),
        "dbname": os.environ.get("COMPTOIR_PG_DBNAME", "test"),
    }


def settings(schema: str, duckdb_path: Path | None = None, pool: int = 10) -> Settings:
    c = pg()
    return Settings(
        event_store="postgres",
        pg_host=c["host"],
        pg_port=c["port"],
        pg_user=c["user"],
        pg_password=c["password"],
        pg_dbname=c["dbname"],
        pg_schema=schema,
        pg_pool_size=pool,
        duckdb_path=duckdb_path or Path("/nonexistent.duckdb"),
    )


def comptoir(schema: str, *, snapshots: bool = True, cache: bool = True, **kw: Any) -> Comptoir:
    """The application on `schema`, with snapshots and the aggregate cache as in the product
    unless told otherwise (loads are measured without the cache: from the store)."""
    env = settings(schema).eventstore_env()
    env["IS_SNAPSHOTTING_ENABLED"] = "y" if snapshots else "n"
    if not cache:
        env.pop("AGGREGATE_CACHE_MAXSIZE", None)
        env.pop("AGGREGATE_CACHE_FASTFORWARD", None)
    return Comptoir(env, **kw)


def admin_conn() -> psycopg.Connection[Any]:
    return psycopg.connect(**pg(), autocommit=True)


def vm(pid: int | str = "self") -> dict[str, float]:
    """VmRSS and VmHWM (peak) of a process, in MB, from /proc (psutil is not a dependency)."""
    out: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, value = line.split(":")
            out[key] = int(value.split()[0]) / 1024
    return out


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# -- figures ------------------------------------------------------------------------------


@dataclass
class Figure:
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""
    fixed_ratio: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.fixed_ratio is not None:
            return self.fixed_ratio
        if self.baseline in (None, 0) or self.baseline != self.baseline:
            return None
        return self.value / self.baseline  # type: ignore[operator]


FIGURES: dict[str, Figure] = {}
LOAD_AT_START: list[float] = []
QUERY_BREAKDOWN: dict[str, dict[str, float]] = {}


def record(name: str, fig: Figure) -> None:
    FIGURES[name] = fig
    ratio = "" if fig.ratio is None else f" ratio {fig.ratio:.3f}"
    say(f"  {name} = {fig.value:,.2f} {fig.unit}{ratio} {fig.note}")


# -- dataset ------------------------------------------------------------------------------


def dataset(n: int, seed: int) -> tuple[Path, dict[str, Any]]:
    """A cached dump of the first `n` events of the seeded company (regenerated on change)."""
    sources = [ROOT / "adapters/bulk/generator.py", *sorted((ROOT / "domain").glob("*.py"))]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()[:12]
    cache = BENCH_DIR / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    dump = cache / f"dataset-s{seed}-n{n}-{digest}.bin"
    meta_path = dump.with_suffix(".json")
    if dump.exists() and meta_path.exists():
        say(f"dataset: cached {dump.name}")
        return dump, json.loads(meta_path.read_text())
    for stale in cache.glob(f"dataset-s{seed}-n{n}-*"):
        stale.unlink()
    say(f"dataset: generating {n:,} events (seed {seed}) with the real domain")
    started = time.perf_counter()
    app = Comptoir({"PERSISTENCE_MODULE": "adapters.eventstore.memory:JournalingMemoryFactory"})
    gen = DatasetGenerator(seed, app.mapper)
    count = write_dump(dump, gen.events(n))
    seconds = time.perf_counter() - started
    meta = {
        "events": count,
        "seconds": seconds,
        "sequences": gen.sequences,
        "stories": gen.stats.stories,
        "customers": [str(c.id) for c in gen.customers[:200]],
    }
    meta_path.write_text(json.dumps(meta))
    say(f"dataset: {count:,} events in {seconds:.1f} s ({count / seconds:,.0f}/s)")
    return dump, meta


# -- children (own process: own peak RSS) -------------------------------------------------


def child_rebuild(args: argparse.Namespace) -> None:
    from projections.rebuild import rebuild

    app = comptoir(args.schema)
    target = Path(args.target)
    profiler = cProfile.Profile() if args.profile_out else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    built = rebuild(app, target, PAGE, until=args.until)
    if profiler:
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        out.write("\n---- by own time ----\n")
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
        Path(args.profile_out).write_text(out.getvalue())
    seconds = time.perf_counter() - started
    print(json.dumps({"events": built.events, "seconds": seconds, **vm()}))


def run_child(*argv: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, str(Path(__file__)), "--child", *argv],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# -- log reading and projection -----------------------------------------------------------


def raw_log_read(schema: str, until: int | None = None) -> float:
    """Events/s reading the notification log in pages, decoding nothing (the library's read)."""
    app = comptoir(schema)
    position, count = 0, 0
    started = time.perf_counter()
    while True:
        page = app.recorder.select_notifications(
            start=position, limit=PAGE, stop=until, inclusive_of_start=False
        )
        if not page:
            break
        count += len(page)
        position = page[-1].id
    seconds = time.perf_counter() - started
    app.close()
    return count / seconds


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


CPU_MS: dict[str, float] = {}


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


# -- view lag -----------------------------------------------------------------------------


def view_lag(
    schema: str, duckdb_path: Path, threads: int, seconds: float
) -> tuple[float, float, int]:
    """p99 ms from a command's commit to its position in the views, and commands/s meanwhile."""
    from projections.live import LiveViews

    pending: deque[tuple[int, float]] = deque()
    lags: list[float] = []
    holder: dict[str, LiveViews] = {}

    def recorded(position: int) -> None:
        pending.append((position, time.perf_counter()))
        views = holder.get("views")
        if views is not None:
            views.wake(position)

    app = comptoir(schema, on_recorded=recorded)
    views = LiveViews(app, duckdb_path, page_size=PAGE)
    views.runner.catch_up()
    holder["views"] = views
    views.start(0.2)
    stop = threading.Event()

    def monitor() -> None:
        while not stop.is_set() or pending:
            if not pending:
                time.sleep(0.001)
                continue
            position, _ = pending[0]
            if views.wait_for(position, 0.5):
                now = time.perf_counter()
                reached = views.position
                while pending and pending[0][0] <= reached:
                    lags.append((now - pending.popleft()[1]) * 1000)
            elif stop.is_set() and views.runner.error is not None:
                break

    watcher = threading.Thread(target=monitor, daemon=True)
    watcher.start()
    rate = comptoir_commands(app, threads, seconds, "lag")
    stop.set()
    watcher.join(timeout=30)
    views.close()
    app.close()
    return pct(lags, 99), rate, len(lags)


# -- HTTP ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _request(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    method: str,
    path: str,
    key: str,
    body: bytes,
) -> tuple[int, bytes]:
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: bench\r\nX-API-Key: {key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    writer.write(head + body)
    await writer.drain()
    raw = await reader.readuntil(b"\r\n\r\n")
    lines = raw.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":")[1])
    return status, await reader.readexactly(length) if length else b""


class HttpMix:
    """Self-contained requests: draft a quote, add a line to a drafted one, log time."""

    def __init__(self, key: str, affairs: list[str]) -> None:
        self.key = key
        self.affairs = affairs
        self.drafted: deque[str] = deque()
        self.i = 0
        self.errors = 0
        self.statuses: dict[int, int] = {}

    def next(self) -> tuple[str, bytes, bool]:
        self.i += 1
        kind = self.i % 3
        if kind == 1 and self.drafted:
            quote = self.drafted.popleft()
            body = {
                "description": "Scanner",
                "quantity": "2",
                "unit_price": "89.90",
                "vat_rate": "20",
            }
            return f"/quotes/{quote}/lines", json.dumps(body).encode(), False
        if kind == 2:
            affair = self.affairs[self.i % len(self.affairs)]
            body = {
                "employee": "gina",
                "day": date.today().isoformat(),
                "hours": "1.5",
                "hourly_rate": "60",
            }
            return f"/affairs/{affair}/time-entries", json.dumps(body).encode(), False
        body = {"currency": "EUR", "prospect": "Boulangerie Martin", "title": "bench"}
        return "/quotes", json.dumps(body).encode(), True

    def done(self, status: int, payload: bytes, is_draft: bool) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status >= 300:
            self.errors += 1
        elif is_draft:
            self.drafted.append(json.loads(payload)["id"])


async def _closed_loop(port: int, mix: HttpMix, conns: int, seconds: float) -> float:
    deadline = time.perf_counter() + seconds
    done = 0

    async def worker() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.perf_counter() < deadline:
            path, body, draft = mix.next()
            status, payload = await _request(reader, writer, "POST", path, mix.key, body)
            mix.done(status, payload, draft)
            done += 1
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(conns)))
    return done / (time.perf_counter() - started)


async def _open_loop(
    port: int, mix: HttpMix, rate: float, seconds: float, conns: int
) -> list[float]:
    """Requests scheduled at a fixed rate; latency counts from the scheduled time."""
    latencies: list[float] = []
    free: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(conns):
        free.put_nowait(await asyncio.open_connection("127.0.0.1", port))
    start = time.perf_counter()
    total = int(rate * seconds)
    tasks = []

    async def one(due: float) -> None:
        conn = await free.get()
        try:
            path, body, draft = mix.next()
            status, payload = await _request(conn[0], conn[1], "POST", path, mix.key, body)
            mix.done(status, payload, draft)
            latencies.append((time.perf_counter() - due) * 1000)
        finally:
            free.put_nowait(conn)

    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    return latencies


def child_http_load(args: argparse.Namespace) -> None:
    affairs = args.affairs.split(",")
    mix = HttpMix(args.key, affairs)
    asyncio.run(_closed_loop(args.port, mix, args.conns, 1.0))  # warm-up
    peak = asyncio.run(_closed_loop(args.port, mix, args.conns, args.seconds))
    rate = 0.7 * peak
    latencies = asyncio.run(_open_loop(args.port, mix, rate, args.seconds, args.conns * 2))
    print(
        json.dumps(
            {
                "peak": peak,
                "rate": rate,
                "p50": pct(latencies, 50),
                "p99": pct(latencies, 99),
                "requests": len(latencies),
                "errors": mix.errors,
                "statuses": mix.statuses,
            }
        )
    )


def start_server(schema: str, duckdb_path: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    c = pg()
    env = {
        **os.environ,
        "COMPTOIR_EVENT_STORE": "postgres",
        "COMPTOIR_PG_HOST": c["host"],
        "COMPTOIR_PG_PORT": str(c["port"]),
        "COMPTOIR_PG_USER": c["user"],
        "COMPTOIR_PG_PASSWORD": c["password"],
        "COMPTOIR_PG_DBNAME": c["dbname"],
        "COMPTOIR_PG_SCHEMA": schema,
        "COMPTOIR_DUCKDB_PATH": str(duckdb_path),
        "COMPTOIR_SEALER": "off",
        "COMPTOIR_JOBS_INTERVAL_S": "1000000",
    }
    env.pop("COMPTOIR_REDIS_URL", None)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "interfaces.http.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def wait_ready(port: int, timeout: float = 600) -> None:
    """Wait until the server answers and its views have caught up with the log."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
            if health.status_code == 200:
                body = health.json()
                if body["view_position"] >= body["log_position"]:
                    return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the server did not become ready")


def query_latencies(
    port: int, key: str, n: int, as_of: bool, meta: dict[str, Any]
) -> list[tuple[str, float]]:
    """Sequential filtered queries over pipeline, budget-vs-actual, orders and audit."""
    import httpx

    rng = random.Random(7)
    base = f"http://127.0.0.1:{port}"
    headers = {"X-API-Key": key}
    timings: list[tuple[str, float]] = []
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        orders = client.get("/views/orders", params={"limit": 200}).json()
        items = orders.get("items", orders) if isinstance(orders, dict) else orders
        customers = [o["customer_id"] for o in items if o.get("customer_id")] or meta["customers"]
        affairs = [o["affair_id"] for o in items if o.get("affair_id")] or [str(uuid4())]
        end = START + timedelta(days=365 * 3)

        def moment() -> str:
            return (START + (end - START) * rng.random()).isoformat()

        choices: list[Callable[[], tuple[str, dict[str, Any]]]] = [
            lambda: (
                "/views/pipeline",
                {
                    "salesperson": rng.choice(["alice", "bruno", "chloe"]),
                    "zone": rng.choice(["north", "south", "east"]),
                },
            ),
            lambda: ("/views/pipeline", {"stage": rng.choice(["P", "E", "M", "B"]), "limit": 50}),
            lambda: ("/views/budget-vs-actual", {"affair_id": rng.choice(affairs)}),
            lambda: ("/views/budget-vs-actual", {"salesperson": "damien", "category": "labour"}),
            lambda: ("/views/orders", {"customer_id": rng.choice(customers)}),
            lambda: (
                "/views/orders",
                {"payment_status": rng.choice(["none", "partial", "paid"]), "limit": 50},
            ),
            lambda: ("/views/audit", {"document_id": rng.choice(affairs)}),
            lambda: ("/views/audit", {"event_type": "Quote.Sent", "limit": 50, "since": moment()}),
        ]
        if as_of:
            choices = [c for c in choices if "audit" not in c()[0]]
        for _ in range(3):  # warm-up
            path, params = rng.choice(choices)()
            client.get(path, params=params)
        for _ in range(n):
            path, params = rng.choice(choices)()
            if as_of:
                params["as_of"] = moment()
            started = time.perf_counter()
            response = client.get(path, params=params)
            kind = path + "?" + ",".join(sorted(k for k in params if k not in ("limit", "as_of")))
            timings.append((kind, (time.perf_counter() - started) * 1000))
            if response.status_code != 200:
                raise RuntimeError(f"{path} {params}: {response.status_code} {response.text[:200]}")
    return timings


def issue_key(app: Comptoir) -> str:
    secret, _ = app.access.issue(
        CommandContext(actor="bench", at=datetime.now(UTC), reason="benchmark"),
        user="bench",
        roles=["manager", "sales", "accountant", "auditor"],
        bootstrap=False,
    )
    return secret


def open_affairs(app: Comptoir, n: int) -> list[str]:
    ids = []
    for i in range(n):
        ids.append(
            str(
                app.affairs.open(
                    ctx("bench", False),
                    name=f"HTTP deal {i}",
                    customer_id=None,
                    prospect="HTTP prospect",
                    salesperson="bench",
                    currency="EUR",
                    expected_amount=Decimal(1000),
                    expected_close=None,
                    zone="north",
                    country="FR",
                    sale_type="product",
                    risk="low",
                    competitors=[],
                ).aggregate_id
            )
        )
    return ids


# -- the run ------------------------------------------------------------------------------


def alternate(reps: int, *runs: Callable[[], float]) -> list[list[float]]:
    results: list[list[float]] = [[] for _ in runs]
    for _ in range(reps):
        for i, run in enumerate(runs):
            results[i].append(run())
    return results


def main(args: argparse.Namespace) -> int:
    n = args.events or (100_000 if args.quick else 1_000_000)
    small_rss = n // 10
    growth_small = 10_000
    reps = 3
    cmd_s = 4.0 if args.quick else 8.0
    http_s = 5.0 if args.quick else 10.0
    threads = 8
    stamp = time.strftime("%Y%m%d%H%M%S")
    run_dir = BENCH_DIR / f"run-{stamp}"
    run_dir.mkdir(parents=True, exist_ok=True)
    prefix = f"bench_{stamp}"
    big, small, bare, raw = (f"{prefix}_{s}" for s in ("big", "small", "bare", "raw"))
    schemas = [big, small, bare, raw]
    started_run = time.perf_counter()
    LOAD_AT_START.extend(os.getloadavg())
    say(f"benchmark: {n:,} events, schemas {prefix}_*, files in {run_dir.relative_to(ROOT)}")
    with admin_conn() as conn:
        for s in schemas:
            conn.execute(f"DROP SCHEMA IF EXISTS {s} CASCADE")
            conn.execute(f"CREATE SCHEMA {s}")
        conn.execute(f"CREATE TABLE {raw}.raw_commits (id bigserial PRIMARY KEY, payload bytea)")
    server: subprocess.Popen[bytes] | None = None
    try:
        dump, meta = dataset(n, args.seed)

        # 1. bulk load -------------------------------------------------------------------
        app_big = comptoir(big)
        loaded = import_events(app_big, read_dump(dump), sequences=meta["sequences"])
        say(f"bulk import: {loaded.count:,} events in {loaded.seconds:.1f} s")
        record(
            "bulk_load_events_per_s",
            Figure(loaded.per_second, "events/s", note=f"({loaded.count:,} events, COPY)"),
        )
        app_small = comptoir(small)
        import_events(app_small, islice(read_dump(dump), growth_small))

        # 2. log reading vs projection, and the projector's memory -----------------------
        say("projection: raw log reads alternating with full rebuilds (child processes)")
        rebuild_reps = 2 if args.quick else 1
        rebuilt: list[dict[str, Any]] = []
        views_path = run_dir / "views.duckdb"

        def rebuild_run() -> float:
            target = run_dir / f"rebuild-{len(rebuilt)}.duckdb"
            result = run_child("rebuild", "--schema", big, "--target", str(target))
            rebuilt.append(result)
            if views_path.exists():
                views_path.unlink()
            target.rename(views_path)
            return float(result["events"]) / float(result["seconds"])

        raws, projs = alternate(rebuild_reps, lambda: raw_log_read(big), rebuild_run)
        raws.append(raw_log_read(big))
        raw_rate = statistics.median(raws)
        proj_rate = statistics.median(projs)
        record("raw_log_read_per_s", Figure(raw_rate, "events/s"))
        record(
            "projection_events_per_s",
            Figure(
                proj_rate,
                "events/s",
                raw_rate,
                "raw_log_read_per_s",
                ">= 100,000/s and ratio >= 0.35",
            ),
        )
        rebuild_s = statistics.median(float(r["seconds"]) for r in rebuilt)
        projected_1m = rebuild_s * 1_000_000 / n
        record(
            "rebuild_1m_s",
            Figure(
                rebuild_s if n >= 1_000_000 else projected_1m,
                "s",
                target="<= 15 s",
                note=""
                if n >= 1_000_000
                else f"(extrapolated from {rebuild_s:.1f} s for {n:,} events)",
            ),
        )
        small_run = run_child(
            "rebuild",
            "--schema",
            big,
            "--target",
            str(run_dir / "rebuild-small.duckdb"),
            "--until",
            str(small_rss),
        )
        (run_dir / "rebuild-small.duckdb").unlink(missing_ok=True)
        peak = max(float(r["VmHWM"]) for r in rebuilt)
        record(
            "projector_peak_rss_mb",
            Figure(
                peak,
                "MB",
                float(small_run["VmHWM"]),
                f"peak RSS over {small_rss:,}",
                "<= 512 MB and ratio <= 1.5",
            ),
        )
        if args.profile:
            say("profiling the projector over 20,000 events")
            run_child(
                "rebuild",
                "--schema",
                big,
                "--target",
                str(run_dir / "rebuild-prof.duckdb"),
                "--until",
                "20000",
                "--profile-out",
                str(run_dir / "profile-projector.txt"),
            )
            (run_dir / "rebuild-prof.duckdb").unlink(missing_ok=True)

        # 3. aggregate loads -------------------------------------------------------------
        say("aggregate loads: an affair with 10,000 events")
        hot = hot_affair(app_big, 10_000)
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

        # 4. commands --------------------------------------------------------------------
        say(f"commands: {threads} threads, {cmd_s:.0f} s per run, {reps} alternating reps")
        bare_application = bare_app(bare)
        raw_r, cmd_r, bare_r = alternate(
            reps,
            lambda: raw_commits(raw, threads, cmd_s),
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
            lambda: 1000 / comptoir_commands(app_small, 1, cmd_s / 2, f"gs{time.time_ns()}"),
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
                note=f"({statistics.median(big_s):.2f} ms per command with {n:,} events)",
                fixed_ratio=growth,
            ),
        )
        if args.profile:
            client = MixClient(app_big, f"prof{time.time_ns()}", 99)
            profiler = cProfile.Profile()
            deadline = time.perf_counter() + 3.0
            profiler.enable()
            while time.perf_counter() < deadline:
                client.cycle()
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
            out.write("\n---- by own time ----\n")
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
            (run_dir / "profile-commands.txt").write_text(out.getvalue())
        app_small.close()

        say("view lag: commands with the in-process projector following")
        lag_p99, lag_rate, lag_n = view_lag(big, views_path, threads, cmd_s)
        record(
            "view_lag_p99_ms",
            Figure(
                lag_p99,
                "ms",
                target="<= 1,000 ms",
                note=f"({lag_n:,} commits sampled at {lag_rate:,.0f} commands/s)",
            ),
        )

        # 5. HTTP ------------------------------------------------------------------------
        say("HTTP: uvicorn server, load from a separate process")
        key = issue_key(app_big)
        affairs = open_affairs(app_big, 64)
        app_big.close()
        port = free_port()
        server = start_server(big, views_path, port, run_dir / "server.log")
        wait_ready(port)
        load = run_child(
            "http-load",
            "--port",
            str(port),
            "--key",
            key,
            "--affairs",
            ",".join(affairs),
            "--seconds",
            str(http_s),
            "--conns",
            "16",
        )
        say(f"  HTTP statuses {load['statuses']}")
        record(
            "http_commands_per_s",
            Figure(
                load["peak"],
                "requests/s",
                target=">= 1,000/s",
                note=f"(closed loop, 16 connections; {load['errors']} errors)",
            ),
        )
        record(
            "http_p50_ms",
            Figure(load["p50"], "ms", note=f"(open loop at {load['rate']:,.0f}/s = 70 % of peak)"),
        )
        record("http_p99_ms", Figure(load["p99"], "ms", target="<= 25 ms"))
        say("queries over the read model (sequential, through HTTP)")
        for name, count, as_of, target in (
            ("query_p99_ms", 200 if args.quick else 400, False, "<= 20 ms"),
            ("as_of_query_p99_ms", 100 if args.quick else 200, True, "<= 50 ms"),
        ):
            q = query_latencies(port, key, count, as_of, meta)
            ms = [t for _, t in q]
            kinds = sorted({k for k, _ in q})
            per_kind = {k: pct([t for kk, t in q if kk == k], 99) for k in kinds}
            slowest = max(per_kind, key=lambda k: per_kind[k])
            QUERY_BREAKDOWN[name] = per_kind
            record(
                name,
                Figure(
                    pct(ms, 99),
                    "ms",
                    target=target,
                    note=f"(p50 {pct(ms, 50):.1f} ms; slowest {slowest} "
                    f"p99 {per_kind[slowest]:.1f} ms)",
                ),
            )
        server_mem = vm(server.pid)
        record(
            "server_rss_mb",
            Figure(
                server_mem["VmRSS"],
                "MB",
                target="<= 512 MB",
                note=f"(peak {server_mem['VmHWM']:.0f} MB)",
            ),
        )
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        if not args.keep:
            with admin_conn() as conn:
                for s in schemas:
                    conn.execute(f"DROP SCHEMA IF EXISTS {s} CASCADE")
            for f in run_dir.glob("*.duckdb*"):
                f.unlink()
    judge()
    report(n, run_dir, time.perf_counter() - started_run, args)
    return 0


def judge() -> None:
    f = FIGURES

    def at(name: str) -> Figure | None:
        return f.get(name)

    checks: dict[str, Callable[[Figure], bool]] = {
        "commands_per_s": lambda x: (x.ratio or 0) >= 0.40,
        "commands_vs_bare_library": lambda x: x.value >= 3,
        "http_commands_per_s": lambda x: x.value >= 1000,
        "http_p99_ms": lambda x: x.value <= 25,
        "projection_events_per_s": lambda x: x.value >= 100_000 and (x.ratio or 0) >= 0.35,
        "rebuild_1m_s": lambda x: x.value <= 15,
        "aggregate_load_ms": lambda x: x.value <= 2,
        "as_of_load_ms": lambda x: x.value <= 20,
        "query_p99_ms": lambda x: x.value <= 20,
        "as_of_query_p99_ms": lambda x: x.value <= 50,
        "command_cost_growth": lambda x: x.value <= 1.2,
        "view_lag_p99_ms": lambda x: x.value <= 1000,
        "projector_peak_rss_mb": lambda x: x.value <= 512 and (x.ratio or 0) <= 1.5,
        "server_rss_mb": lambda x: x.value <= 512,
    }
    for name, check in checks.items():
        fig = at(name)
        if fig is not None:
            fig.met = check(fig)


def versions() -> dict[str, str]:
    from importlib.metadata import version

    out = {"python": platform.python_version()}
    for pkg in ("eventsourcing", "duckdb", "psycopg", "fastapi", "uvicorn"):
        out[pkg] = version(pkg)
    with admin_conn() as conn:
        row = conn.execute("SHOW server_version").fetchone()
        out["postgres"] = str(row[0]) if row else "?"
    return out


def machine() -> dict[str, Any]:
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "loadavg_at_start": LOAD_AT_START,
        "loadavg_at_end": list(os.getloadavg()),
    }


def report(n: int, run_dir: Path, seconds: float, args: argparse.Namespace) -> None:
    rows = []
    for name, fig in FIGURES.items():
        ratio = "" if fig.ratio is None else f"{fig.ratio:.3f}"
        base = "" if fig.baseline is None else f"{fig.baseline:,.2f}"
        met = {True: "yes", False: "NO", None: ""}[fig.met]
        rows.append((name, f"{fig.value:,.2f}", fig.unit, base, ratio, fig.target, met, fig.note))
    head = ("figure", "value", "unit", "baseline", "ratio", "target", "met", "note")
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    lines = [
        " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in [head, *rows]
    ]
    table = "\n".join([lines[0], "-" * len(lines[0]), *lines[1:]])
    print()
    print(table)
    md = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    md += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    document = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "events": n,
        "seed": args.seed,
        "seconds": round(seconds, 1),
        "machine": machine(),
        "query_p99_ms_by_kind": QUERY_BREAKDOWN,
        "cpu_ms": CPU_MS,
        "versions": versions(),
        "figures": {
            name: {
                "value": fig.value,
                "unit": fig.unit,
                "baseline": fig.baseline,
                "ratio": fig.ratio,
                "baseline_name": fig.baseline_name,
                "target": fig.target,
                "met": fig.met,
                "note": fig.note,
            }
            for name, fig in FIGURES.items()
        },
    }
    text = json.dumps(document, indent=2)
    (BENCH_DIR / "latest.json").write_text(text)
    (run_dir / "result.json").write_text(text)
    (run_dir / "table.md").write_text("\n".join(md) + "\n")
    where = run_dir.relative_to(ROOT)
    say(f"done in {seconds:.0f} s; var/bench/latest.json and {where}/table.md written")


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    p.add_argument("--quick", action="store_true", help="100,000 events (under 5 minutes)")
    p.add_argument("--events", type=int, help="dataset size (default 1,000,000; --quick 100,000)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--keep", action="store_true", help="keep the Postgres schemas and DuckDB files")
    p.add_argument(
        "--profile",
        action="store_true",
        help="also write cProfile reports of the projector and commands",
    )
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--schema", help=argparse.SUPPRESS)
    p.add_argument("--target", help=argparse.SUPPRESS)
    p.add_argument("--profile-out", help=argparse.SUPPRESS)
    p.add_argument("--until", type=int, help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, help=argparse.SUPPRESS)
    p.add_argument("--key", help=argparse.SUPPRESS)
    p.add_argument("--affairs", help=argparse.SUPPRESS)
    p.add_argument("--seconds", type=float, default=5.0, help=argparse.SUPPRESS)
    p.add_argument("--conns", type=int, default=16, help=argparse.SUPPRESS)
    return p.parse_args()


if __name__ == "__main__":
    arguments = parse()
    if arguments.child == "rebuild":
        child_rebuild(arguments)
    elif arguments.child == "http-load":
        child_http_load(arguments)
    else:
        sys.exit(main(arguments))
