"""Child processes that end with the process that started them."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from multiprocessing.connection import wait


def when_parent_ends(action: Callable[[], None]) -> None:
    """Run `action` in this process as soon as the process that started it ends, however
    it ended (killed, it could not stop its children). Nothing for a process started
    otherwise than by `multiprocessing`."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    sentinel = parent.sentinel

    def watch() -> None:
        wait([sentinel])
        action()

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
