"""Judging the figures against their targets, and the report: table, JSON and markdown."""

from __future__ import annotations

import argparse
import json
import os
import platform
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmark.common import (
    BENCH_DIR,
    CPU_MS,
    FIGURES,
    LOAD_AT_START,
    QUERY_BREAKDOWN,
    ROOT,
    Figure,
    admin_conn,
    say,
)


def judge() -> None:
    f = FIGURES

    def at(name: str) -> Figure | None:
        return f.get(name)

    checks: dict[str, Callable[[Figure], bool]] = {
        "commands_per_s": lambda x: (x.ratio or 0) >= 0.40,
        "commands_vs_bare_library": lambda x: x.value >= 3,
        "http_commands_per_s": lambda x: x.value >= 1000,
        "http_p99_ms": lambda x: x.value <= 25,
        "http_vs_crud_peer": lambda x: x.value >= 0.6,
        "http_scaling_2_workers": lambda x: x.value >= 1.3,
        "projection_events_per_s": lambda x: x.value >= 100_000 and (x.ratio or 0) >= 0.35,
        "rebuild_1m_s": lambda x: x.value <= 30,
        "aggregate_load_ms": lambda x: x.value <= 2,
        "as_of_load_ms": lambda x: x.value <= 20,
        "query_p99_ms": lambda x: x.value <= 20,
        "as_of_query_p99_ms": lambda x: x.value <= 50,
        "console_page_p95_ms": lambda x: x.value <= 300,
        "command_cost_growth": lambda x: x.value <= 1.2,
        "view_lag_p99_ms": lambda x: x.value <= 250,
        "split_http_commands_per_s": lambda x: (x.ratio or 0) >= 0.6,
        "split_http_p99_ms": lambda x: x.value <= 25,
        "split_view_lag_p99_ms": lambda x: x.value <= 250,
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
