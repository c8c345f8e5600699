"""The CRUD peer: the simplest service that takes a quote line over HTTP, as a baseline.

`crud_peer_http_per_s` is what a bare FastAPI app does on this machine: one POST endpoint
whose pydantic body is a quote line (quote, description, quantity, unit price, VAT rate),
one INSERT + COMMIT through a psycopg_pool connection pool (the product's default size)
into a table of the run's raw schema, a synchronous route like the product's, served by
uvicorn with the product server's options (uvicorn picks httptools and uvloop by itself)
and driven by the load generator of `http_commands_per_s` (closed loop, 16 keep-alive
connections, the same duration). `http_vs_crud_peer` = http_commands_per_s ÷ this: the
share of a plain CRUD service's throughput the product keeps while it also checks an API
key, loads and saves an event-sourced aggregate, journals the command and appends to the
log. The peer is measured once the product's projector has caught up with the HTTP load,
so neither server works while the other is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, status
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg_pool import ConnectionPool
from pydantic import BaseModel, Field

from benchmark.common import (
    CPU_MS,
    FIGURES,
    ROOT,
    Figure,
    Run,
    admin_conn,
    pg,
    record,
    run_child,
    say,
)
from benchmark.queries import projector_settled
from benchmark.web import HttpMix, _closed_loop, free_port, uvicorn_server
from interfaces.settings import Settings

SCHEMA_ENV = "BENCH_PEER_SCHEMA"
POOL_ENV = "BENCH_PEER_POOL"
TABLE = "peer_lines"


class QuoteLine(BaseModel):
    """The request body: a line of a quote, validated as the product's own line is."""

    quote: str = Field(min_length=1, max_length=64)
    description: str = Field(min_length=1, max_length=500)
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)
    unit_price: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    vat_rate: Decimal = Field(ge=0, le=100, max_digits=5, decimal_places=2)


def create_peer_app() -> FastAPI:
    """The peer's app (a uvicorn factory): schema and pool size from the environment."""
    schema = os.environ[SCHEMA_ENV]
    size = int(os.environ[POOL_ENV])
    pool = ConnectionPool(make_conninfo(**pg()), min_size=size, max_size=size, open=False)
    insert = sql.SQL(
        "INSERT INTO {}.{} (quote, description, quantity, unit_price, vat_rate)"
        " VALUES (%s, %s, %s, %s, %s) RETURNING id"
    ).format(sql.Identifier(schema), sql.Identifier(TABLE))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        pool.open(wait=True)
        try:
            yield
        finally:
            pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.post("/lines", status_code=status.HTTP_201_CREATED)
    def add_line(line: QuoteLine) -> dict[str, int]:
        # leaving the block commits the transaction the INSERT opened
        with pool.connection() as conn:
            row = conn.execute(
                insert,
                (line.quote, line.description, line.quantity, line.unit_price, line.vat_rate),
            ).fetchone()
        if row is None:
            raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, "no id returned")
        return {"id": int(row[0])}

    return app


class PeerMix(HttpMix):
    """Every request adds a quote line to the peer, with the product's line body."""

    def __init__(self) -> None:
        super().__init__("", [])

    def next(self) -> tuple[str, bytes, bool]:
        self.i += 1
        body = {
            "quote": f"Q-{self.i % 5000}",
            "description": "Scanner",
            "quantity": "2",
            "unit_price": "89.90",
            "vat_rate": "20",
        }
        return "/lines", json.dumps(body).encode(), False


def child_closed_loop(args: argparse.Namespace) -> None:
    """`child_http_load`'s closed loop alone: a warm-up second, then the run; the product's
    command mix when given affairs, else the peer's lines. Prints the peak, the requests
    sent and this process's own wall and CPU seconds over both loops."""
    mix = HttpMix(args.key, args.affairs.split(",")) if args.affairs else PeerMix()
    wall, cpu, machine = time.perf_counter(), time.process_time(), machine_jiffies()
    asyncio.run(_closed_loop(args.port, mix, args.conns, 1.0))  # warm-up
    peak = asyncio.run(_closed_loop(args.port, mix, args.conns, args.seconds))
    answer = {
        "peak": peak,
        "requests": mix.i,
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
        "machine_cores": busy_cores(machine, machine_jiffies()),
        "errors": mix.errors,
        "statuses": mix.statuses,
    }
    print(json.dumps(answer))


