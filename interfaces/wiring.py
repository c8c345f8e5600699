"""The composition root: builds the application, the read-model store and the projector."""

from __future__ import annotations

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
from interfaces.scheduler import InProcessScheduler
from interfaces.settings import Settings
from interfaces.worker import Waker, WorkerState, create_broker, declare_actors
from projections.live import LiveViews
from projections.runner import ProjectionRunner

__all__ = ["Clock", "Services", "utc_now"]


@dataclass
class Services:
    """Everything a Comptoir process runs, built from settings."""

    settings: Settings
    app: Comptoir
    views: LiveViews
    clock: Clock
    waker: Waker | None = None
    scheduler: InProcessScheduler | None = field(default=None)
    sealer: ChainFollower | None = None

    @classmethod
    def build(cls, settings: Settings, clock: Clock = utc_now) -> Services:
        """The application, the live read model, and background work (Redis or in-process)."""
        woken: list[LiveViews | Waker | ChainFollower] = []

        def recorded(position: int) -> None:
            for target in woken:
                target.wake(position)

        app = Comptoir(
            settings.eventstore_env(), on_recorded=recorded, policies=settings.policies()
        )
        views = LiveViews(app, settings.duckdb_path, page_size=settings.projector_page_size)
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
        else:
            services.scheduler = InProcessScheduler(app, views, clock, settings.jobs_interval_s)
        return services

    @property
    def runner(self) -> ProjectionRunner:
        """The projector of the live read model."""
        return self.views.runner

    @property
    def store(self) -> DuckStore:
        """The live read-model file."""
        return self.views.store

    def start(self) -> None:
        if self.settings.projector == "inprocess":
            self.views.start(self.settings.projector_poll_s)
        if self.waker is not None:
            self.waker.start()
        if self.sealer is not None:
            self.sealer.start(self.settings.sealer_poll_s)
        if self.scheduler is not None and self.settings.projector == "inprocess":
            self.scheduler.start()

    def close(self) -> None:
        if self.scheduler is not None:
            self.scheduler.stop()
        if self.waker is not None:
            self.waker.stop()
        if self.sealer is not None:
            self.sealer.stop()
        self.views.close()
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
