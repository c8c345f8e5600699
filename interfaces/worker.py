"""Background work on dramatiq and Redis: wake-ups, scheduled jobs, rebuilds, exports.

Every actor is idempotent (dramatiq delivers at least once). Events never travel in
messages: a message only says "catch up"; the worker reads the ordered log itself into
its own replica of the read model (`COMPTOIR_WORKER_DUCKDB_PATH`), because the serving
process owns the live file. A rebuild writes a fresh file that the server switches to.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from application.app import Comptoir
from interfaces.clock import utc_now
from interfaces.document_jobs import RETRYING, declare_delivery, document_mail, run_delivery
from interfaces.export import export_views
from interfaces.scheduler import run_due_jobs
from interfaces.settings import Settings
from projections.live import LiveViews, publish_handoff
from projections.quarantine import summary
from projections.rebuild import rebuild

log = logging.getLogger(__name__)

QUEUE = "comptoir"


class WorkerState:
    """The worker's application and read-model replica, built on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._app: Comptoir | None = None
        self._views: LiveViews | None = None

    def __enter__(self) -> tuple[Comptoir, LiveViews]:
        self._lock.acquire()
        if self._app is None or self._views is None:
            self._app = Comptoir(self.settings.eventstore_env(), policies=self.settings.policies())
            self._views = LiveViews(self._app, self.settings.worker_duckdb_path)
        return self._app, self._views

    def __exit__(self, *_: object) -> None:
        self._lock.release()

    def close(self) -> None:
        with self._lock:
            if self._views is not None:
                self._views.close()
            if self._app is not None:
                self._app.close()
            self._app = self._views = None


@dataclass(frozen=True)
class Actors:
    """The actors declared on one broker."""

    catch_up: Any
    run_scheduled_jobs: Any
    rebuild_views: Any
    export_views: Any
    deliver_document: Any


def create_broker(settings: Settings) -> RedisBroker:
    """The Redis broker of `COMPTOIR_REDIS_URL`."""
    if not settings.redis_url:
        raise ValueError("COMPTOIR_REDIS_URL is not set; background work runs in-process")
    return RedisBroker(url=settings.redis_url, namespace=settings.redis_namespace)  # type: ignore[no-untyped-call]


def declare_actors(broker: dramatiq.Broker, state: WorkerState) -> Actors:
    """Declare every actor on `broker`, working through `state`."""

    def catch_up() -> None:
        with state as (_, views):
            applied = views.runner.catch_up()
            log.info("replica caught up: %s events, at %s", applied, views.position)
            if views.runner.quarantined_count:
                log.warning(
                    "replica holds %s quarantined documents (see its quarantine table)",
                    views.runner.quarantined_count,
                )

    def run_scheduled_jobs(now: str | None = None) -> None:
        at = datetime.fromisoformat(now) if now else utc_now()
        with state as (app, views):
            for report in run_due_jobs(app, views, at):
                log.info("%s", report)

    def rebuild_views() -> None:
        with state as (app, _):
            base = state.settings.duckdb_path
            built = rebuild(
                app,
                base.with_name(f"{base.name}.{time.time_ns()}"),
                workers=state.settings.rebuild_workers,
            )
        publish_handoff(base, built)
        log.info("rebuilt %s events into %s for the server", built.events, built.path)
        for line in summary(built.quarantined):
            log.warning("%s", line)

    def export(target: str) -> None:
        with state as (app, _):
            written = export_views(app, Path(target), workers=state.settings.rebuild_workers)
        for line in summary(written.quarantined):
            log.warning("%s", line)

    def deliver(kind: str, source_id: str, sending_id: str, actor: str) -> None:
        with state as (app, _):
            mail = document_mail(app.documents, state.settings)
            run_delivery(mail, utc_now(), kind, source_id, sending_id, actor)

    def declare(fn: Any, name: str) -> Any:
        decorate = dramatiq.actor(actor_name=name, queue_name=QUEUE, broker=broker, max_retries=5)
        return decorate(fn)

    return Actors(
        catch_up=declare(catch_up, "catch_up"),
        run_scheduled_jobs=declare(run_scheduled_jobs, "run_scheduled_jobs"),
        rebuild_views=declare(rebuild_views, "rebuild_views"),
        export_views=declare(export, "export_views"),
        deliver_document=declare_delivery(broker, deliver, RETRYING),
    )


class Waker:
    """Tells workers to catch up after commands, coalesced; never fails a command.

    When Redis is down the wake-ups are dropped (and logged): the worker catches up
    on its next message or scheduled run, since it reads the log itself.
    """

    def __init__(self, actors: Actors, min_interval_s: float = 0.1) -> None:
        self.actors = actors
        self.min_interval_s = min_interval_s
        self._pending = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self.failures = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._pending.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def wake(self, _position: int | None = None) -> None:
        self._pending.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._pending.wait()
            if self._stop.is_set():
                return
            self._pending.clear()
            try:
                self.actors.catch_up.send()
            except Exception as error:  # Redis unreachable: commands must still succeed
                self.failures += 1
                log.warning("could not wake the workers: %s", error)
            self._stop.wait(self.min_interval_s)


def run_worker(settings: Settings, threads: int = 2) -> None:
    """Consume Comptoir's queue until interrupted (what `comptoir worker` runs)."""
    broker = create_broker(settings)
    state = WorkerState(settings)
    declare_actors(broker, state)
    worker = dramatiq.Worker(broker, worker_threads=threads)
    worker.start()
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        worker.stop()
        state.close()
