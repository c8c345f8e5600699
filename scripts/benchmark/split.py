"""The reference topology on one machine: a command node and a query node on the big store.

The all-in-one server of `http_commands_per_s` folds the views in the process that takes
the commands; README "Running on several machines" splits them. This phase runs that
split on the 1M-event store: `comptoir serve --role command` (one worker, no views) and
`comptoir serve --role query` following the log into the run's views file (the product
server had brought it up to date, so the query node starts caught up). The load child
drives the HTTP command mix at the command node — a closed loop for its peak, then an
open loop at 70 % of that peak — and, during the open loop, polls the query node's
`/health` every 5 ms: a command's view lag is the time from its answer to the first poll
whose `view_position` covers the position the answer gave (the answer comes a little
after the commit, so the lag is, if anything, under-stated by one response's travel).

- `split_http_commands_per_s`: the command node's closed-loop peak (16 connections), with
  `crud_peer_http_per_s` of this run as the baseline;
- `split_http_p99_ms`: latency at 70 % of that peak, from the scheduled time;
- `split_view_lag_p99_ms`: the lag above, the issue's target for view lag (≤ 250 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import time
from pathlib import Path

from benchmark.common import FIGURES, Figure, Run, pct, record, run_child, say
from benchmark.peer import wait_listening
from benchmark.scaling import start_node, stop
from benchmark.web import (
    HttpMix,
    _open_loop,
    _request,
    closed_peak,
    free_port,
    load_summary,
    wait_ready,
)

POLL_S = 0.005


class LagWatch:
    """Positions answered, and when the query node first showed each one."""

    def __init__(self) -> None:
        self.answered: list[tuple[int, float]] = []
        self.lags: list[float] = []
        self._next = 0

    def seen(self, position: int, now: float) -> None:
        while self._next < len(self.answered) and self.answered[self._next][0] <= position:
            self.lags.append((now - self.answered[self._next][1]) * 1000)
            self._next += 1


class WatchedMix(HttpMix):
    """The command mix, noting each answer's log position and the time it came."""

    def __init__(self, key: str, affairs: list[str], watch: LagWatch | None) -> None:
        super().__init__(key, affairs)
        self.watch = watch

    def done(self, status: int, payload: bytes, is_draft: bool) -> None:
        super().done(status, payload, is_draft)
        if self.watch is not None and status < 300:
            position = json.loads(payload).get("position")
            if position is not None:
                self.watch.answered.append((int(position), time.perf_counter()))


async def _open_loop_watched(
    port: int, query_port: int, mix: WatchedMix, rate: float, seconds: float, conns: int
) -> list[float]:
    """The open loop of web.py, with the query node polled meanwhile."""
    watch = mix.watch
    assert watch is not None
    finished = asyncio.Event()

    async def poll() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", query_port)
        while not finished.is_set() or len(watch.lags) < len(watch.answered):
            _, body = await _request(reader, writer, "GET", "/health", mix.key, b"")
            watch.seen(int(json.loads(body)["view_position"]), time.perf_counter())
            await asyncio.sleep(POLL_S)
        writer.close()

    async def load() -> list[float]:
        try:
            return await _open_loop(port, mix, rate, seconds, conns)
        finally:
            finished.set()

    poller = asyncio.create_task(poll())
    latencies = await load()
    await asyncio.wait_for(poller, timeout=60)
    return latencies


def child_split_load(args: argparse.Namespace) -> None:
    mix = WatchedMix(args.key, args.affairs.split(","), None)
    peak = closed_peak(args.port, mix, args.conns, args.seconds)
    rate = 0.7 * peak
    watch = mix.watch = LagWatch()
    latencies = asyncio.run(
        _open_loop_watched(args.port, args.query_port, mix, rate, args.seconds, args.conns * 2)
    )
    lags = {"lag_p50": pct(watch.lags, 50), "lag_p99": pct(watch.lags, 99), "lags": len(watch.lags)}
    print(json.dumps(load_summary(peak, rate, latencies, mix) | lags))


def measure_split(run: Run) -> None:
    """9. The command and query roles in their own processes on the big store."""
    say("split topology: a command node and a query node on the big store")
    if run.server is not None:  # the all-in-one server holds the views file
        run.server.terminate()
        run.server.wait(timeout=60)
        run.server = None
    views = run.run_dir / "query-node.duckdb"
    for suffix in ("", ".wal"):
        if Path(f"{run.views_path}{suffix}").exists():
            shutil.copy(f"{run.views_path}{suffix}", f"{views}{suffix}")
    command_port, query_port = free_port(), free_port()
    query = start_node(run.big, "query", 1, query_port, views, run.run_dir / "query-node.log")
    command = start_node(
        run.big,
        "command",
        1,
        command_port,
        run.run_dir / "command-split.duckdb",
        run.run_dir / "command-split.log",
    )
    try:
        wait_ready(query_port, run.key)
        wait_listening(command_port, "/health")
        load = run_child(
            "split-load",
            "--port", str(command_port),
            "--query-port", str(query_port),
            "--key", run.key,
            "--affairs", ",".join(run.affairs),
            "--seconds", str(run.http_s),
            "--conns", "16",
        )  # fmt: skip
    finally:
        stop(command)
        stop(query)
    say(f"  split statuses {load['statuses']}")
    peer = FIGURES.get("crud_peer_http_per_s")
    record(
        "split_http_commands_per_s",
        Figure(
            load["peak"],
            "requests/s",
            None if peer is None else peer.value,
            "crud_peer_http_per_s",
            ">= 0.6 x CRUD peer",
            note=f"(command node, 1 worker; closed loop, 16 connections; {load['errors']} errors)",
        ),
    )
    record(
        "split_http_p99_ms",
        Figure(
            load["p99"],
            "ms",
            target="<= 25 ms",
            note=f"(p50 {load['p50']:.1f} ms; open loop at {load['rate']:,.0f}/s = 70 % of peak)",
        ),
    )
    record(
        "split_view_lag_p99_ms",
        Figure(
            load["lag_p99"],
            "ms",
            target="<= 250 ms",
            note=f"(p50 {load['lag_p50']:.0f} ms; {load['lags']:,} answers at "
            f"{load['rate']:,.0f}/s; query node polled every {POLL_S * 1000:.0f} ms)",
        ),
    )
