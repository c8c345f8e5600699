"""HTTP: the uvicorn server on the big store, and the command load from a separate process."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections import deque
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from application.app import Comptoir
from application.journal import CommandContext
from benchmark.commands import ctx
from benchmark.common import ROOT, Figure, Run, pct, pg, record, run_child, say


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


def closed_peak(port: int, mix: HttpMix, conns: int, seconds: float) -> float:
    """A warm-up second, then the closed loop's requests/s."""
    asyncio.run(_closed_loop(port, mix, conns, 1.0))
    return asyncio.run(_closed_loop(port, mix, conns, seconds))


def load_summary(peak: float, rate: float, latencies: list[float], mix: HttpMix) -> dict[str, Any]:
    """What a load child prints: the peak, the open loop's rate and latencies, the answers."""
    return {
        "peak": peak,
        "rate": rate,
        "p50": pct(latencies, 50),
        "p99": pct(latencies, 99),
        "requests": len(latencies),
        "errors": mix.errors,
        "statuses": mix.statuses,
    }


def child_http_load(args: argparse.Namespace) -> None:
    mix = HttpMix(args.key, args.affairs.split(","))
    peak = closed_peak(args.port, mix, args.conns, args.seconds)
    rate = 0.7 * peak
    latencies = asyncio.run(_open_loop(args.port, mix, rate, args.seconds, args.conns * 2))
    print(json.dumps(load_summary(peak, rate, latencies, mix)))


def server_env(schema: str, duckdb_path: Path) -> dict[str, str]:
    """A server's environment on the bench's Postgres `schema`: no sealer, no scheduled
    jobs, no Redis (what the figures leave out)."""
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
    return env


def uvicorn_server(
    factory: str, port: int, log: Path, env: dict[str, str], *options: str
) -> subprocess.Popen[bytes]:
    """uvicorn serving the app `factory` makes on 127.0.0.1:`port`, its output in `log`."""
    address = ["--host", "127.0.0.1", "--port", str(port)]
    quiet = ["--log-level", "warning", "--no-access-log"]
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", factory, "--factory", *options, *address, *quiet],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def start_server(schema: str, duckdb_path: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = server_env(schema, duckdb_path)
    return uvicorn_server("interfaces.asgi:create_app_from_env", port, log, env)


def wait_ready(port: int, key: str, timeout: float = 600) -> None:
    """Wait until the server answers and its views have caught up with the log."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            # the positions are shown to a key only
            health = httpx.get(
                f"http://127.0.0.1:{port}/health", headers={"X-API-Key": key}, timeout=2
            )
            if health.status_code == 200:
                body = health.json()
                if body["view_position"] >= body["log_position"]:
                    return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the server did not become ready")


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


def measure_http(run: Run) -> None:
    """5. HTTP: the server started on the big store (left in `run.server`), its command load."""
    say("HTTP: uvicorn server, load from a separate process")
    run.key = issue_key(run.app_big)
    affairs = run.affairs = open_affairs(run.app_big, 64)
    run.app_big.close()
    run.port = free_port()
    run.server = start_server(run.big, run.views_path, run.port, run.run_dir / "server.log")
    wait_ready(run.port, run.key)
    load = run_child(
        "http-load",
        "--port",
        str(run.port),
        "--key",
        run.key,
        "--affairs",
        ",".join(affairs),
        "--seconds",
        str(run.http_s),
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