def machine_jiffies() -> tuple[int, int]:
    """(busy, total) clock ticks of all the machine's CPUs since boot, from /proc/stat."""
    ticks = [int(t) for t in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = ticks[3] + ticks[4]  # idle and iowait; guest time is counted in user already
    return sum(ticks) - idle, sum(ticks)


def busy_cores(before: tuple[int, int], after: tuple[int, int]) -> float:
    """How many of the machine's cores were busy between two `machine_jiffies()`."""
    total = after[1] - before[1]
    return (os.cpu_count() or 1) * (after[0] - before[0]) / total if total else 0.0


def closed_load(run: Run, port: int, pid: int, *product: str) -> dict[str, Any]:
    """The closed loop against the server `pid` (its processes included) listening on `port`,
    with the CPU it took: ms per request and cores, for the server and the load child.
    `product` is ("--key", key, "--affairs", ids) for the product's command mix."""
    before = tree_cpu_s(pid)
    load = run_child(
        "closed-loop", "--port", str(port), "--seconds", str(run.http_s), "--conns", "16", *product
    )
    server = tree_cpu_s(pid) - before  # the server idles while the child starts
    requests = max(int(load["requests"]), 1)
    load["server_ms"] = 1000 * server / requests
    load["server_cores"] = server / load["wall_s"]
    load["loader_ms"] = 1000 * load["cpu_s"] / requests
    load["loader_cores"] = load["cpu_s"] / load["wall_s"]
    return load


def tree_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a live process and its live descendants, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        p = pending.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{p}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def wait_listening(port: int, path: str, timeout: float = 300) -> None:
    """Wait until a GET of `path` answers 200. A worker's first answer may take seconds on a
    busy machine (imports, the services built), and uvicorn's supervisor respawns a worker
    that misses its 5-s health check while it starts: hence the patience."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}{path}", timeout=60).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port}")


def start_peer(schema: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    """uvicorn serving the peer with the options `start_server` gives the product."""
    pool = Settings.model_fields["pg_pool_size"].default
    env = {**os.environ, SCHEMA_ENV: schema, POOL_ENV: str(pool)}
    factory = "benchmark.peer:create_peer_app"
    return uvicorn_server(factory, port, log, env, "--app-dir", str(ROOT / "scripts"))


def measure_peer(run: Run) -> None:
    """5b. The CRUD peer under the load of `http_commands_per_s`, and the product's ratio."""
    settled = projector_settled(run.port, run.key)
    say(f"CRUD peer: bare FastAPI + psycopg_pool INSERT (product views settled in {settled:.1f} s)")
    with admin_conn() as conn:
        conn.execute(
            sql.SQL(
                "CREATE TABLE {}.{} (id bigserial PRIMARY KEY, quote text NOT NULL,"
                " description text NOT NULL, quantity numeric NOT NULL,"
                " unit_price numeric NOT NULL, vat_rate numeric NOT NULL,"
                " created_at timestamptz NOT NULL DEFAULT now())"
            ).format(sql.Identifier(run.raw), sql.Identifier(TABLE))
        )
    port = free_port()
    server = start_peer(run.raw, port, run.run_dir / "peer.log")
    try:
        wait_listening(port, "/openapi.json")
        load = closed_load(run, port, server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    say(f"  CRUD peer statuses {load['statuses']}")
    CPU_MS["crud_peer_server_per_request"] = load["server_ms"]
    CPU_MS["crud_peer_loader_per_request"] = load["loader_ms"]
    peak = float(load["peak"])
    record(
        "crud_peer_http_per_s",
        Figure(
            peak,
            "requests/s",
            note=f"(closed loop, 16 connections; {load['errors']} errors; CPU per request: "
            f"server {load['server_ms']:.2f} ms, load {load['loader_ms']:.2f} ms; "
            f"machine {load['machine_cores']:.1f} of {os.cpu_count()} cores busy)",
        ),
    )
    product = FIGURES.get("http_commands_per_s")
    if product is None:
        return
    product.baseline, product.baseline_name = peak, "crud_peer_http_per_s"
    ratio = product.value / peak if peak else float("nan")
    record(
        "http_vs_crud_peer",
        Figure(
            ratio,
            "x",
            peak,
            "crud_peer_http_per_s",
            ">= 0.6",
            note="(http_commands_per_s ÷ crud_peer_http_per_s)",
            fixed_ratio=ratio,
        ),
    )
