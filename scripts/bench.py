"""Comptoir's benchmark: every figure measured against a baseline taken in the same run.

Run it with `scripts/bench` (full: 1,000,000 events) or `scripts/bench --quick`
(100,000 events). It builds its own Postgres schemas in database `test` (or
`COMPTOIR_PG_DBNAME`), drops them at the end, prints a table and writes
`var/bench/latest.json`. docs/benchmarks.md explains every figure.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

# Run as a script, scripts/ is on sys.path: `benchmark` is scripts/benchmark/, whose
# __init__ puts the project root on sys.path before any project import.
from benchmark.aggregates import measure_loads
from benchmark.commands import measure_commands
from benchmark.common import BENCH_DIR, LOAD_AT_START, ROOT, Run, admin_conn, say
from benchmark.console import measure_console
from benchmark.documents import measure_documents
from benchmark.peer import child_closed_loop, measure_peer
from benchmark.projection import bulk_load, child_rebuild, measure_projection, measure_view_lag
from benchmark.queries import measure_queries
from benchmark.report import judge, report
from benchmark.scaling import measure_scaling
from benchmark.split import child_split_load, measure_split
from benchmark.web import child_http_load, measure_http

# -- the run ------------------------------------------------------------------------------


def main(args: argparse.Namespace) -> int:
    n = args.events or (100_000 if args.quick else 1_000_000)
    stamp = time.strftime("%Y%m%d%H%M%S")
    run_dir = BENCH_DIR / f"run-{stamp}"
    run_dir.mkdir(parents=True, exist_ok=True)
    prefix = f"bench_{stamp}"
    big, small, bare, raw = (f"{prefix}_{s}" for s in ("big", "small", "bare", "raw"))
    run = Run(
        args,
        n,
        run_dir,
        big,
        small,
        bare,
        raw,
        cmd_s=4.0 if args.quick else 8.0,
        http_s=5.0 if args.quick else 10.0,
    )
    schemas = run.schemas
    started_run = time.perf_counter()
    LOAD_AT_START.extend(os.getloadavg())
    say(f"benchmark: {n:,} events, schemas {prefix}_*, files in {run_dir.relative_to(ROOT)}")
    with admin_conn() as conn:
        for s in schemas:
            conn.execute(f"DROP SCHEMA IF EXISTS {s} CASCADE")
            conn.execute(f"CREATE SCHEMA {s}")
        conn.execute(f"CREATE TABLE {raw}.raw_commits (id bigserial PRIMARY KEY, payload bytea)")
    try:
        bulk_load(run)
        measure_projection(run)
        measure_loads(run)
        measure_commands(run)
        measure_view_lag(run)
        measure_http(run)
        measure_peer(run)
        measure_scaling(run)
        measure_queries(run)
        measure_console(run)
        measure_documents(run)
        measure_split(run)
    finally:
        server = run.server
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
    p.add_argument("--workers", type=int, help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, help=argparse.SUPPRESS)
    p.add_argument("--query-port", type=int, help=argparse.SUPPRESS)
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
    elif arguments.child == "closed-loop":
        child_closed_loop(arguments)
    elif arguments.child == "split-load":
        child_split_load(arguments)
    else:
        sys.exit(main(arguments))
