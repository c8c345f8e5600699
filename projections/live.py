"""The serving process's read model: its DuckDB file, its projector, and hand-overs.

A rebuild writes a fresh file beside the live one (by this process, or by a worker
that cannot open the live file), then the serving process switches to it between two
batches: new queries use the new file at once, queries already running finish on the
old one, which is closed at the next switch. A pointer file names the live file so a
restart opens the right one.

Closed while a rebuild runs (the server stopping), it stops the rebuild and waits for it
to remove its files and end its processes (`projections.parallel`), at most `STOP_WAIT_S`.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path

import duckdb

from adapters.duckdb_store import DuckStore
from adapters.eventstore.listen import EventListener
from application.app import Comptoir
from projections.parallel import RebuildStopped, shareable
from projections.pipeline import BASE_CURRENCY, PipelineAffairsView
from projections.rebuild import Difference, Rebuilt, compare, rebuild
from projections.runner import ProjectionRunner
from projections.snapshot import Snapshot, read_snapshot

log = logging.getLogger(__name__)

# A read model still empty before a log this long is rebuilt in parallel, then followed.
BACKLOG_REBUILD = 50_000
# How long closing waits for a running rebuild to stop and remove its files.
STOP_WAIT_S = 30.0


class LiveViews:
    """One live read-model file with its projector; can switch to a rebuilt file."""

    def __init__(
        self, app: Comptoir, base: Path, page_size: int = 5000, rebuild_workers: int = 1
    ) -> None:
        self.app = app
        self.base = base
        self.page_size = page_size
        self.rebuild_workers = rebuild_workers
        # how long a log must be for an empty read model to be rebuilt before it follows
        self.backlog_rebuild = BACKLOG_REBUILD
        self.pointer = base.with_name(base.name + ".current")
        self.handoff = base.with_name(base.name + ".next")
        self._lock = threading.RLock()
        self._retired: list[DuckStore] = []
        self._poll_s = 0.2
        self._following = False
        self._listener: EventListener | None = None
        self._closed = False
        self._stopping = threading.Event()  # set on close: running rebuilds stop
        self._rebuilds = 0  # rebuilds running
        self._rebuilds_changed = threading.Condition()
        self.path = self._current_path()
        self.store = DuckStore(self.path)
        self.runner = ProjectionRunner(app, self.store.writer(), page_size=page_size)

    def _current_path(self) -> Path:
        if self.pointer.exists():
            named = self.base.with_name(self.pointer.read_text().strip())
            if named.exists():
                return named
        return self.base

    def next_path(self) -> Path:
        """A fresh file name for the next rebuild."""
        return self.base.with_name(f"{self.base.name}.{time.time_ns()}")

    @property
    def following(self) -> bool:
        """Whether a thread follows the log for this read model."""
        return self._following

    @property
    def position(self) -> int:
        return self.runner.position

    @property
    def reporting_currency(self) -> str:
        """The base currency the projector converts the pipeline's amounts to."""
        for view in self.runner.document_views:
            if isinstance(view, PipelineAffairsView):
                return view.base_currency
        return BASE_CURRENCY

    def reader(self) -> duckdb.DuckDBPyConnection:
        return self.store.reader()

    @contextmanager
    def snapshot(self) -> Iterator[Snapshot]:
        """One read transaction on the calling thread's cursor: every query of one answer
        sees the same batches, and the snapshot says the log position it stands at."""
        with read_snapshot(self.store.reader()) as snapshot:
            yield snapshot

    @contextmanager
    def detached_snapshot(self) -> Iterator[Snapshot]:
        """A snapshot on a cursor of its own, for a reader that outlives the request's
        thread (a streamed export is read from whichever thread sends its next chunk)."""
        cursor = self.store.reader().cursor()
        try:
            with read_snapshot(cursor) as snapshot:
                yield snapshot
        finally:
            cursor.close()

    def count(self, sql: str, params: Sequence[object]) -> Future[int]:
        """A count query run beside the caller's own (see `DuckStore.count`)."""
        return self.store.count(sql, params)

    def wait_for(self, position: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            runner = self.runner
            remaining = deadline - time.monotonic()
            if runner.wait_for(position, max(0.0, min(remaining, 0.5))):
                return True
            if remaining <= 0:
                return False

    def wake(self, position: int | None = None) -> None:
        self.runner.wake(position)

    def start(self, poll_s: float) -> None:
        self._poll_s = poll_s
        self._following = True
        self.follow()
        if EventListener.supported(self.app.recorder):
            self._listener = EventListener(self.app.recorder, self.wake)
            self._listener.start()

    def follow(self) -> None:
        """Start following the log. A read model still empty before a long log (a new node)
        is first rebuilt in parallel and switched to: `rebuild_workers` processes fold a
        backlog faster than one batch after another."""
        if (
            self.rebuild_workers > 1
            and self.runner.position == 0
            and self.app.log_position() >= self.backlog_rebuild
            and shareable(self.app)
        ):
            threading.Thread(target=self._rebuild_backlog, daemon=True).start()
        else:
            self.runner.start(self._poll_s, on_idle=self.take_handoff)

    def _rebuild(self, target: Path, until: int | None = None) -> Rebuilt:
        """Rebuild into `target`, stopped (`RebuildStopped`) if this read model closes."""
        with self._rebuilds_changed:
            if self._stopping.is_set():
                raise RebuildStopped
            self._rebuilds += 1
        try:
            return rebuild(
                self.app,
                target,
                self.page_size,
                until=until,
                workers=self.rebuild_workers,
                stop=self._stopping,
            )
        finally:
            with self._rebuilds_changed:
                self._rebuilds -= 1
                self._rebuilds_changed.notify_all()

    def _rebuild_backlog(self) -> None:
        try:
            built = self._rebuild(self.next_path())
        except RebuildStopped:
            return
        except Exception:  # the batch-by-batch catch-up gets there too
            log.exception("the parallel rebuild of the backlog failed; catching up in batches")
            self.runner.start(self._poll_s, on_idle=self.take_handoff)
            return
        log.info("the backlog's %s events rebuilt in parallel", built.events)
        self.switch_to(built.path)

    def close(self) -> None:
        if self._listener is not None:
            self._listener.stop()
        self._stopping.set()
        with self._rebuilds_changed:  # before the lock: a verification holds it
            if not self._rebuilds_changed.wait_for(lambda: self._rebuilds == 0, STOP_WAIT_S):
                log.warning("a rebuild did not stop within %s s; closing anyway", STOP_WAIT_S)
        with self._lock:
            self._closed = True
            self.runner.stop()
            self.store.close()
            for store in self._retired:
                store.close()
            self._retired.clear()

    def switch_to(self, path: Path) -> None:
        """Serve from the rebuilt file at `path`; it catches up with the log from its position.
        Once closed (a rebuild finishing while the process stops), nothing is switched."""
        with self._lock:
            if self._closed:
                return
            old_runner, old_store = self.runner, self.store
            old_runner.stop()
            store = DuckStore(path)
            runner = ProjectionRunner(self.app, store.writer(), page_size=self.page_size)
            self.store, self.runner, self.path = store, runner, path
            tmp = self.pointer.with_name(self.pointer.name + ".tmp")
            tmp.write_text(path.name)
            os.replace(tmp, self.pointer)
            for retired in self._retired:
                retired.close()
            self._retired = [old_store]
            if self._following:
                runner.start(self._poll_s, on_idle=self.take_handoff)
            log.info("read model switched to %s at position %s", path.name, runner.position)

    def take_handoff(self) -> None:
        """Switch to a file a worker rebuilt, if it left one (called by the projector when idle)."""
        if not self.handoff.exists():
            return
        name = self.handoff.read_text().strip()
        self.handoff.unlink(missing_ok=True)
        path = self.base.with_name(name)
        if path.exists() and path != self.path:
            threading.Thread(target=self.switch_to, args=(path,), daemon=True).start()

    def rebuild_and_switch(self) -> Rebuilt:
        """Rebuild every view from the log into a fresh file and serve from it."""
        built = self._rebuild(self.next_path())
        self.switch_to(built.path)
        return built

    def verify(self) -> tuple[Rebuilt, list[Difference]]:
        """Rebuild into a scratch file at the live position and compare every table row for row."""
        with self._lock:
            self.runner.stop()
            try:
                self.runner.catch_up()
                position = self.runner.position
                scratch = self.base.with_name(f"{self.base.name}.verify.{time.time_ns()}")
                built = self._rebuild(scratch, until=position)
                try:
                    differences = compare(self.store.writer(), built.path)
                finally:
                    built.path.unlink(missing_ok=True)
                return built, differences
            finally:
                if self._following:
                    self.runner = ProjectionRunner(
                        self.app, self.store.writer(), page_size=self.page_size
                    )
                    self.runner.start(self._poll_s, on_idle=self.take_handoff)


def publish_handoff(base: Path, built: Rebuilt) -> None:
    """Tell the serving process (by a file beside its live file) to switch to `built`."""
    handoff = base.with_name(base.name + ".next")
    tmp = handoff.with_name(handoff.name + ".tmp")
    tmp.write_text(built.path.name)
    os.replace(tmp, handoff)
