"""Scaling of a command node: `comptoir serve --role command` with one worker, then two.

`http_scaling_2_workers` is the command load of `http_commands_per_s` (web.py's
generator: closed loop, 16 keep-alive connections, the same duration and mix: draft a
quote, add a line to a drafted one, log time) against a command node with `--workers 2`
÷ the same against `--workers 1`. A command node keeps no views (no projector, no DuckDB
file), so the processes share nothing but Postgres and the only question is whether a
second process turns into requests. It runs on the run's small store, which no server
follows (the product server on the big store would project the load's events and take
the CPU it measures); the command cost hardly depends on the store's size
(`command_cost_growth`). With `--workers 1` the app runs in the serving process itself,
with `--workers 2` under uvicorn's supervisor, as `comptoir serve` does. Both nodes run
side by side and the loads alternate between them (medians of the reps). The load
generator, Postgres and the servers share the machine's cores, so the note gives the
cores each side used: on two cores the ratio is bounded well below 2.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmark.common import ROOT, Figure, Run, comptoir, record, say
from benchmark.peer import closed_load, wait_listening
from benchmark.web import free_port, issue_key, open_affairs, server_env

WORKERS = (1, 2)


def start_node(
    schema: str, role: str, workers: int, port: int, views: Path, log: Path
) -> subprocess.Popen[bytes]:
    """`comptoir serve --role <role> --workers N` on `schema` with `views` as its DuckDB
    file, in its own process group (its workers are in it: stopped with it)."""
    command = Path(sys.executable).with_name("comptoir")
    address = ["--host", "127.0.0.1", "--port", str(port)]
    return subprocess.Popen(
        [str(command), "serve", "--role", role, "--workers", str(workers), *address],
        cwd=ROOT,
        env=server_env(schema, views),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def start_command_node(
    schema: str, workers: int, port: int, run_dir: Path
) -> subprocess.Popen[bytes]:
    """`comptoir serve --role command --workers N` on `schema`."""
    views, log = run_dir / "command-node.duckdb", run_dir / f"command-node-{workers}.log"
    return start_node(schema, "command", workers, port, views, log)


def stop(node: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the node's process group (the supervisor and its workers), then wait."""
    try:
        os.killpg(node.pid, signal.SIGTERM)
        node.wait(timeout=30)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(node.pid, signal.SIGKILL)
        node.wait()


def node_load(run: Run, workers: int, port: int, pid: int, key: str, ids: str) -> dict[str, Any]:
    """One closed loop of the HTTP command mix against the node with `workers` processes."""
    load = closed_load(run, port, pid, "--key", key, "--affairs", ids)
    say(
        f"  {workers} worker(s): {load['peak']:,.0f} requests/s; server {load['server_cores']:.2f}"
        f" cores ({load['server_ms']:.2f} ms/request), load {load['loader_cores']:.2f} cores, "
        f"machine {load['machine_cores']:.2f} cores busy; statuses {load['statuses']}"
    )
    return load


def measure_scaling(run: Run) -> None:
    """5c. A command node with two workers against one, under the HTTP command load.

    Both nodes run side by side (an idle command node does nothing) and the loads alternate
    between them, so a busy minute on the machine falls on both; medians of the reps."""
    reps = 2 if run.args.quick else 3
    say(f"command node scaling: --workers 1 vs 2 on the small store, {reps} alternating reps")
    app = comptoir(run.small)
    try:
        key = issue_key(app)
        ids = ",".join(open_affairs(app, 64))
    finally:
        app.close()
    nodes: dict[int, tuple[int, subprocess.Popen[bytes]]] = {}
    loads: dict[int, list[dict[str, Any]]] = {w: [] for w in WORKERS}
    try:
        for workers in WORKERS:  # one after the other: neither starts while the other does
            port = free_port()
            nodes[workers] = port, start_command_node(run.small, workers, port, run.run_dir)
            wait_listening(port, "/health")
        for rep in range(reps):
            for workers in WORKERS if rep % 2 == 0 else WORKERS[::-1]:
                port, node = nodes[workers]
                loads[workers].append(node_load(run, workers, port, node.pid, key, ids))
    finally:
        for _, node in nodes.values():
            stop(node)

    def median(workers: int, what: str) -> float:
        return statistics.median(float(x[what]) for x in loads[workers])

    one, two = median(1, "peak"), median(2, "peak")
    ratio = two / one if one else float("nan")
    errors = sum(int(x["errors"]) for w in WORKERS for x in loads[w])

    def both(what: str, digits: int) -> str:
        return f"{median(1, what):.{digits}f} → {median(2, what):.{digits}f}"

    record(
        "http_scaling_2_workers",
        Figure(
            ratio,
            "x",
            one,
            "command node, 1 worker, requests/s",
            ">= 1.3",
            fixed_ratio=ratio,
            note=f"(2 workers {two:,.0f}/s, medians of {reps}; server cores "
            f"{both('server_cores', 2)}, CPU ms/request {both('server_ms', 2)}; load cores "
            f"{both('loader_cores', 2)}; machine busy {both('machine_cores', 1)} of "
            f"{os.cpu_count()} cores; {errors} errors)",
        ),
    )
