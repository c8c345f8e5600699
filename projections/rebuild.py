"""Full rebuilds into a fresh file, and row-for-row comparison of two read models (H4)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from threading import Event
from typing import Any

import duckdb

from adapters.duckdb_store import REBUILD_CONFIG, DuckStore
from application.app import Comptoir
from projections import parallel
from projections.parallel import (
    RebuildStopped,
    fold_in_parallel,
    fold_share,
    readable_end,
    remove_database,
    shareable,
)
from projections.quarantine import Quarantined, quarantined_documents
from projections.schema import base_tables

log = logging.getLogger(__name__)

# The projector's own bookkeeping differs legitimately between two files.
NOT_COMPARED = {"projection_tracking"}


@dataclass(frozen=True)
class Rebuilt:
    """A read-model file built from the log up to `position`."""

    path: Path
    position: int
    events: int
    quarantined: tuple[Quarantined, ...] = ()


def rebuild(
    app: Comptoir,
    target: Path,
    page_size: int = 5000,
    until: int | None = None,
    workers: int = 1,
    parallel_from: int | None = None,
    stop: Event | None = None,
) -> Rebuilt:
    """Project the log (up to `until`) into a new file at `target`; close it checkpointed.

    With `workers` above one, a store other processes can read, and at least
    `parallel_from` events to fold (`parallel.PARALLEL_FROM` by default), the documents
    are folded in that many processes (`projections.parallel`). Documents quarantined on
    the way (see `projections.quarantine`) are listed in the result; they never stop the
    rebuild. Once `stop` is set, it ends with `RebuildStopped` and leaves no file; a
    rebuild whose process was killed leaves its file, which the next rebuild in the same
    directory removes (`remove_abandoned`)."""
    if target.exists():
        raise FileExistsError(f"{target} exists; a rebuild writes a fresh file")
    remove_abandoned(target.parent)
    marker = _marker(target)
    marker.write_text(str(os.getpid()))
    try:
        end = _parallel_end(app, until, workers, parallel_from)
        if end is not None:
            events, position = fold_in_parallel(app, target, page_size, end, workers, stop)
        else:
            try:
                events, position = fold_share(app, target, page_size, until, None, stop)
            except RebuildStopped:
                remove_database(target)
                raise
        store = DuckStore(target, REBUILD_CONFIG)
        try:
            quarantined = tuple(quarantined_documents(store.writer()))
            return Rebuilt(target, position, events, quarantined)
        finally:
            store.close()
    finally:
        marker.unlink(missing_ok=True)


# Beside a file being rebuilt, a marker holding the rebuilding process's id.
BUILDING = ".building"


def _marker(target: Path) -> Path:
    return target.with_name(target.name + BUILDING)


def remove_abandoned(directory: Path) -> list[Path]:
    """Remove the files of rebuilds whose process ended without finishing (killed, or its
    machine stopped): a rebuild leaves a marker beside its file while it runs. Returns
    the files removed; a rebuild still running keeps its own."""
    removed = []
    for marker in directory.glob(f"*{BUILDING}"):
        try:
            pid = int(marker.read_text().strip() or 0)
        except (OSError, ValueError):  # being written, or removed meanwhile
            continue
        if pid > 0 and _running(pid):
            continue
        target = marker.with_name(marker.name.removesuffix(BUILDING))
        for database in (target, *target.parent.glob(f"{target.name}.share*")):
            if database.suffix != ".wal":
                remove_database(database)
        marker.unlink(missing_ok=True)
        log.warning("removed %s, left by a rebuild that did not finish", target.name)
        removed.append(target)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _parallel_end(
    app: Comptoir, until: int | None, workers: int, parallel_from: int | None
) -> int | None:
    """Where every process of a parallel rebuild stops, or None to fold in one process.

    Unless told, the end of the log this store holds (on a standby, what it has replayed):
    every process can read that far."""
    if workers < 2 or not shareable(app):
        return None
    end = readable_end(app) if until is None else until
    least = parallel.PARALLEL_FROM if parallel_from is None else parallel_from
    return end if end > 0 and end >= least else None


@dataclass(frozen=True)
class Difference:
    """A table whose rows differ between two read models."""

    table: str
    only_left: int
    only_right: int

    def __str__(self) -> str:
        return f"{self.table}: {self.only_left} rows only in one, {self.only_right} only in other"


def tables_of(cursor: duckdb.DuckDBPyConnection) -> list[str]:
    """The tables two read models are compared on."""
    return base_tables(cursor, NOT_COMPARED)


def compare(left: duckdb.DuckDBPyConnection, right_path: Path) -> list[Difference]:
    """Every table of `left` compared row for row with the same table in the file at `right_path`.

    Both must stand at the same log position for the comparison to mean anything.
    """
    left.execute(f"ATTACH '{right_path}' AS other (READ_ONLY)")
    try:
        differences = []
        for table in tables_of(left):
            counts: Any = left.execute(
                f"SELECT (SELECT count(*) FROM (SELECT * FROM main.{table} "
                f"EXCEPT ALL SELECT * FROM other.main.{table})), "
                f"(SELECT count(*) FROM (SELECT * FROM other.main.{table} "
                f"EXCEPT ALL SELECT * FROM main.{table}))"
            ).fetchone()
            if counts[0] or counts[1]:
                differences.append(Difference(table, int(counts[0]), int(counts[1])))
        return differences
    finally:
        left.execute("DETACH other")
