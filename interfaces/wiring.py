"""The composition root: builds the application, the read-model store and the projector."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from adapters.duckdb_store import DuckStore
from application.app import Comptoir
from interfaces.settings import Settings
from projections.runner import ProjectionRunner

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The wall clock; only the interfaces read it, the domain gets `at`."""
    return datetime.now(UTC)


@dataclass
class Services:
    """Everything a Comptoir process runs, built from settings."""

    settings: Settings
    app: Comptoir
    store: DuckStore
    runner: ProjectionRunner
    clock: Clock

    @classmethod
    def build(cls, settings: Settings, clock: Clock = utc_now) -> Services:
        store = DuckStore(settings.duckdb_path)
        holder: list[ProjectionRunner] = []
        app = Comptoir(
            settings.eventstore_env(),
            on_recorded=lambda position: holder[0].wake(position) if holder else None,
            policies=settings.policies(),
        )
        runner = ProjectionRunner(app, store.writer(), page_size=settings.projector_page_size)
        holder.append(runner)
        return cls(settings, app, store, runner, clock)

    def start(self) -> None:
        if self.settings.projector == "inprocess":
            self.runner.start(self.settings.projector_poll_s)

    def close(self) -> None:
        self.runner.stop()
        self.store.close()
        self.app.close()
