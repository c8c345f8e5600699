"""Configuration, measuring helpers, the figures and what the phases of a run share."""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from application.app import Comptoir
from interfaces.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
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


def profile_text(profiler: cProfile.Profile) -> str:
    """A cProfile report: the top by cumulative time, then by own time."""
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
    out.write("\n---- by own time ----\n")
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
    return out.getvalue()


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


# One object each for the whole run: the phases mutate them, never rebind them.
FIGURES: dict[str, Figure] = {}
LOAD_AT_START: list[float] = []
QUERY_BREAKDOWN: dict[str, dict[str, float]] = {}
CPU_MS: dict[str, float] = {}


def record(name: str, fig: Figure) -> None:
    FIGURES[name] = fig
    ratio = "" if fig.ratio is None else f" ratio {fig.ratio:.3f}"
    say(f"  {name} = {fig.value:,.2f} {fig.unit}{ratio} {fig.note}")


def alternate(reps: int, *runs: Callable[[], float]) -> list[list[float]]:
    results: list[list[float]] = [[] for _ in runs]
    for _ in range(reps):
        for i, run in enumerate(runs):
            results[i].append(run())
    return results


# -- children (own process: own peak RSS) -------------------------------------------------


def run_child(*argv: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench.py"), "--child", *argv],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# -- the run ------------------------------------------------------------------------------


@dataclass
class Run:
    """What the phases of one run share: its size, files, schemas, applications, durations."""

    args: argparse.Namespace
    n: int
    run_dir: Path
    big: str
    small: str
    bare: str
    raw: str
    cmd_s: float
    http_s: float
    reps: int = 3
    threads: int = 8
    growth_small: int = 10_000
    small_rss: int = field(init=False)
    views_path: Path = field(init=False)
    dump: Path = field(init=False)
    meta: dict[str, Any] = field(init=False)
    app_big: Comptoir = field(init=False)
    app_small: Comptoir = field(init=False)
    server: subprocess.Popen[bytes] | None = None
    port: int = 0
    key: str = ""
    affairs: list[str] = field(default_factory=list)  # opened on the big store for HTTP

    def __post_init__(self) -> None:
        self.small_rss = self.n // 10
        self.views_path = self.run_dir / "views.duckdb"

    @property
    def schemas(self) -> list[str]:
        return [self.big, self.small, self.bare, self.raw]
