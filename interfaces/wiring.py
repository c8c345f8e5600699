"""The composition root: builds the application, the read-model store and the projector."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

from adapters.duckdb_store import DuckStore
from adapters.eventstore.chain import chain_store_for
from application.app import Comptoir
from application.authenticity import Forgery
from application.journal import CommandContext
from application.sealing import ChainFollower, Sealer
from domain.notice import NoticeKind
from interfaces.clock import Clock, utc_now
from interfaces.leadership import Singleton, lock_for
from interfaces.roles import FollowerComptoir, follower_views, refuse_views
from interfaces.scheduler import InProcessScheduler
from interfaces.settings import Settings
from interfaces.worker import Waker, WorkerState, create_broker, declare_actors
from projections.live import LiveViews
from projections.runner import ProjectionRunner

__all__ = ["Clock", "Services", "utc_now"]


@dataclass
class Services:
    """Everything a Comptoir process runs, built from settings (for its role)."""

    settings: Settings
    app: Comptoir
    read_model: LiveViews | None  # None on a command node: it keeps no views
    clock: Clock
    waker: Waker | None = None
    scheduler: InProcessScheduler | None = field(default=None)
    sealer: ChainFollower | None = None
    singletons: list[Singleton] = field(default_factory=list)

    @classmethod
    def build(cls, settings: Settings, clock: Clock = utc_now) -> Services:
        """The application, the live read model, and background work (Redis or in-process)."""
        if settings.role == "query":
            app: Comptoir = FollowerComptoir(settings)
            return cls(settings, app, follower_views(app, settings), clock)
        woken: list[LiveViews | Waker | ChainFollower] = []

        def recorded(position: int) -> None:
            for target in woken:
                target.wake(position)

        app = Comptoir(
            settings.eventstore_env(), on_recorded=recorded, policies=settings.policies()
        )
        views = None
        if settings.role == "all":
            views = LiveViews(
                app,
                settings.duckdb_path,
                page_size=settings.projector_page_size,
                rebuild_workers=settings.rebuild_workers,
            )
            woken.append(views)
        services = cls(settings, app, views, clock)
        if settings.sealer == "inprocess":
            alert = integrity_alert(app, clock)
            services.sealer = ChainFollower(Sealer(app, chain_store_for(app), on_blocked=alert))
            woken.append(services.sealer)
        if settings.redis_url:
            actors = declare_actors(create_broker(settings), WorkerState(settings))
            services.waker = Waker(actors)
            woken.append(services.waker)
        return services

    @property
    def views(self) -> LiveViews:
        """The live read model; a command node has none (a 404 problem naming who has)."""
        if self.read_model is None:
            refuse_views(self.settings.role)
        return self.read_model

    @property
    def runner(self) -> ProjectionRunner:
        """The projector of the live read model."""
        return self.views.runner

    @property
    def store(self) -> DuckStore:
        """The live read-model file."""
        return self.views.store

    def start(self) -> None:
        following = self.read_model is not None and self.settings.projector == "inprocess"
        if following and self.read_model is not None:
            self.read_model.start(self.settings.projector_poll_s)
        if self.waker is not None:
            self.waker.start()
        if self.sealer is not None:
            sealer = self.sealer
            poll_s = self.settings.sealer_poll_s
            self._run_alone("sealer", lambda: sealer.start(poll_s), sealer.stop)
        # the scheduler reads its candidates in a read model: the live one, or on a
        # command node a replica of its own (with Redis the worker runs the jobs)
        if self.settings.redis_url is None and (following or self.settings.role == "command"):
            self._run_alone("scheduler", self._start_scheduler, self._stop_scheduler)

    def _run_alone(self, name: str, begin: Callable[[], None], end: Callable[[], None]) -> None:
        singleton = Singleton(name, lock_for(self.settings, name), begin, end)
        self.singletons.append(singleton)
        singleton.start()

    def _start_scheduler(self) -> None:
        views = self.read_model or LiveViews(self.app, self.settings.worker_duckdb_path)
        interval = self.settings.jobs_interval_s
        self.scheduler = InProcessScheduler(self.app, views, self.clock, interval)
        self.scheduler.start()

    def _stop_scheduler(self) -> None:
        scheduler, self.scheduler = self.scheduler, None
        if scheduler is not None:
            scheduler.stop()
            if scheduler.views is not self.read_model:
                scheduler.views.close()

    def runs(self) -> list[str]:
        """The jobs this process runs now because it holds their lock."""
        return [s.name for s in self.singletons if s.leading]

    def node_state(self) -> dict[str, int | str]:
        """What `/health` tells a user about this node: its role, process, views and jobs."""
        state: dict[str, int | str] = {
            "role": self.settings.role,
            "process": os.getpid(),  # which of a node's workers answered
            "runs": ",".join(self.runs()),
        }
        if self.read_model is not None:
            state["view_position"] = self.read_model.runner.position
            state["quarantined"] = self.read_model.runner.quarantined_count
        return state

    def close(self) -> None:
        from interfaces.document_jobs import stop_in_process  # it imports these services

        stop_in_process(self)
        for singleton in reversed(self.singletons):
            singleton.stop()
        if self.waker is not None:
            self.waker.stop()
        if self.read_model is not None:
            self.read_model.close()
        self.app.close()


def integrity_alert(app: Comptoir, clock: Clock) -> Callable[[Forgery], None]:
    """Raise a notice for admins when the sealer refuses an event Comptoir did not write."""

    def alert(forgery: Forgery) -> None:
        now = clock()
        app.notices.raise_once(
            CommandContext(actor="system", at=now, reason="the sealer refused an event"),
            kind=NoticeKind.INTEGRITY_ALERT,
            document_id=forgery.document_id or UUID(int=0),
            subject=f"log position {forgery.notification_id}",
            due=now.date(),
            message=(
                f"The event at log position {forgery.notification_id} was not written by "
                "Comptoir as it stands; the hash chain stops before it. An auditor should run "
                "`comptoir audit verify` and remove or explain the row."
            ),
        )

    return alert
