"""Queries over the read model, sequential through HTTP, and the server's memory after all."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import uuid4

from adapters.bulk.generator import START
from benchmark.common import QUERY_BREAKDOWN, Figure, Run, pct, record, say, vm


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


def projector_settled(port: int, key: str, timeout: float = 300) -> float:
    """Seconds until the server's views reached its log position (the HTTP load's events)."""
    import httpx

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        health = httpx.get(
            f"http://127.0.0.1:{port}/health", headers={"X-API-Key": key}, timeout=30
        ).json()
        if health["view_position"] >= health["log_position"]:
            break
        time.sleep(0.2)
    return time.perf_counter() - started


def measure_queries(run: Run) -> None:
    """5. (continued) Queries through the server `measure_http` started, then its memory.

    They start once the projector has caught up with the HTTP load, so the figures are the
    queries' own cost on the read model; the view lag figure is the one under load.
    """
    assert run.server is not None
    settled = projector_settled(run.port, run.key)
    say(f"queries over the read model (sequential, through HTTP; views settled in {settled:.1f} s)")
    for name, count, as_of, target in (
        ("query_p99_ms", 200 if run.args.quick else 400, False, "<= 20 ms"),
        ("as_of_query_p99_ms", 100 if run.args.quick else 200, True, "<= 50 ms"),
    ):
        q = query_latencies(run.port, run.key, count, as_of, run.meta)
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
                f"p99 {per_kind[slowest]:.1f} ms; views settled {settled:.1f} s before)",
            ),
        )
    server_mem = vm(run.server.pid)
    record(
        "server_rss_mb",
        Figure(
            server_mem["VmRSS"],
            "MB",
            target="<= 512 MB",
            note=f"(peak {server_mem['VmHWM']:.0f} MB)",
        ),
    )
