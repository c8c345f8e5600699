"""What each role of a Comptoir process serves, and how a query node reads the log.

- `all`: commands, documents and views, the projector in-process (the embedded default).
- `command`: commands, documents and their history; no DuckDB file, no projector. Any
  number run against one Postgres: every load reads the events recorded after the
  cached version, by whichever process, so a cached document is never stale.
- `query`: the views, their exports, the audit log and `/health`, from a DuckDB file of
  its own that it keeps by following the log (from a streaming replica when
  `COMPTOIR_PG_READ_HOST` is set: NOTIFY does not reach a standby, so it polls there).
  It never writes to the event store.

A request for what a node does not serve is a 404 problem naming who serves it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import Any, NoReturn, cast

import psycopg
from eventsourcing.persistence import Recording
from fastapi import FastAPI, Request, Response
from starlette.routing import Match, Route
from starlette.types import Scope

from application.app import Comptoir
from domain.errors import NotFound
from interfaces.settings import Settings
from projections.live import LiveViews

log = logging.getLogger(__name__)

# Paths a query node serves; a command node serves the others; both serve the shared.
QUERY_PATHS = ("/views", "/admin/views", "/audit")
SHARED_PATHS = ("/health", "/docs", "/openapi.json")


class ViewsNotServed(NotFound):
    """A command node was asked for a view: query nodes (or an `all` node) serve them."""

    code = "views-not-served"


class CommandsNotServed(NotFound):
    """A query node was asked for a command or a document: command nodes serve them."""

    code = "commands-not-served"


def reads_standby(settings: Settings) -> bool:
    """Whether this process reads the log from a streaming replica."""
    return settings.event_store == "postgres" and settings.pg_read_host is not None


def follower_env(settings: Settings) -> dict[str, str]:
    """The event-store environment of a process that only reads the log."""
    env = settings.eventstore_env()
    if reads_standby(settings):
        env |= {
            "POSTGRES_HOST": str(settings.pg_read_host),
            "POSTGRES_PORT": str(settings.pg_read_port or settings.pg_port),
            "CREATE_TABLE": "n",  # a standby is read-only: the primary made the tables
            "POSTGRES_GROUP_COMMIT": "n",
        }
    return env


class FollowerComptoir(Comptoir):
    """The application of a query node or a lone projector: reads the log, writes nothing.

    On a standby, `log_position()` is the primary's (one query, asked only when a client
    waits for a position the views have not reached, or for `/health`): a position the
    standby has not replayed yet is then waited for, not refused as never recorded.
    """

    name = Comptoir.name  # the same tables: the library names them after the application

    def __init__(self, settings: Settings) -> None:
        super().__init__(follower_env(settings), policies=settings.policies())
        self.settings = settings
        self._primary: psycopg.Connection[tuple[object, ...]] | None = None
        self._primary_lock = threading.Lock()

    def save(self, *_: Any, **__: Any) -> list[Recording[Any]]:
        refuse_command(self.settings.role)

    def log_position(self) -> int:
        if not reads_standby(self.settings):
            return super().log_position()
        try:
            return self._primary_position()
        except psycopg.Error as error:  # the primary is away: the standby's end will do
            log.warning("could not read the primary's log position: %s", error)
            return super().log_position()

    def _primary_position(self) -> int:
        s = self.settings
        table = f'"{s.pg_schema}"."comptoir_events"'
        with self._primary_lock:
            try:
                if self._primary is None or self._primary.closed:
                    self._primary = psycopg.connect(
                        host=s.pg_host,
                        port=s.pg_port,
                        user=s.pg_user,
                        password=s.pg_password or None,
                        dbname=s.pg_dbname,
                        autocommit=True,
                        connect_timeout=max(2, int(s.pg_connect_timeout_s)),
                    )
                row = self._primary.execute(
                    f"SELECT coalesce(max(notification_id), 0) FROM {table}"
                ).fetchone()
            except psycopg.Error:
                self._drop_primary()
                raise
        return cast(int, row[0]) if row else 0

    def _drop_primary(self) -> None:
        if self._primary is not None:
            with contextlib.suppress(psycopg.Error):
                self._primary.close()
        self._primary = None

    def close(self) -> None:
        with self._primary_lock:
            self._drop_primary()
        super().close()


class PollingLiveViews(LiveViews):
    """A read model that follows a standby: no LISTEN there, so it polls the log."""

    def start(self, poll_s: float) -> None:
        # LiveViews.start listens for NOTIFY when the recorder is Postgres; a standby
        # refuses LISTEN, so the runner is started on its own, polling every `poll_s`.
        self._poll_s = poll_s
        self._following = True
        self.follow()


def follower_views(app: Comptoir, settings: Settings) -> LiveViews:
    """The read model a query node or a lone projector keeps in its own DuckDB file."""
    kind = PollingLiveViews if reads_standby(settings) else LiveViews
    return kind(
        app,
        settings.duckdb_path,
        page_size=settings.projector_page_size,
        rebuild_workers=settings.rebuild_workers,
    )


def refuse_command(role: str) -> NoReturn:
    """Refuse a command or a document read on a query node (a 404 problem)."""
    raise CommandsNotServed(
        f"this is a {role} node: it serves /views, /audit, /admin/views and /health; "
        "send commands and document reads to a command node"
    )


def refuse_views(role: str) -> NoReturn:
    """Refuse a view on a command node (a 404 problem)."""
    raise ViewsNotServed(
        f"this is a {role} node: it serves commands and documents; "
        "read /views, /audit and /admin/views from a query node"
    )


def serves(role: str, path: str) -> bool:
    """Whether a node of `role` serves requests to `path`."""
    if role == "all" or path.startswith(SHARED_PATHS):
        return True
    return path.startswith(QUERY_PATHS) == (role == "query")


class Gate(Route):
    """Placed before every other route: answers the paths its role does not serve."""

    def __init__(self, role: str) -> None:
        self.role = role
        methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
        super().__init__("/{rest:path}", self.refuse, methods=methods, include_in_schema=False)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and not serves(self.role, scope["path"]):
            return super().matches(scope)
        return Match.NONE, {}

    async def refuse(self, request: Request) -> Response:
        if self.role == "query":
            # the console imports these services: imported when first refused
            from interfaces.console.nodes import is_console, refuse_console

            if is_console(request.url.path):
                refuse_console(self.role)
            refuse_command(self.role)
        refuse_views(self.role)


def restrict_routes(app: FastAPI, role: str) -> None:
    """Answer what this role does not serve with a 404 problem, and leave it out of the
    OpenAPI document."""
    if role == "all":
        return
    app.router.routes.insert(0, Gate(role))
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            schema["paths"] = {p: v for p, v in schema["paths"].items() if serves(role, p)}
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]
