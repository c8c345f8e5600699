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
with `--workers 2` under uvicorn's supervisor, as `comptoir serve` does. The load
generator, Postgres and the servers share the machine's cores, so the note gives the
cores each side used: on two cores the ratio is bounded well below 2.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmark.common import ROOT, Figure, Run, comptoir, pg, record, say
from benchmark.peer import closed_load, wait_listening
from benchmark.web import free_port, issue_key, open_affairs

WORKERS = (1, 2)


def start_command_node(
    schema: str, workers: int, port: int, run_dir: Path
) -> subprocess.Popen[bytes]:
    """`comptoir serve --role command --workers N` on `schema`, in its own process group."""
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
        "COMPTOIR_DUCKDB_PATH": str(run_dir / "command-node.duckdb"),
        "COMPTOIR_SEALER": "off",
        "COMPTOIR_JOBS_INTERVAL_S": "1000000",
    }
    env.pop("COMPTOIR_REDIS_URL", None)
    command = Path(sys.executable).with_name("comptoir")
    log = run_dir / f"command-node-{workers}.log"
    return subprocess.Popen(
        [
            str(command),
            "serve",
            "--role",
            "command",
            "--workers",
            str(workers),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its workers are in its group: stopped with it
    )


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


def one_node(run: Run, workers: int, key: str, affairs: list[str]) -> dict[str, Any]:
    """The HTTP command load against a fresh command node with `workers` processes."""
    port = free_port()
    node = start_command_node(run.small, workers, port, run.run_dir)
    try:
        wait_listening(port, "/health")
        load = closed_load(run, port, node.pid, "--key", key, "--affairs", ",".join(affairs))
    finally:
        stop(node)
    say(
        f"  {workers} worker(s): {load['peak']:,.0f} requests/s; server {load['server_cores']:.2f}"
        f" cores ({load['server_ms']:.2f} ms/request), load {load['loader_cores']:.2f} cores, "
        f"machine {load['machine_cores']:.2f} cores busy; statuses {load['statuses']}"
    )
    return load


def measure_scaling(run: Run) -> None:
    """5c. A command node with two workers against one, under the HTTP command load."""
    reps = 1 if run.args.quick else 2
    say(f"command node scaling: --workers 1 vs 2 on the small store, {reps} alternating reps")
    app = comptoir(run.small)
    try:
        key = issue_key(app)
        affairs = open_affairs(app, 64)
    finally:
        app.close()
    loads: dict[int, list[dict[str, Any]]] = {w: [] for w in WORKERS}
    for rep in range(reps):
        for workers in WORKERS if rep % 2 == 0 else WORKERS[::-1]:
            loads[workers].append(one_node(run, workers, key, affairs))
    best = {w: max(loads[w], key=lambda x: float(x["peak"])) for w in WORKERS}
    one, two = float(best[1]["peak"]), float(best[2]["peak"])
    ratio = two / one if one else float("nan")
    errors = sum(int(x["errors"]) for w in WORKERS for x in loads[w])
    record(
        "http_scaling_2_workers",
        Figure(
            ratio,
            "x",
            one,
            "command node, 1 worker, requests/s",
            ">= 1.3",
            fixed_ratio=ratio,
            note=f"(2 workers {two:,.0f}/s, best of {reps}; server cores "
            f"{best[1]['server_cores']:.2f} → {best[2]['server_cores']:.2f}, ms/request "
            f"{best[1]['server_ms']:.2f} → {best[2]['server_ms']:.2f}; load cores "
            f"{best[1]['loader_cores']:.2f} → {best[2]['loader_cores']:.2f}; machine busy "
            f"{best[1]['machine_cores']:.1f} → {best[2]['machine_cores']:.1f} of "
            f"{os.cpu_count()} cores; {errors} errors)",
        ),
    )
