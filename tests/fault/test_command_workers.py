"""`comptoir serve --workers 2`: a burst of connections reaches both workers, and a
killed worker is replaced while the other keeps answering.

`/health` (with a key) names the `process` that answered.
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from application.app import Comptoir
from application.journal import CommandContext
from application.signing import Keyring
from tests.conftest import settings_for
from tests.fault.topology_support import Node, postgres_environment
from tests.load.harness import NOW

CONNECTIONS = 16


def _processes_answering(node: Node, key: str) -> list[int]:
    """The worker process behind each of 16 connections opened at the same moment."""
    start = threading.Barrier(CONNECTIONS)
    found: list[int] = []
    errors: list[BaseException] = []

    def one() -> None:
        try:
            with node.client(key) as http:  # a connection of its own
                start.wait(timeout=30)
                found.append(int(http.get("/health").json()["process"]))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=one) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return found


def _both_answer(node: Node, key: str, not_: int | None = None) -> bool:
    """Whether a burst reaches two workers (neither of them `not_`); False while starting."""
    try:
        found = set(_processes_answering(node, key))
    except AssertionError:  # a worker not listening yet
        return False
    return len(found) == 2 and not_ not in found


def test_two_workers_each_accept_part_of_a_burst_of_connections(
    pg_schema: str, tmp_path: Path
) -> None:
    settings = settings_for("postgres", tmp_path, pg_schema)
    env = postgres_environment(
        settings,
        pg_pool_size="2",
        signing_key=Keyring.generate().text(),
    )
    with Comptoir(
        settings.model_copy(update={"signing_key": env["COMPTOIR_SIGNING_KEY"]}).eventstore_env()
    ) as app:
        key, _ = app.access.issue(CommandContext(actor="test", at=NOW), user="ops", roles=["sales"])
    node = Node("command", tmp_path, env, "serve", "--role", "command", "--workers", "2")
    try:
        node.start().wait_ready()
        node.wait_until(lambda: _both_answer(node, key), "both workers answering")
        for _ in range(3):
            answered = _processes_answering(node, key)
            assert len(answered) == CONNECTIONS
            assert len(set(answered)) == 2, f"one worker took every connection: {answered}"
        victim = answered[0]
        os.kill(victim, signal.SIGKILL)
        with node.client(key) as http:  # the other worker answers meanwhile
            assert http.get("/health").status_code == 200

        node.wait_until(
            lambda: _both_answer(node, key, not_=victim), "a new worker in the killed one's place"
        )
    finally:
        node.stop()
    assert "Traceback" not in node.output(), node.output()
