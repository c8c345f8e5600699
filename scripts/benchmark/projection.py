"""The dataset and its bulk load, reading the log, rebuilding the views and their lag."""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import resource
import statistics
import threading
import time
from collections import deque
from itertools import islice
from pathlib import Path
from typing import Any

from adapters.bulk.generator import DatasetGenerator
from adapters.bulk.importer import import_events, read_dump, write_dump
from application.app import Comptoir
from benchmark.commands import comptoir_commands
from benchmark.common import (
    BENCH_DIR,
    PAGE,
    ROOT,
    Figure,
    Run,
    alternate,
    comptoir,
    pct,
    profile_text,
    record,
    run_child,
    say,
    vm,
)
from interfaces.settings import Settings

# -- dataset ------------------------------------------------------------------------------


def dataset(n: int, seed: int) -> tuple[Path, dict[str, Any]]:
    """A cached dump of the first `n` events of the seeded company (regenerated on change)."""
    # the generator, its stories and the domain they drive
    sources = [
        *sorted((ROOT / "adapters/bulk").glob("*.py")),
        *sorted((ROOT / "domain").glob("*.py")),
    ]
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


def bulk_load(run: Run) -> None:
    """1. Bulk load: the dataset into the big store by COPY, its first events into the small."""
    run.dump, run.meta = dataset(run.n, run.args.seed)
    run.app_big = comptoir(run.big)
    loaded = import_events(run.app_big, read_dump(run.dump), sequences=run.meta["sequences"])
    say(f"bulk import: {loaded.count:,} events in {loaded.seconds:.1f} s")
    record(
        "bulk_load_events_per_s",
        Figure(loaded.per_second, "events/s", note=f"({loaded.count:,} events, COPY)"),
    )
    run.app_small = comptoir(run.small)
    import_events(run.app_small, islice(read_dump(run.dump), run.growth_small))


# -- children (own process: own peak RSS) -------------------------------------------------


def child_rebuild(args: argparse.Namespace) -> None:
    from projections.rebuild import rebuild

    app = comptoir(args.schema)
    target = Path(args.target)
    profiler = cProfile.Profile() if args.profile_out else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    workers = args.workers or Settings().rebuild_workers
    built = rebuild(app, target, PAGE, until=args.until, workers=workers)
    if profiler:
        profiler.disable()
        Path(args.profile_out).write_text(profile_text(profiler))
    seconds = time.perf_counter() - started
    # the largest of the processes that folded a share of the documents (kB on Linux)
    shares = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "events": built.events,
                "seconds": seconds,
                "workers": workers,
                "shares_peak_mb": shares,
                **vm(),
            }
        )
    )


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


def measure_projection(run: Run) -> None:
    """2. Log reading vs projection, and the projector's memory."""
    big, n, run_dir, views_path = run.big, run.n, run.run_dir, run.views_path
    say("projection: raw log reads alternating with full rebuilds (child processes)")
    rebuild_reps = 2 if run.args.quick else 1
    rebuilt: list[dict[str, Any]] = []

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
            note=f"({rebuilt[0]['workers']} processes folding the documents' shares)",
        ),
    )
    rebuild_s = statistics.median(float(r["seconds"]) for r in rebuilt)
    projected_1m = rebuild_s * 1_000_000 / n
    record(
        "rebuild_1m_s",
        Figure(
            rebuild_s if n >= 1_000_000 else projected_1m,
            "s",
            target="<= 30 s",
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
        str(run.small_rss),
    )
    (run_dir / "rebuild-small.duckdb").unlink(missing_ok=True)

    def peak_of(result: dict[str, Any]) -> float:  # the largest process of a rebuild
        return max(float(result["VmHWM"]), float(result["shares_peak_mb"]))

    peak = max(peak_of(r) for r in rebuilt)
    record(
        "projector_peak_rss_mb",
        Figure(
            peak,
            "MB",
            peak_of(small_run),
            f"peak RSS over {run.small_rss:,}",
            "<= 512 MB and ratio <= 1.5",
        ),
    )
    if run.args.profile:
        say("profiling the projector over 20,000 events")
        run_child(
            "rebuild",
            "--schema",
            big,
            "--target",
            str(run_dir / "rebuild-prof.duckdb"),
            "--until",
            "20000",
            "--workers",
            "1",
            "--profile-out",
            str(run_dir / "profile-projector.txt"),
        )
        (run_dir / "rebuild-prof.duckdb").unlink(missing_ok=True)


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


def measure_view_lag(run: Run) -> None:
    """4. (continued) View lag: commands with the in-process projector following."""
    say("view lag: commands with the in-process projector following")
    lag_p99, lag_rate, lag_n = view_lag(run.big, run.views_path, run.threads, run.cmd_s)
    record(
        "view_lag_p99_ms",
        Figure(
            lag_p99,
            "ms",
            target="<= 250 ms",
            note=f"({lag_n:,} commits sampled at {lag_rate:,.0f} commands/s)",
        ),
    )
