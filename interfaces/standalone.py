"""A projector or a sealer running on its own, following the log until stopped.

`comptoir project --follow` keeps a DuckDB file of the views (COMPTOIR_DUCKDB_PATH) up
to date from the log, read from a streaming replica when COMPTOIR_PG_READ_HOST is set;
`comptoir audit seal --follow` keeps the hash chain sealed up to the log's end. Both
print their position as it moves and stop cleanly on SIGTERM or Ctrl-C. The sealer
takes the same lock as the command nodes' sealers: one seals at a time.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType

import typer

from adapters.eventstore.chain import chain_store_for
from application.app import Comptoir
from application.sealing import ChainFollower, ChainStore, Sealer
from interfaces.leadership import Singleton, lock_for
from interfaces.roles import FollowerComptoir, follower_views
from interfaces.settings import Settings

REPORT_S = 1.0


def until_stopped(position: Callable[[], int], report_s: float = REPORT_S) -> None:
    """Print `at P` whenever `position()` moves, until SIGTERM or SIGINT."""
    stop = threading.Event()

    def stopping(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, stopping)
    previous_int = signal.signal(signal.SIGINT, stopping)
    try:
        shown = -1
        while True:
            at = position()
            if at != shown:
                typer.echo(f"at {at}")
                shown = at
            if stop.wait(report_s):
                return
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)


def follow_projection(settings: Settings) -> None:
    """Fold the log into the views' DuckDB file as it grows, until stopped."""
    app = FollowerComptoir(settings)
    try:
        views = follower_views(app, settings)
        try:
            typer.echo(f"projecting into {views.path} from position {views.position}")
            views.start(settings.projector_poll_s)
            until_stopped(lambda: views.position)
        finally:
            views.close()
    finally:
        app.close()


def follow_sealing(settings: Settings, page_size: int) -> None:
    """Seal the log as it grows (while this process holds the sealer's lock), until stopped."""
    with Comptoir(settings.eventstore_env()) as app:
        store = chain_store_for(app)
        follower = ChainFollower(Sealer(app, store, page_size=page_size))
        poll_s = settings.sealer_poll_s
        singleton = Singleton(
            "sealer", lock_for(settings, "sealer"), lambda: follower.start(poll_s), follower.stop
        )
        singleton.start()
        if not singleton.leading:
            typer.echo("another process seals the log now; this one takes over if it stops")
        try:
            until_stopped(lambda: head_of(store))
        finally:
            singleton.stop()


def head_of(store: ChainStore) -> int:
    """The last sealed position, 0 before the first seal."""
    head = store.head()
    return 0 if head is None else head.notification_id
