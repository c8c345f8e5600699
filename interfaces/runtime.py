"""How a long-running Comptoir process (server, worker) sets up its Python runtime.

The garbage collector: CPython runs a young collection every 700 new container objects;
rendering a 20-line invoice allocates about 650,000 Python calls' worth of objects, so
collections ran hundreds of times per render and, when an older generation's turn came,
made the slowest renders slower still. With a young threshold of 50,000 (the older
generations every 10 collections of the one below) the render's p95 went from 292 to
226 ms on a quiet 2-core machine, its wall time equal to its CPU time (docs/benchmarks.md,
section 7). Cycles are still collected; memory between collections grows by at most a
young generation of small objects.
"""

from __future__ import annotations

import gc

GC_THRESHOLDS = (50_000, 10, 10)


def tune_runtime() -> None:
    """Apply the process settings above (idempotent)."""
    gc.set_threshold(*GC_THRESHOLDS)
